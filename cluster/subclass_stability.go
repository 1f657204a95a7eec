package cluster

import (
	"math/rand/v2"
	"slices"
)

// stability repeats the search for sub-classes on opt.Bootstrap bootstrap
// resamples of the m×q rows y (evidence ev, e columns, or nil) and compares
// each result with assign, the k sub-classes reported. The resamples run
// in parallel, each with its own random stream, so the result does not
// depend on the number of workers.
func stability(y []float64, q int, ev []float64, e int, assign []int, k int, opt SubclassOptions, stream uint64) (*Stability, error) {
	m := len(assign)
	b := opt.Bootstrap
	ks := make([]int, b)
	aris := make([]float64, b)
	errs := make([]error, b)
	inner := opt
	inner.Workers = 1
	parallelChunks(b, 1, opt.Workers, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			rng := rand.New(rand.NewPCG(opt.Seed^0x5bd1e995, stream<<16|uint64(r)))
			pick := make([]int, m)
			for i := range pick {
				pick[i] = rng.IntN(m)
			}
			yb := make([]float64, m*q)
			var eb []float64
			if ev != nil {
				eb = make([]float64, m*e)
			}
			orig := make([]int, m)
			for i, p := range pick {
				copy(yb[i*q:(i+1)*q], y[p*q:(p+1)*q])
				if ev != nil {
					copy(eb[i*e:(i+1)*e], ev[p*e:(p+1)*e])
				}
				orig[i] = assign[p]
			}
			// Streams 1<<40 | label<<16 | resample: apart from the labels'
			// own (0, 1, ...).
			s := newSplitter(yb, q, inner, 1<<40|stream<<16|uint64(r))
			clusters, _, err := s.search(m, eb, e)
			if err != nil {
				errs[r] = err
				continue
			}
			got := make([]int, m)
			for c, idx := range clusters {
				for _, i := range idx {
					got[i] = c
				}
			}
			ks[r] = len(clusters)
			if aris[r], err = AdjustedRandIndex(orig, got); err != nil {
				errs[r] = err
			}
		}
	})
	st := &Stability{Resamples: b}
	for r := range b {
		if errs[r] != nil {
			return nil, errs[r]
		}
		if ks[r] == k {
			st.SameK++
		}
	}
	slices.Sort(aris)
	st.Agreement = aris[b/2]
	if b%2 == 0 {
		st.Agreement = (aris[b/2-1] + aris[b/2]) / 2
	}
	return st, nil
}
