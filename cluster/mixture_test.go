package cluster

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaussianMixture draws n rows from a mixture with the given weights,
// means and lower Cholesky factors of the covariances (q×q row-major) and
// returns them with the component of each row.
func gaussianMixture(n int, weights []float64, means, chols [][]float64, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	q := len(means[0])
	z := make([]float64, n*q)
	comp := make([]int, n)
	e := make([]float64, q)
	for i := range n {
		u, c := rng.Float64(), 0
		for c < len(weights)-1 && u > weights[c] {
			u -= weights[c]
			c++
		}
		comp[i] = c
		for j := range e {
			e[j] = rng.NormFloat64()
		}
		for a := range q {
			v := means[c][a]
			for b := 0; b <= a; b++ {
				v += chols[c][a*q+b] * e[b]
			}
			z[i*q+a] = v
		}
	}
	return z, comp
}

// agreement returns the fraction of rows whose label matches their
// component under the best matching of labels to components (k ≤ 3).
func agreement(labels, comp []int, k int) float64 {
	perms := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	best := 0
	for _, p := range perms {
		if k == 2 && p[2] != 2 {
			continue
		}
		hit := 0
		for i, l := range labels {
			if p[l] == comp[i] {
				hit++
			}
		}
		best = max(best, hit)
	}
	return float64(best) / float64(len(labels))
}

func TestBestMixtureRecoversKnownMixtures(t *testing.T) {
	tests := []struct {
		name    string
		weights []float64
		means   [][]float64
		chols   [][]float64
		minAcc  float64
	}{
		{"two 3-D components of different spread", []float64{0.3, 0.7},
			[][]float64{{0, 0, 0}, {6, 1, -2}},
			[][]float64{{1, 0, 0, 0, 1, 0, 0, 0, 1}, {2, 0, 0, 0.8, 0.5, 0, 0, 0, 1.5}}, 0.98},
		{"three 2-D components, one elongated", []float64{0.5, 0.3, 0.2},
			[][]float64{{0, 0}, {8, 0}, {0, 8}},
			[][]float64{{3, 0, 0, 0.5}, {1, 0, 0.5, 1}, {0.7, 0, 0, 0.7}}, 0.98},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, q := len(tt.weights), len(tt.means[0])
			const n = 1500
			z, comp := gaussianMixture(n, tt.weights, tt.means, tt.chols, 1)
			// Starts: the true components with 30% of rows relabelled at
			// random, and a plain random assignment.
			rng := rand.New(rand.NewPCG(2, 2))
			noisy, random := make([]int, n), make([]int, n)
			for i, c := range comp {
				noisy[i] = c
				if rng.Float64() < 0.3 {
					noisy[i] = rng.IntN(k)
				}
				random[i] = rng.IntN(k)
			}
			mix := bestMixture(z, n, q, k, [][]int{random, noisy}, 2)
			if acc := agreement(mix.labels, comp, k); acc < tt.minAcc {
				t.Fatalf("labels agree with the components on %.3f of rows, want >= %.2f", acc, tt.minAcc)
			}
			for c := range k {
				// The fitted component of the rows drawn from c.
				votes := make([]int, k)
				for i, l := range mix.labels {
					if comp[i] == c {
						votes[l]++
					}
				}
				f := 0
				for j := range votes {
					if votes[j] > votes[f] {
						f = j
					}
				}
				if d := math.Abs(mix.weight[f] - tt.weights[c]); d > 0.04 {
					t.Errorf("component %d: weight %.3f, want %.2f", c, mix.weight[f], tt.weights[c])
				}
				for a := range q {
					if d := math.Abs(mix.mean[f][a] - tt.means[c][a]); d > 0.25 {
						t.Errorf("component %d: mean[%d] %.3f, want %.2f", c, a, mix.mean[f][a], tt.means[c][a])
					}
				}
				// Covariance L Lᵀ, within 25% on the diagonal.
				l := mat.NewDense(q, q, tt.chols[c])
				var want mat.Dense
				want.Mul(l, l.T())
				for a := range q {
					if got, w := mix.cov[f].At(a, a), want.At(a, a); math.Abs(got-w) > 0.25*w {
						t.Errorf("component %d: variance[%d] %.3f, want %.3f", c, a, got, w)
					}
				}
			}
			if math.IsNaN(mix.ll) || math.IsInf(mix.ll, 0) {
				t.Errorf("log-likelihood %v", mix.ll)
			}
		})
	}
}

func TestBestMixtureDegenerate(t *testing.T) {
	// Every row equal: the ridge keeps the covariances positive definite,
	// and EM ends with a finite likelihood instead of failing.
	const n, q = 50, 3
	z := make([]float64, n*q)
	for i := range z {
		z[i] = 2
	}
	init := make([]int, n)
	for i := range init {
		init[i] = i % 2
	}
	mix := bestMixture(z, n, q, 2, [][]int{init}, 1)
	if math.IsNaN(mix.ll) {
		t.Fatalf("log-likelihood NaN")
	}
	// One component left empty takes all the rows' mean.
	empty := make([]int, n)
	mix = bestMixture(z, n, q, 2, [][]int{empty}, 1)
	if mix.mean[1][0] != 2 {
		t.Errorf("empty component's mean %v, want the rows' mean 2", mix.mean[1])
	}
}

func TestDiscriminant(t *testing.T) {
	// Equal covariances Σ = diag(4, 1): the direction is Σ⁻¹(μ₁ − μ₀).
	mix := &mixture{k: 2, q: 2, weight: []float64{0.5, 0.5}, mean: [][]float64{{0, 0}, {4, 2}},
		cov: []*mat.SymDense{mat.NewSymDense(2, []float64{4, 0, 0, 1}), mat.NewSymDense(2, []float64{4, 0, 0, 1})}}
	w := mix.discriminant()
	if math.Abs(w[0]-1) > 1e-12 || math.Abs(w[1]-2) > 1e-12 {
		t.Errorf("discriminant %v, want [1 2]", w)
	}
}
