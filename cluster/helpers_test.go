package cluster

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// blobs returns n points per centre drawn from isotropic Gaussians of
// standard deviation sd around the given centres, and their true labels.
func blobs(centres [][]float64, n int, sd float64, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := len(centres[0])
	x := mat.NewDense(n*len(centres), d, nil)
	labels := make([]int, 0, n*len(centres))
	r := 0
	for c, ctr := range centres {
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				x.Set(r, j, ctr[j]+sd*rng.NormFloat64())
			}
			labels = append(labels, c)
			r++
		}
	}
	return x, labels
}

// randomCentres returns k points of dimension d with coordinates uniform in
// [-scale, scale].
func randomCentres(k, d int, scale float64, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	c := make([][]float64, k)
	for i := range c {
		c[i] = make([]float64, d)
		for j := range c[i] {
			c[i][j] = scale * (2*rng.Float64() - 1)
		}
	}
	return c
}

// shuffled returns x and labels with rows in a seeded random order.
func shuffled(x *mat.Dense, labels []int, seed uint64) (*mat.Dense, []int) {
	n, d := x.Dims()
	perm := rand.New(rand.NewPCG(seed, 3)).Perm(n)
	y := mat.NewDense(n, d, nil)
	l := make([]int, n)
	for i, p := range perm {
		y.SetRow(i, x.RawRowView(p))
		l[i] = labels[p]
	}
	return y, l
}

// sameMatrix reports whether a and b are identical element by element.
func sameMatrix(a, b *mat.Dense) bool {
	ra, ca := a.Dims()
	rb, cb := b.Dims()
	if ra != rb || ca != cb {
		return false
	}
	for i := 0; i < ra; i++ {
		for j := 0; j < ca; j++ {
			if math.Float64bits(a.At(i, j)) != math.Float64bits(b.At(i, j)) {
				return false
			}
		}
	}
	return true
}

// badInputs returns matrices every function must reject.
func badInputs() map[string]*mat.Dense {
	nan := mat.NewDense(3, 2, []float64{0, 1, 2, math.NaN(), 4, 5})
	inf := mat.NewDense(3, 2, []float64{0, 1, 2, math.Inf(1), 4, 5})
	return map[string]*mat.Dense{"nil": nil, "empty": {}, "NaN": nan, "Inf": inf}
}
