package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestKMeansBlobs(t *testing.T) {
	tests := []struct {
		k, d, n int
		sd      float64
	}{
		{2, 2, 50, 0.5},
		{3, 5, 100, 1},
		{5, 32, 200, 1},
		{8, 10, 60, 0.5},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("k%d_d%d", tc.k, tc.d), func(t *testing.T) {
			x, truth := blobs(randomCentres(tc.k, tc.d, 20, uint64(tc.k)), tc.n, tc.sd, 1)
			x, truth = shuffled(x, truth, 2)
			res, err := KMeans(x, KMeansOptions{K: tc.k, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			if ari, _ := AdjustedRandIndex(truth, res.Labels); ari != 1 {
				t.Errorf("ARI %v, want 1", ari)
			}
			r, c := res.Centroids.Dims()
			if r != tc.k || c != tc.d {
				t.Errorf("centroids %d×%d", r, c)
			}
			var inertia float64
			for i, l := range res.Labels {
				inertia += sqDist(x.RawRowView(i), res.Centroids.RawRowView(l))
			}
			if math.Abs(inertia-res.Inertia) > 1e-9*inertia {
				t.Errorf("inertia %v, recomputed %v", res.Inertia, inertia)
			}
		})
	}
}

// naiveLloyd is scikit-learn's Lloyd loop without acceleration.
func naiveLloyd(data []float64, n, d, k int, centers []float64, maxIter int, tol float64) ([]int, float64) {
	centers = slices.Clone(centers)
	labels := make([]int, n)
	old := make([]int, n)
	for i := range old {
		old[i] = -1
	}
	assign := func() {
		for i := 0; i < n; i++ {
			best := math.Inf(1)
			for j := 0; j < k; j++ {
				if v := sqDist(data[i*d:(i+1)*d], centers[j*d:(j+1)*d]); v < best {
					best, labels[i] = v, j
				}
			}
		}
	}
	strict := false
	for it := 0; it < maxIter; it++ {
		assign()
		nc := make([]float64, k*d)
		cnt := make([]int, k)
		for i, l := range labels {
			cnt[l]++
			for j := 0; j < d; j++ {
				nc[l*d+j] += data[i*d+j]
			}
		}
		var shift float64
		for c := 0; c < k; c++ {
			for j := 0; j < d; j++ {
				if cnt[c] > 0 {
					nc[c*d+j] /= float64(cnt[c])
				} else {
					nc[c*d+j] = centers[c*d+j]
				}
			}
			shift += sqDist(nc[c*d:(c+1)*d], centers[c*d:(c+1)*d])
		}
		centers = nc
		if slices.Equal(labels, old) {
			strict = true
			break
		}
		copy(old, labels)
		if shift <= tol {
			break
		}
	}
	if !strict {
		assign()
	}
	var inertia float64
	for i, l := range labels {
		inertia += sqDist(data[i*d:(i+1)*d], centers[l*d:(l+1)*d])
	}
	return labels, inertia
}

func TestLloydMatchesNaive(t *testing.T) {
	// Overlapping blobs need many iterations; Hamerly's bounds must not
	// change any assignment.
	for seed := uint64(0); seed < 5; seed++ {
		x, _ := blobs(randomCentres(6, 8, 3, seed), 150, 2, seed)
		data, n, d, _ := rowMajor(x)
		for _, tol := range []float64{0, 1e-4} {
			init := kmeansPP(data, n, d, 6, rand.New(rand.NewPCG(seed, 9)))
			got := lloyd(data, n, d, 6, slices.Clone(init), 300, tol)
			want, inertia := naiveLloyd(data, n, d, 6, init, 300, tol)
			if !slices.Equal(got.labels, want) {
				t.Errorf("seed %d tol %v: labels differ from plain Lloyd", seed, tol)
			}
			if math.Abs(got.inertia-inertia) > 1e-9*inertia {
				t.Errorf("seed %d tol %v: inertia %v, plain Lloyd %v", seed, tol, got.inertia, inertia)
			}
		}
	}
}

func TestKMeansDeterministic(t *testing.T) {
	x, _ := blobs(randomCentres(5, 4, 2, 1), 200, 1.5, 4)
	a, err := KMeans(x, KMeansOptions{Seed: 11, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := KMeans(x, KMeansOptions{Seed: 11, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Labels, b.Labels) || a.Inertia != b.Inertia || !sameMatrix(a.Centroids, b.Centroids) {
		t.Error("same seed, different result")
	}
}

func TestKMeansEdgeCases(t *testing.T) {
	for name, x := range badInputs() {
		if _, err := KMeans(x, KMeansOptions{K: 1}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	x := mat.NewDense(4, 1, []float64{0, 1, 10, 11})
	for _, opt := range []KMeansOptions{{K: 5}, {K: -1}, {K: 2, NInit: -1}, {K: 2, MaxIter: -2}, {K: 2, Tol: math.NaN()}} {
		if _, err := KMeans(x, opt); err == nil {
			t.Errorf("%+v: no error", opt)
		}
	}
	// K = n and duplicated rows: no panic, zero inertia where possible.
	res, err := KMeans(x, KMeansOptions{K: 4})
	if err != nil || res.Inertia != 0 {
		t.Errorf("K=n: inertia %v, err %v", res.Inertia, err)
	}
	dup := mat.NewDense(4, 1, []float64{3, 3, 3, 3})
	if _, err := KMeans(dup, KMeansOptions{K: 3}); err != nil {
		t.Errorf("identical rows: %v", err)
	}
}

func ExampleKMeans() {
	x := mat.NewDense(6, 2, []float64{
		0, 0, 0, 1, 1, 0,
		10, 10, 10, 11, 11, 10,
	})
	res, err := KMeans(x, KMeansOptions{K: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Labels[0] == res.Labels[1], res.Labels[0] != res.Labels[3])
	fmt.Printf("inertia %.3f\n", res.Inertia)
	// Output:
	// true true
	// inertia 2.667
}
