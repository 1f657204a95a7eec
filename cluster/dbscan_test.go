package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// bruteDBSCAN is a direct transcription of scikit-learn's dbscan_inner
// over brute-force neighbourhoods.
func bruteDBSCAN(x *mat.Dense, eps float64, minSamples int) []int {
	n, _ := x.Dims()
	nb := make([][]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if sqDist(x.RawRowView(i), x.RawRowView(j)) <= eps*eps {
				nb[i] = append(nb[i], j)
			}
		}
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	c := 0
	for i := 0; i < n; i++ {
		if labels[i] != -1 || len(nb[i]) < minSamples {
			continue
		}
		stack := []int{}
		p := i
		for {
			if labels[p] == -1 {
				labels[p] = c
				if len(nb[p]) >= minSamples {
					for _, v := range nb[p] {
						if labels[v] == -1 {
							stack = append(stack, v)
						}
					}
				}
			}
			if len(stack) == 0 {
				break
			}
			p = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		}
		c++
	}
	return labels
}

func TestDBSCANBlobs(t *testing.T) {
	centres := [][]float64{{0, 0, 0}, {10, 0, 0}, {0, 10, 0}, {0, 0, 10}}
	x, truth := blobs(centres, 80, 0.4, 5)
	// Isolated noise rows.
	n, d := x.Dims()
	noise := [][]float64{{30, 30, 30}, {-30, 5, 5}, {5, -30, 40}}
	all := mat.NewDense(n+len(noise), d, nil)
	all.Slice(0, n, 0, d).(*mat.Dense).Copy(x)
	for i, p := range noise {
		all.SetRow(n+i, p)
		truth = append(truth, Noise)
	}
	all, truth = shuffled(all, truth, 6)
	res, err := DBSCAN(all, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	if res.Noise != len(noise) || len(res.Sizes) != len(centres) {
		t.Fatalf("%d clusters, %d noise; want %d, %d", len(res.Sizes), res.Noise, len(centres), len(noise))
	}
	for i, l := range res.Labels {
		if (l == Noise) != (truth[i] == Noise) {
			t.Fatalf("row %d: label %d, truth %d", i, l, truth[i])
		}
	}
	if ari, _ := AdjustedRandIndex(truth, res.Labels); ari != 1 {
		t.Errorf("ARI %v, want 1", ari)
	}
	// Clusters are numbered by their first core row.
	first := map[int]int{}
	for i, l := range res.Labels {
		if _, ok := first[l]; !ok && l != Noise {
			first[l] = i
		}
	}
	for c := 1; c < len(res.Sizes); c++ {
		if first[c] < first[c-1] {
			t.Errorf("cluster %d starts at row %d before cluster %d at %d", c, first[c], c-1, first[c-1])
		}
	}
}

func TestDBSCANSemantics(t *testing.T) {
	// 1-D: cluster A = {-0.2, 0, 0.5, 1}, border b = 2 (3 neighbours with
	// itself), cluster B = {3, 3.5, 4, 4.2}; eps = 1 reaches exactly from
	// 1 to 2 and from 2 to 3. b joins the cluster reached first.
	a := []float64{-0.2, 0, 0.5, 1}
	b := []float64{3, 3.5, 4, 4.2}
	tests := []struct {
		name  string
		rows  []float64
		want  []int
		eps   float64
		minPt int
	}{
		{"A first", slices.Concat(a, []float64{2}, b), []int{0, 0, 0, 0, 0, 1, 1, 1, 1}, 1, 4},
		{"B first", slices.Concat(b, []float64{2}, a), []int{0, 0, 0, 0, 0, 1, 1, 1, 1}, 1, 4},
		{"border last", slices.Concat(b, a, []float64{2}), []int{0, 0, 0, 0, 1, 1, 1, 1, 0}, 1, 4},
		{"eps exclusive", slices.Concat(a, []float64{2}, b), []int{0, 0, 0, 0, -1, 1, 1, 1, 1}, 0.999, 4},
		{"self counts", []float64{0, 0.5}, []int{0, 0}, 1, 2},
		{"too few", []float64{0, 0.5}, []int{-1, -1}, 1, 3},
		{"min 1", []float64{0, 5}, []int{0, 1}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := mat.NewDense(len(tc.rows), 1, tc.rows)
			res, err := DBSCAN(x, tc.eps, tc.minPt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Labels, tc.want) {
				t.Errorf("labels %v, want %v", res.Labels, tc.want)
			}
			if want := bruteDBSCAN(x, tc.eps, tc.minPt); !slices.Equal(res.Labels, want) {
				t.Errorf("labels %v, brute force %v", res.Labels, want)
			}
		})
	}
}

func TestDBSCANMatchesBruteForce(t *testing.T) {
	// Overlapping blobs with many border and noise points, and duplicates.
	for seed := uint64(0); seed < 4; seed++ {
		x, _ := blobs(randomCentres(6, 5, 4, seed), 100, 1.5, seed)
		n, d := x.Dims()
		for i := 0; i < 20; i++ {
			x.SetRow(n-1-i, x.RawRowView(i))
		}
		_ = d
		for _, eps := range []float64{0.8, 1.2, 2} {
			res, err := DBSCAN(x, eps, 5)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteDBSCAN(x, eps, 5)
			if !slices.Equal(res.Labels, want) {
				t.Errorf("seed %d eps %v: labels differ from brute force", seed, eps)
			}
			sizes := make([]int, len(res.Sizes))
			noise := 0
			for _, l := range want {
				if l == Noise {
					noise++
				} else {
					sizes[l]++
				}
			}
			if !slices.Equal(sizes, res.Sizes) || noise != res.Noise {
				t.Errorf("sizes %v noise %d, want %v %d", res.Sizes, res.Noise, sizes, noise)
			}
		}
	}
}

func TestDBSCANErrors(t *testing.T) {
	for name, x := range badInputs() {
		if _, err := DBSCAN(x, 1, 2); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	x := mat.NewDense(3, 1, []float64{0, 1, 2})
	for _, tc := range []struct {
		eps float64
		min int
	}{{0, 2}, {-1, 2}, {math.NaN(), 2}, {math.Inf(1), 2}, {1, 0}} {
		if _, err := DBSCAN(x, tc.eps, tc.min); err == nil {
			t.Errorf("eps %v min %d: no error", tc.eps, tc.min)
		}
	}
	// minSamples above n: all noise, no error.
	res, err := DBSCAN(x, 1, 10)
	if err != nil || res.Noise != 3 {
		t.Errorf("minSamples > n: %+v, %v", res, err)
	}
}

func TestKDistances(t *testing.T) {
	x, _ := blobs(randomCentres(3, 4, 5, 8), 50, 1, 9)
	n, _ := x.Dims()
	for _, k := range []int{2, 4, 10} {
		got, err := KDistances(x, k)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, n)
		for i := 0; i < n; i++ {
			ds := make([]float64, n)
			for j := 0; j < n; j++ {
				ds[j] = math.Sqrt(sqDist(x.RawRowView(i), x.RawRowView(j)))
			}
			sort.Float64s(ds)
			want[i] = ds[k-1]
		}
		sort.Float64s(want)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("k=%d: distance %d = %v, want %v", k, i, got[i], want[i])
			}
		}
	}
	if _, err := KDistances(x, 1); err == nil {
		t.Error("minSamples 1: no error")
	}
	if _, err := KDistances(x, n+1); err == nil {
		t.Error("minSamples > n: no error")
	}
}

func TestSuggestEps(t *testing.T) {
	// Four uniform squares of side 5 (16 rows per unit area) and sparse
	// uniform background noise: the k-distance curve is flat over the
	// squares and rises over the noise.
	rng := rand.New(rand.NewPCG(10, 10))
	var rows []float64
	var truth []int
	for c, ctr := range [][2]float64{{0, 0}, {20, 0}, {0, 20}, {20, 20}} {
		for i := 0; i < 400; i++ {
			rows = append(rows, ctr[0]+5*rng.Float64(), ctr[1]+5*rng.Float64())
			truth = append(truth, c)
		}
	}
	for i := 0; i < 40; i++ {
		rows = append(rows, -50+120*rng.Float64(), -50+120*rng.Float64())
		truth = append(truth, Noise)
	}
	x := mat.NewDense(len(truth), 2, rows)
	eps, err := SuggestEps(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	res, err := DBSCAN(x, eps, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sizes) != 4 || res.Noise > 60 {
		t.Errorf("eps %v: %d clusters, %d noise", eps, len(res.Sizes), res.Noise)
	}
	var clean, kept []int
	for i, l := range res.Labels {
		if l != Noise && truth[i] != Noise {
			clean = append(clean, truth[i])
			kept = append(kept, l)
		}
	}
	if ari, _ := AdjustedRandIndex(clean, kept); ari != 1 {
		t.Errorf("eps %v: ARI on clustered rows %v", eps, ari)
	}
	if _, err := SuggestEps(mat.NewDense(3, 1, []float64{1, 1, 1}), 2); err == nil {
		t.Error("identical rows: no error")
	}
}

func TestKneedle(t *testing.T) {
	// A hockey stick: flat then steep; the knee is at the bend.
	y := []float64{1, 1, 1, 1, 1, 1, 1, 1.1, 2, 4, 8}
	got, err := kneedle(y)
	if err != nil || got != 1.1 {
		t.Errorf("knee %v, %v; want 1.1", got, err)
	}
}

func ExampleDBSCAN() {
	x := mat.NewDense(7, 1, []float64{0, 0.5, 1, 10, 10.5, 11, 50})
	res, err := DBSCAN(x, 1, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Labels, res.Sizes, res.Noise)
	// Output:
	// [0 0 0 1 1 1 -1] [3 3] 1
}
