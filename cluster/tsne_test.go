package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// neighbourAgreement returns the mean fraction of each row's k nearest
// rows of the n×2 embedding y that share its label.
func neighbourAgreement(y *mat.Dense, labels []int, k int) float64 {
	n, _ := y.Dims()
	var total float64
	idx := make([]int, n)
	dist := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := range idx {
			idx[j] = j
			dist[j] = sqDist(y.RawRowView(i), y.RawRowView(j))
		}
		sort.Slice(idx, func(a, b int) bool { return dist[idx[a]] < dist[idx[b]] })
		same := 0
		for _, j := range idx[1 : k+1] {
			if labels[j] == labels[i] {
				same++
			}
		}
		total += float64(same) / float64(k)
	}
	return total / float64(n)
}

func TestTSNEBlobs(t *testing.T) {
	x, truth := blobs(randomCentres(5, 10, 10, 21), 60, 1, 22)
	x, truth = shuffled(x, truth, 23)
	for _, random := range []bool{false, true} {
		res, err := TSNE(x, TSNEOptions{Seed: 1, RandomInit: random})
		if err != nil {
			t.Fatal(err)
		}
		if a := neighbourAgreement(res.Embedding, truth, 10); a < 0.95 {
			t.Errorf("random init %v: neighbour agreement %.3f < 0.95", random, a)
		}
		if res.Iter != 1000 || !(res.KL > 0) || res.KL > 1 {
			t.Errorf("random init %v: iter %d KL %v", random, res.Iter, res.KL)
		}
	}
}

func TestTSNEDeterministic(t *testing.T) {
	x, _ := blobs(randomCentres(4, 6, 5, 31), 100, 1, 32)
	opt := TSNEOptions{Perplexity: 20, NIter: 300, Seed: 5, Workers: 1}
	a, err := TSNE(x, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Workers = 3
	b, err := TSNE(x, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !sameMatrix(a.Embedding, b.Embedding) || a.KL != b.KL {
		t.Error("1 and 3 workers give different embeddings")
	}
}

func TestBinarySearchPerplexity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, perp := range []float64{5, 30} {
		row := make([]float64, 91)
		for i := range row {
			row[i] = 10 + 50*rng.Float64()
		}
		binarySearchPerplexity(row, perp)
		var h, s float64
		for _, p := range row {
			s += p
			if p > 0 {
				h -= p * math.Log(p)
			}
		}
		if math.Abs(s-1) > 1e-12 || math.Abs(h-math.Log(perp)) > 1e-4 {
			t.Errorf("perplexity %v: sum %v entropy %v, want log %v", perp, s, h, math.Log(perp))
		}
	}
}

// exactRepulsion returns Σ_j q_ij² (y_i-y_j) and Σ_j q_ij for every i.
func exactRepulsion(y []float64) (f []float64, z []float64) {
	n := len(y) / 2
	f = make([]float64, 2*n)
	z = make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			q := 1 / (1 + dx*dx + dy*dy)
			z[i] += q
			f[2*i] += q * q * dx
			f[2*i+1] += q * q * dy
		}
	}
	return f, z
}

func TestBarnesHutAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 2000
	y := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		// Clumps of varied size, and duplicated points.
		c := float64(i % 7)
		y[2*i] = 10*c + rng.NormFloat64()*(1+c)
		y[2*i+1] = 5*c*c/7 + rng.NormFloat64()
	}
	copy(y[2*(n-10):], y[:20])
	for i := 100; i < 200; i++ { // a clump of 100 identical points
		y[2*i], y[2*i+1] = 3, 4
	}
	wantF, wantZ := exactRepulsion(y)
	var qt quadTree
	qt.build(y)
	var il interactions
	var errF, normF, errZ, totZ float64
	for _, g := range qt.groups {
		qt.groupList(g, 0.25, &il)
		nd := qt.nodes[g]
		for p := nd.lo; p < nd.hi; p++ {
			fx, fy, z := il.repulsion(qt.x[p], qt.y[p])
			i := qt.order[p]
			errF += math.Hypot(fx-wantF[2*i], fy-wantF[2*i+1])
			normF += math.Hypot(wantF[2*i], wantF[2*i+1])
			errZ += z - wantZ[i]
			totZ += wantZ[i]
		}
	}
	if r := errF / normF; r > 0.02 {
		t.Errorf("relative force error %.4f", r)
	}
	if r := math.Abs(errZ) / totZ; r > 0.005 {
		t.Errorf("relative normalisation error %.5f", r)
	}
	// Every point is covered exactly once by the groups.
	seen := make([]bool, n)
	for _, g := range qt.groups {
		for p := qt.nodes[g].lo; p < qt.nodes[g].hi; p++ {
			if seen[p] {
				t.Fatalf("position %d in two groups", p)
			}
			seen[p] = true
		}
	}
	for p, s := range seen {
		if !s {
			t.Fatalf("position %d in no group", p)
		}
	}
}

func TestExactKL(t *testing.T) {
	// KL over a dense P equals the textbook sum.
	rng := rand.New(rand.NewPCG(8, 9))
	n := 30
	P := &csr{ptr: make([]int, n+1)}
	var tot float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				P.col = append(P.col, int32(j))
				P.val = append(P.val, 1+rng.Float64())
				tot += P.val[len(P.val)-1]
			}
		}
		P.ptr[i+1] = len(P.col)
	}
	for e := range P.val {
		P.val[e] /= tot
	}
	y := make([]float64, 2*n)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	var z, kl float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				z += 1 / (1 + sqDist(y[2*i:2*i+2], y[2*j:2*j+2]))
			}
		}
	}
	for i := 0; i < n; i++ {
		for e := P.ptr[i]; e < P.ptr[i+1]; e++ {
			j := int(P.col[e])
			q := 1 / (1 + sqDist(y[2*i:2*i+2], y[2*j:2*j+2])) / z
			kl += P.val[e] * math.Log(P.val[e]/q)
		}
	}
	if got := exactKL(P, y, n, 2); math.Abs(got-kl) > 1e-12 {
		t.Errorf("KL %v, want %v", got, kl)
	}
}

func TestTSNEErrors(t *testing.T) {
	for name, x := range badInputs() {
		if _, err := TSNE(x, TSNEOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	x, _ := blobs(randomCentres(2, 3, 5, 1), 20, 1, 2)
	for _, opt := range []TSNEOptions{
		{Perplexity: 40}, // not below the 40 rows
		{Perplexity: -1},
		{NIter: -1},
		{NIter: 100}, // fewer than the exaggeration phase
		{LearningRate: -1},
		{Theta: math.NaN()},
		{EarlyExaggeration: 0.5},
	} {
		if _, err := TSNE(x, opt); err == nil {
			t.Errorf("%+v: no error", opt)
		}
	}
	if _, err := TSNE(mat.NewDense(40, 1, make([]float64, 40)), TSNEOptions{Perplexity: 5}); err == nil {
		t.Error("one column with PCA start: no error")
	}
}

func ExampleTSNE() {
	x, labels := blobs([][]float64{{0, 0, 0}, {20, 0, 0}, {0, 20, 0}}, 50, 1, 1)
	res, err := TSNE(x, TSNEOptions{Perplexity: 10, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, d := res.Embedding.Dims()
	fmt.Println(n, d, neighbourAgreement(res.Embedding, labels, 10) == 1)
	// Output:
	// 150 2 true
}
