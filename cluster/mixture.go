package cluster

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// mixture is a Gaussian mixture with full covariances fitted to n×q rows.
type mixture struct {
	k, q   int
	weight []float64       // k
	mean   [][]float64     // k means of q values
	cov    []*mat.SymDense // k covariances, regularised
	chol   []mat.Cholesky  // k factorisations of cov
	ll     float64         // log-likelihood of the rows
	labels []int           // most probable component of each row
}

const (
	emShortIter = 5
	emMaxIter   = 200
	emTol       = 1e-5 // stop when the mean log-likelihood gains less
	emReg       = 1e-3 // added to covariance diagonals, times the mean variance
)

// bestMixture fits a k-component mixture to the n×q rows z by EM from each
// initial hard assignment (values in [0, k)) and returns the fit of highest
// likelihood, the first among equals. It follows the "short runs" strategy
// of Biernacki, Celeux and Govaert (2003): every start runs a few EM
// iterations, and only the most likely continues to convergence. Starts run
// in parallel, each sequentially, so the result does not depend on the
// number of workers w.
func bestMixture(z []float64, n, q, k int, inits [][]int, w int) *mixture {
	runs := make([]*emRun, len(inits))
	parallelChunks(len(inits), 1, w, func(c, lo, hi int) {
		for i := lo; i < hi; i++ {
			runs[i] = newEMRun(z, n, q, k, inits[i])
			runs[i].iterate(emShortIter)
		}
	})
	best := runs[0]
	for _, r := range runs[1:] {
		if r.mix.ll > best.mix.ll || math.IsNaN(best.mix.ll) {
			best = r
		}
	}
	best.iterate(emMaxIter)
	return best.finish()
}

// emRun is the state of EM on the n×q rows z.
type emRun struct {
	z         blas64.General // the rows, n×q
	mix       *mixture
	resp      []float64      // n×k responsibilities
	work, out blas64.General // n×q scratch
	reg       float64
	prev      float64 // log-likelihood before the last iteration
	iter      int
	converged bool
}

// newEMRun starts EM from the hard assignment init.
func newEMRun(z []float64, n, q, k int, init []int) *emRun {
	mu := make([]float64, q)
	for i := 0; i < n; i++ {
		floats.Add(mu, z[i*q:(i+1)*q])
	}
	floats.Scale(1/float64(n), mu)
	var meanVar float64
	for i := 0; i < n; i++ {
		meanVar += sqDist(z[i*q:(i+1)*q], mu)
	}
	meanVar /= float64(n * q)
	r := &emRun{
		z:    blas64.General{Rows: n, Cols: q, Stride: q, Data: z},
		work: blas64.General{Rows: n, Cols: q, Stride: q, Data: make([]float64, n*q)},
		out:  blas64.General{Rows: n, Cols: q, Stride: q, Data: make([]float64, n*q)},
		reg:  emReg * meanVar, prev: math.Inf(-1),
	}
	if !(r.reg > 0) {
		r.reg = 1e-12
	}
	r.mix = &mixture{k: k, q: q, weight: make([]float64, k), mean: make([][]float64, k),
		cov: make([]*mat.SymDense, k), chol: make([]mat.Cholesky, k), ll: math.Inf(-1)}
	for c := range k {
		r.mix.mean[c] = make([]float64, q)
		r.mix.cov[c] = mat.NewSymDense(q, nil)
	}
	r.resp = make([]float64, n*k)
	for i, l := range init {
		r.resp[i*k+l] = 1
	}
	return r
}

// iterate runs EM until it converges or has run maxIter iterations in all.
func (r *emRun) iterate(maxIter int) {
	n := r.z.Rows
	for !r.converged && r.iter < maxIter {
		r.mStep()
		ll := r.eStep()
		r.iter++
		r.converged = ll-r.prev < emTol*float64(n)
		r.prev = ll
	}
}

// finish sets the labels of the mixture: the most probable component of
// each row.
func (r *emRun) finish() *mixture {
	k := r.mix.k
	r.mix.labels = make([]int, r.z.Rows)
	for i := range r.mix.labels {
		r.mix.labels[i] = floats.MaxIdx(r.resp[i*k : (i+1)*k])
	}
	return r.mix
}

// mStep sets the weights, means and covariances from the responsibilities.
// A component left without responsibility gets a vanishing weight and the
// mean and covariance of all the rows. The covariance is one BLAS rank-n
// update (Syrk) of the rows centred and scaled by √responsibility.
func (r *emRun) mStep() {
	mix, n, q, k := r.mix, r.z.Rows, r.mix.q, r.mix.k
	var total float64
	for c := range k {
		var nk float64
		for i := range n {
			nk += r.resp[i*k+c]
		}
		if nk < 1e-10 {
			nk = 0
		}
		wt := func(i int) float64 { return r.resp[i*k+c] }
		den := nk
		if nk == 0 { // an empty component takes every row
			wt, den = func(int) float64 { return 1 }, float64(n)
		}
		mc := mix.mean[c]
		clear(mc)
		for i := range n {
			if w := wt(i); w != 0 {
				floats.AddScaled(mc, w, r.z.Data[i*q:(i+1)*q])
			}
		}
		floats.Scale(1/den, mc)
		for i := range n {
			row := r.work.Data[i*q : (i+1)*q]
			floats.SubTo(row, r.z.Data[i*q:(i+1)*q], mc)
			floats.Scale(math.Sqrt(wt(i)), row)
		}
		// Gemm rather than Syrk: gonum's Gemm is blocked and parallel, and
		// with the E-step's Gemm it took 3.1 s of CPU profile where Syrk and
		// Trsm took 4.3 s (seed-5 model A run), though it fills both triangles.
		cv := mix.cov[c].RawSymmetric()
		blas64.Gemm(blas.Trans, blas.NoTrans, 1/den, r.work, r.work, 0,
			blas64.General{Rows: q, Cols: q, Stride: cv.Stride, Data: cv.Data})
		for a := range q {
			cv.Data[a*cv.Stride+a] += r.reg
		}
		mix.weight[c] = nk
		total += nk
		if !mix.chol[c].Factorize(mix.cov[c]) {
			// Not positive definite despite the ridge: fall back to the
			// diagonal, which always is.
			d := mat.NewSymDense(q, nil)
			for a := range q {
				d.SetSym(a, a, max(mix.cov[c].At(a, a), r.reg))
			}
			mix.cov[c] = d
			mix.chol[c].Factorize(d)
		}
	}
	for c := range k {
		mix.weight[c] = max(mix.weight[c]/total, 1e-300)
	}
}

// eStep sets the responsibilities and returns the log-likelihood. The
// squared Mahalanobis distances of all rows to a component are the squared
// norms of the centred rows times L⁻ᵀ, L its Cholesky factor: one matrix
// product (Gemm, parallel in gonum; faster here than the triangular solve
// Trsm, which gonum runs on one thread: see mStep).
func (r *emRun) eStep() float64 {
	mix, n, q, k := r.mix, r.z.Rows, r.mix.q, r.mix.k
	var l, linv mat.TriDense
	for c := range k {
		mix.chol[c].LTo(&l)
		// L has a positive diagonal (Factorize succeeded), so the only
		// error InverseTri can report is mat.Condition, an ill-conditioned
		// L, whose inverse is still computed: the component then gets a
		// vanishing responsibility.
		_ = linv.InverseTri(&l)
		inv := linv.RawTriangular()
		for i := range n {
			floats.SubTo(r.work.Data[i*q:(i+1)*q], r.z.Data[i*q:(i+1)*q], mix.mean[c])
		}
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, r.work,
			blas64.General{Rows: q, Cols: q, Stride: inv.Stride, Data: inv.Data}, 0, r.out)
		lw := math.Log(mix.weight[c]) - 0.5*(mix.chol[c].LogDet()+float64(q)*math.Log(2*math.Pi))
		for i := range n {
			row := r.out.Data[i*q : (i+1)*q]
			r.resp[i*k+c] = lw - 0.5*floats.Dot(row, row)
		}
	}
	var ll float64
	for i := range n {
		p := r.resp[i*k : (i+1)*k]
		s := floats.LogSumExp(p)
		for c := range p {
			p[c] = math.Exp(p[c] - s)
		}
		ll += s
	}
	mix.ll = ll
	return ll
}

// discriminant returns the Fisher discriminant direction of the first two
// components, Σ⁻¹(μ₁ − μ₀) with Σ their weighted mean covariance.
func (mix *mixture) discriminant() []float64 {
	w0, w1 := mix.weight[0], mix.weight[1]
	s := w0 + w1
	var pooled mat.SymDense
	pooled.ScaleSym(w0/s, mix.cov[0])
	var b mat.SymDense
	b.ScaleSym(w1/s, mix.cov[1])
	pooled.AddSym(&pooled, &b)
	v := make([]float64, mix.q)
	floats.SubTo(v, mix.mean[1], mix.mean[0])
	var ch mat.Cholesky
	if !ch.Factorize(&pooled) {
		return v // the difference of the means
	}
	var w mat.VecDense
	if err := ch.SolveVecTo(&w, mat.NewVecDense(mix.q, v)); err != nil {
		return v
	}
	return w.RawVector().Data
}
