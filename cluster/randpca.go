package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// RandomizedPCA returns the scores of the n rows of x (n×d float32, row
// after row) on approximately their top k principal components, n×k
// float32, largest first: PCA's coordinates for data too wide for its d×d
// covariance (the default model's 6,272-value Flatten output). It uses randomized subspace iteration (Halko, Martinsson and
// Tropp, 2011: a Gaussian sketch of k+10 directions, one power iteration)
// with a fixed seed, so the same x gives the same scores. It centres
// implicitly (A = X − 1μᵀ is never formed) and keeps every product in the
// shape whose inner loop runs along the rows of x (float32 dot products and
// axpys of length d, split over GOMAXPROCS goroutines), so it needs only a
// few n×(k+10) and (k+10)×d blocks beside x. Each component's sign is fixed
// so that its score of largest magnitude is positive, as in PCA.
func RandomizedPCA(x []float32, n, d, k int) ([]float32, error) {
	if n <= 0 || d <= 0 || len(x) != n*d {
		return nil, fmt.Errorf("randomized PCA: %d values for %d×%d", len(x), n, d)
	}
	k = min(k, n, d)
	l := min(k+10, n, d)
	mean := make([]float32, d)
	for i := range n {
		blas32.Axpy(1, vec(x[i*d:(i+1)*d]), vec(mean))
	}
	blas32.Scal(1/float32(n), vec(mean))

	rng := rand.New(rand.NewPCG(20111, uint64(d)))
	omega := make([]float32, l*d) // l directions of d values
	for i := range omega {
		omega[i] = float32(rng.NormFloat64())
	}
	q, err := orthonormal(times(x, mean, omega, n, d, l), n, l)
	if err != nil {
		return nil, err
	}
	if q, err = orthonormal(times(x, mean, timesT(x, mean, q, n, d, l), n, d, l), n, l); err != nil {
		return nil, err
	}
	// A ≈ Q·Qᵀ·A; the SVD of the small l×d matrix B = Qᵀ·A = U·Σ·Vᵀ gives
	// the scores A·V = Q·U·Σ.
	bt := timesT(x, mean, q, n, d, l)
	b := mat.NewDense(l, d, nil)
	for c := range l {
		for j, v := range bt[c*d : (c+1)*d] {
			b.Set(c, j, float64(v))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(b, mat.SVDThin) {
		return nil, fmt.Errorf("randomized PCA: the SVD did not converge")
	}
	var u mat.Dense
	svd.UTo(&u)
	sigma := svd.Values(nil)
	scores := make([]float32, n*k)
	col := make([]float64, n)
	for c := range k {
		maxAbs, sign := 0.0, 1.0
		for i := range n {
			var s float64
			for j := range l {
				s += float64(q[i*l+j]) * u.At(j, c)
			}
			col[i] = s * sigma[c]
			if a := math.Abs(col[i]); a > maxAbs {
				maxAbs, sign = a, math.Copysign(1, col[i])
			}
		}
		for i, s := range col {
			scores[i*k+c] = float32(sign * s)
		}
	}
	return scores, nil
}

// vec is s as a blas32 vector.
func vec(s []float32) blas32.Vector { return blas32.Vector{N: len(s), Inc: 1, Data: s} }

// times returns (X − 1μᵀ)·Bᵀ, n×l, for the l rows of b (l×d).
func times(x, mean, b []float32, n, d, l int) []float32 {
	mb := make([]float32, l)
	for c := range l {
		mb[c] = blas32.Dot(vec(mean), vec(b[c*d:(c+1)*d]))
	}
	y := make([]float32, n*l)
	parallelChunks(n, (n+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0), 0, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			xi := vec(x[i*d : (i+1)*d])
			for c := range l {
				y[i*l+c] = blas32.Dot(xi, vec(b[c*d:(c+1)*d])) - mb[c]
			}
		}
	})
	return y
}

// timesT returns Qᵀ·(X − 1μᵀ), l×d, for q n×l.
func timesT(x, mean, q []float32, n, d, l int) []float32 {
	z := make([]float32, l*d)
	parallelChunks(l, 1, 0, func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			zc := vec(z[c*d : (c+1)*d])
			var sum float32
			for i := range n {
				blas32.Axpy(q[i*l+c], vec(x[i*d:(i+1)*d]), zc)
				sum += q[i*l+c]
			}
			blas32.Axpy(-sum, vec(mean), zc)
		}
	})
	return z
}

// orthonormal returns an orthonormal basis of the columns of y (n×l,
// float32): modified Gram-Schmidt in float64, run twice for the
// orthogonality float32 data needs. A column that is (numerically) in the
// span of the earlier ones becomes zero: the data has lower rank than l
// (all of them, for data without variance, whose scores are then 0).
func orthonormal(y []float32, n, l int) ([]float32, error) {
	cols := make([][]float64, l)
	var first float64
	for j := range l {
		c := make([]float64, n)
		for i := range n {
			c[i] = float64(y[i*l+j])
		}
		for range 2 {
			for _, p := range cols[:j] {
				floats.AddScaled(c, -floats.Dot(c, p), p)
			}
		}
		norm := math.Sqrt(floats.Dot(c, c))
		if j == 0 {
			first = norm
		}
		if math.IsNaN(norm) || math.IsInf(norm, 0) {
			return nil, fmt.Errorf("randomized PCA: the data is not finite")
		}
		if norm == 0 || norm <= 1e-10*first {
			clear(c)
		} else {
			floats.Scale(1/norm, c)
		}
		cols[j] = c
	}
	out := make([]float32, n*l)
	for j, c := range cols {
		for i, v := range c {
			out[i*l+j] = float32(v)
		}
	}
	return out, nil
}
