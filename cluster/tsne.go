package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// TSNEOptions configures TSNE. Zero fields take the defaults noted, which
// are scikit-learn's.
type TSNEOptions struct {
	Perplexity        float64 // effective number of neighbours; default 30
	EarlyExaggeration float64 // factor on P during the first phase; default 12
	ExaggerationIter  int     // iterations of the first phase; default 250
	NIter             int     // total iterations; default 1000
	LearningRate      float64 // default "auto": max(n/EarlyExaggeration/4, 50)
	Theta             float64 // Barnes-Hut angle; default 0.5
	RandomInit        bool    // start from N(0, 1e-4²) instead of scaled PCA
	Seed              uint64  // seed of RandomInit (PCA start is deterministic)
	Workers           int     // goroutines for neighbours and gradients; default GOMAXPROCS
}

// TSNEResult holds a t-SNE embedding.
type TSNEResult struct {
	Embedding *mat.Dense // n×2 coordinates
	// KL is the final Kullback-Leibler divergence KL(P‖Q) between the sparse
	// input affinities P and the embedding's Student-t affinities Q, with
	// Q's normalisation computed exactly over all pairs (scikit-learn
	// reports the same sum with a Barnes-Hut estimate of the normalisation).
	KL   float64
	Iter int // iterations run
}

func (o *TSNEOptions) defaults(n int) {
	if o.Perplexity == 0 {
		o.Perplexity = 30
	}
	if o.EarlyExaggeration == 0 {
		o.EarlyExaggeration = 12
	}
	if o.ExaggerationIter == 0 {
		o.ExaggerationIter = 250
	}
	if o.NIter == 0 {
		o.NIter = 1000
	}
	if o.LearningRate == 0 && o.EarlyExaggeration > 0 {
		o.LearningRate = max(float64(n)/o.EarlyExaggeration/4, 50)
	}
	if o.Theta == 0 {
		o.Theta = 0.5
	}
}

// TSNE embeds the rows of x in two dimensions with Barnes-Hut t-SNE,
// following scikit-learn's TSNE: affinities from the ⌊3·Perplexity+1⌋
// exact nearest neighbours (k-d tree) with a binary search for each row's
// bandwidth, symmetrised and normalised; initialisation by PCA scaled to a
// first-axis standard deviation of 1e-4; gradient descent with momentum 0.5
// during early exaggeration then 0.8, per-coordinate gains (+0.2 / ×0.8,
// floor 0.01), and sklearn's progress checks every 50 iterations.
// Repulsive forces use a quadtree with angle Theta. Gradients are computed
// in parallel with a fixed work split, so the output depends only on the
// input and options. n must exceed Perplexity.
func TSNE(x *mat.Dense, opt TSNEOptions) (*TSNEResult, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return nil, fmt.Errorf("tsne: %w", err)
	}
	opt.defaults(n)
	switch {
	case !(opt.Perplexity > 0) || math.IsInf(opt.Perplexity, 0):
		return nil, fmt.Errorf("tsne: perplexity %v must be positive", opt.Perplexity)
	case float64(n) <= opt.Perplexity:
		return nil, fmt.Errorf("tsne: perplexity %v must be less than the number of rows %d", opt.Perplexity, n)
	case !(opt.EarlyExaggeration >= 1) || math.IsInf(opt.EarlyExaggeration, 0):
		return nil, fmt.Errorf("tsne: early exaggeration %v must be at least 1", opt.EarlyExaggeration)
	case opt.NIter < 1 || opt.ExaggerationIter < 0 || opt.ExaggerationIter > opt.NIter:
		return nil, fmt.Errorf("tsne: iterations %d (exaggerated %d) out of range", opt.NIter, opt.ExaggerationIter)
	case !(opt.LearningRate > 0) || math.IsInf(opt.LearningRate, 0):
		return nil, fmt.Errorf("tsne: learning rate %v must be positive", opt.LearningRate)
	case !(opt.Theta > 0) || math.IsInf(opt.Theta, 0):
		return nil, fmt.Errorf("tsne: theta %v must be positive", opt.Theta)
	}
	P, order, err := tsneAffinities(data, n, d, opt.Perplexity, opt.Workers)
	if err != nil {
		return nil, fmt.Errorf("tsne: %w", err)
	}
	y0, err := tsneInit(x, n, opt)
	if err != nil {
		return nil, fmt.Errorf("tsne: %w", err)
	}
	// Work in the order of P.
	y := make([]float64, 2*n)
	for p, i := range order {
		y[2*p], y[2*p+1] = y0[2*i], y0[2*i+1]
	}
	g := newTSNEGrad(P, n, opt.Theta, opt.Workers)
	iter := g.descend(y, 0, opt.ExaggerationIter, 0.5, opt.EarlyExaggeration, opt.LearningRate, opt.ExaggerationIter)
	if opt.NIter > opt.ExaggerationIter {
		iter = g.descend(y, iter+1, opt.NIter, 0.8, 1, opt.LearningRate, 300)
	}
	for p, i := range order {
		y0[2*i], y0[2*i+1] = y[2*p], y[2*p+1]
	}
	return &TSNEResult{
		Embedding: mat.NewDense(n, 2, y0),
		KL:        exactKL(P, y, n, opt.Workers),
		Iter:      iter + 1,
	}, nil
}

// tsneInit returns the starting embedding as an n×2 row-major slice.
func tsneInit(x *mat.Dense, n int, opt TSNEOptions) ([]float64, error) {
	y := make([]float64, 2*n)
	if opt.RandomInit {
		rng := rand.New(rand.NewPCG(opt.Seed, 0x75e))
		for i := range y {
			y[i] = 1e-4 * rng.NormFloat64()
		}
		return y, nil
	}
	_, d := x.Dims()
	if d < 2 {
		return nil, fmt.Errorf("PCA initialisation needs at least 2 columns, have %d", d)
	}
	p, err := PCA(x, 2)
	if err != nil {
		return nil, err
	}
	copy(y, p.Coords.RawMatrix().Data)
	var m, s float64
	for i := 0; i < n; i++ {
		m += y[2*i]
	}
	m /= float64(n)
	for i := 0; i < n; i++ {
		e := y[2*i] - m
		s += e * e
	}
	s = math.Sqrt(s / float64(n))
	if s == 0 {
		s = 1
	}
	for i := range y {
		y[i] = y[i] / s * 1e-4
	}
	return y, nil
}

// csr is a sparse square matrix in compressed-row form.
type csr struct {
	ptr []int
	col []int32
	val []float64
}

// tsneAffinities returns the symmetric joint probabilities P, as
// scikit-learn's _joint_probabilities_nn: conditional probabilities over the
// k nearest neighbours matching the perplexity, then (P+Pᵀ)/sum. P is
// indexed by k-d tree position, which keeps neighbours close in memory;
// order maps tree positions to rows.
func tsneAffinities(data []float64, n, d int, perplexity float64, w int) (P *csr, order []int32, err error) {
	k := min(n-1, int(3*perplexity+1))
	t := newKDTree(data, n, d)
	nbr := make([]int32, n*k)
	cond := make([]float64, n*k)
	const chunk = 64
	parallelChunks(n, chunk, w, func(_, lo, hi int) {
		var s knnScratch
		rows := make([]int32, k+1)
		dist := make([]float64, k+1)
		for p := lo; p < hi; p++ {
			t.knnAt(p, k+1, &s, rows, dist)
			i := p
			// Drop the row itself (or the farthest if duplicates hide it).
			self := k
			for j, r := range rows {
				if r == t.index[p] {
					self = j
					break
				}
			}
			o := 0
			for j := 0; j <= k; j++ {
				if j == self {
					continue
				}
				nbr[i*k+o] = t.pos[rows[j]]
				cond[i*k+o] = dist[j]
				o++
			}
			binarySearchPerplexity(cond[i*k:(i+1)*k], perplexity)
		}
	})
	// Symmetrise: P = (C + Cᵀ) / sum.
	cnt := make([]int, n+1)
	for i := 0; i < n; i++ {
		for _, j := range nbr[i*k : (i+1)*k] {
			cnt[i+1]++
			cnt[j+1]++
		}
	}
	for i := 0; i < n; i++ {
		cnt[i+1] += cnt[i]
	}
	cols := make([]int32, cnt[n])
	vals := make([]float64, cnt[n])
	fill := slices.Clone(cnt[:n])
	for i := 0; i < n; i++ {
		for o, j := range nbr[i*k : (i+1)*k] {
			v := cond[i*k+o]
			cols[fill[i]], vals[fill[i]] = j, v
			fill[i]++
			cols[fill[j]], vals[fill[j]] = int32(i), v
			fill[j]++
		}
	}
	P = &csr{ptr: make([]int, n+1)}
	var total float64
	type entry struct {
		c int32
		v float64
	}
	var row []entry
	for i := 0; i < n; i++ {
		row = row[:0]
		for e := cnt[i]; e < cnt[i+1]; e++ {
			row = append(row, entry{cols[e], vals[e]})
		}
		slices.SortFunc(row, func(a, b entry) int { return int(a.c) - int(b.c) })
		for e := 0; e < len(row); e++ {
			if m := len(P.col) - 1; e > 0 && row[e-1].c == row[e].c {
				P.val[m] += row[e].v
				continue
			}
			P.col = append(P.col, row[e].c)
			P.val = append(P.val, row[e].v)
		}
		P.ptr[i+1] = len(P.col)
	}
	for _, v := range P.val {
		total += v
	}
	if !(total > 0) {
		return nil, nil, fmt.Errorf("affinities sum to %v", total)
	}
	for e := range P.val {
		P.val[e] /= total
	}
	return P, t.index, nil
}

// binarySearchPerplexity replaces the squared distances in row by
// conditional probabilities exp(-β d)/Σ whose entropy is log(perplexity),
// with scikit-learn's bisection on β (100 steps, tolerance 1e-5).
func binarySearchPerplexity(row []float64, perplexity float64) {
	const steps, tol = 100, 1e-5
	want := math.Log(perplexity)
	dmin := slices.Min(row)
	beta, lo, hi := 1.0, math.Inf(-1), math.Inf(1)
	p := make([]float64, len(row))
	for s := 0; s < steps; s++ {
		var sum float64
		for j, v := range row {
			p[j] = math.Exp(-(v - dmin) * beta)
			sum += p[j]
		}
		var sd float64
		for j, v := range row {
			p[j] /= sum
			sd += (v - dmin) * p[j]
		}
		h := math.Log(sum) + beta*sd
		diff := h - want
		if math.Abs(diff) <= tol {
			break
		}
		if diff > 0 {
			lo = beta
			if math.IsInf(hi, 1) {
				beta *= 2
			} else {
				beta = (beta + hi) / 2
			}
		} else {
			hi = beta
			if math.IsInf(lo, -1) {
				beta /= 2
			} else {
				beta = (beta + lo) / 2
			}
		}
	}
	copy(row, p)
}

// tsneGrad computes Barnes-Hut t-SNE gradients.
type tsneGrad struct {
	P      *csr
	n      int
	theta2 float64
	w      int
	tree   quadTree
	grad   []float64
	zPt    []float64
	zPart  []float64
	klPart []float64
}

const tsneChunk = 256

func newTSNEGrad(P *csr, n int, theta float64, w int) *tsneGrad {
	nc := (n + tsneChunk - 1) / tsneChunk
	return &tsneGrad{P: P, n: n, theta2: theta * theta, w: w,
		grad: make([]float64, 2*n), zPt: make([]float64, n), zPart: make([]float64, nc), klPart: make([]float64, nc)}
}

// gradient fills g.grad with the gradient of KL(exag·P‖Q) at y and
// returns the divergence estimated with the Barnes-Hut normalisation when
// wantKL is set.
func (g *tsneGrad) gradient(y []float64, exag float64, wantKL bool) float64 {
	n := g.n
	t := &g.tree
	t.build(y)
	// Repulsion by groups of nearby points sharing an interaction list.
	parallelChunks(len(t.groups), 8, g.w, func(_, lo, hi int) {
		var il interactions
		for _, gr := range t.groups[lo:hi] {
			t.groupList(gr, g.theta2, &il)
			nd := &t.nodes[gr]
			for p := nd.lo; p < nd.hi; p++ {
				fx, fy, z := il.repulsion(t.x[p], t.y[p])
				i := t.order[p]
				g.grad[2*i], g.grad[2*i+1] = fx, fy
				g.zPt[p] = z
			}
		}
	})
	var Z float64
	for _, v := range g.zPt {
		Z += v
	}
	P := g.P
	parallelChunks(n, tsneChunk, g.w, func(c, lo, hi int) {
		var kl float64
		for i := lo; i < hi; i++ {
			ax, ay := g.attraction(y, i)
			g.grad[2*i] = 4 * (exag*ax - g.grad[2*i]/Z)
			g.grad[2*i+1] = 4 * (exag*ay - g.grad[2*i+1]/Z)
			if wantKL {
				yx, yy := y[2*i], y[2*i+1]
				for e := P.ptr[i]; e < P.ptr[i+1]; e++ {
					j := P.col[e]
					dx, dy := yx-y[2*j], yy-y[2*j+1]
					q := 1 / (1 + dx*dx + dy*dy)
					pij := exag * P.val[e]
					kl += pij * math.Log(max(pij, 1e-300)/max(q/Z, 1e-300))
				}
			}
		}
		g.klPart[c] = kl
	})
	var kl float64
	for _, v := range g.klPart {
		kl += v
	}
	return kl
}

// descend runs scikit-learn's _gradient_descent for iterations
// [it, nIter) and returns the last iteration run.
func (g *tsneGrad) descend(y []float64, it, nIter int, momentum, exag, lr float64, noProgress int) int {
	const checkEvery, minGain, minGradNorm = 50, 0.01, 1e-7
	update := make([]float64, len(y))
	gains := make([]float64, len(y))
	for i := range gains {
		gains[i] = 1
	}
	bestErr, bestIter := math.Inf(1), it
	i := it
	for ; i < nIter; i++ {
		check := (i+1)%checkEvery == 0
		kl := g.gradient(y, exag, check || i == nIter-1)
		var norm float64
		for c, gr := range g.grad {
			if update[c]*gr < 0 {
				gains[c] += 0.2
			} else {
				gains[c] *= 0.8
			}
			gains[c] = max(gains[c], minGain)
			gr *= gains[c]
			norm += gr * gr
			update[c] = momentum*update[c] - lr*gr
			y[c] += update[c]
		}
		if check {
			if kl < bestErr {
				bestErr, bestIter = kl, i
			} else if i-bestIter > noProgress {
				break
			}
			if math.Sqrt(norm) <= minGradNorm {
				break
			}
		}
	}
	return min(i, nIter-1)
}

// exactKL returns KL(P‖Q) over the non-zero entries of P, with Q's
// normalisation summed exactly over all pairs.
func exactKL(P *csr, y []float64, n, w int) float64 {
	const chunk = 64
	nc := (n + chunk - 1) / chunk
	zp := make([]float64, nc)
	parallelChunks(n, chunk, w, func(c, lo, hi int) {
		var z float64
		for i := lo; i < hi; i++ {
			yx, yy := y[2*i], y[2*i+1]
			for j := i + 1; j < n; j++ {
				dx, dy := yx-y[2*j], yy-y[2*j+1]
				z += 1 / (1 + dx*dx + dy*dy)
			}
		}
		zp[c] = z
	})
	var Z float64
	for _, v := range zp {
		Z += v
	}
	Z *= 2
	var kl float64
	for i := 0; i < n; i++ {
		for e := P.ptr[i]; e < P.ptr[i+1]; e++ {
			j := P.col[e]
			p := P.val[e]
			if p <= 0 {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			q := 1 / (1 + dx*dx + dy*dy) / Z
			kl += p * math.Log(p/q)
		}
	}
	return kl
}

// attraction returns Σ_j p_ij q_ij (y_i - y_j) over row i of P.
func (g *tsneGrad) attraction(y []float64, i int) (ax, ay float64) {
	P := g.P
	cols := P.col[P.ptr[i]:P.ptr[i+1]]
	vals := P.val[P.ptr[i]:P.ptr[i+1]]
	vals = vals[:len(cols)]
	yx, yy := y[2*i], y[2*i+1]
	var ax1, ay1 float64
	e := 0
	// Two entries per step sharing one division: 1/a = b/(ab).
	for ; e+2 <= len(cols); e += 2 {
		j0, j1 := int(cols[e]), int(cols[e+1])
		dx0, dy0 := yx-y[2*j0], yy-y[2*j0+1]
		dx1, dy1 := yx-y[2*j1], yy-y[2*j1+1]
		a0 := 1 + dx0*dx0 + dy0*dy0
		a1 := 1 + dx1*dx1 + dy1*dy1
		inv := 1 / (a0 * a1)
		m0, m1 := vals[e]*a1*inv, vals[e+1]*a0*inv
		ax += m0 * dx0
		ay += m0 * dy0
		ax1 += m1 * dx1
		ay1 += m1 * dy1
	}
	for ; e < len(cols); e++ {
		j := int(cols[e])
		dx, dy := yx-y[2*j], yy-y[2*j+1]
		m := vals[e] / (1 + dx*dx + dy*dy)
		ax += m * dx
		ay += m * dy
	}
	return ax + ax1, ay + ay1
}
