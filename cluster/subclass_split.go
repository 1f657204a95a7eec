package cluster

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// splitter runs the top-down search for sub-classes in the m×q rows y.
type splitter struct {
	y     []float64
	q     int
	opt   SubclassOptions
	rng   *rand.Rand
	tests []SplitTest
	seed  uint64 // base seed of the k-means runs
	runs  uint64 // k-means runs started
	found int    // clusters found by the tests, before merging
	// keptApart counts the pairs left that the evidence alone would merge.
	keptApart int
}

// newSplitter returns a splitter of the m×q rows y; stream tells the labels
// apart in the random streams.
func newSplitter(y []float64, q int, opt SubclassOptions, stream uint64) *splitter {
	return &splitter{y: y, q: q, opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, stream)),
		seed: opt.Seed ^ (stream+1)*0x9e3779b97f4a7c15}
}

// search returns the sub-classes of the m rows (local indices): the
// clusters bisect finds, merged by evidence when ev (e columns per row) is
// not nil (see merger), and the smallest evidence separation left between
// two of them.
func (s *splitter) search(m int, ev []float64, e int) ([][]int, float64, error) {
	clusters, err := s.bisect(m)
	if err != nil {
		return nil, 0, err
	}
	s.found = len(clusters)
	if ev == nil {
		return clusters, math.NaN(), nil
	}
	mg := &merger{ev: ev, e: e, tau: s.opt.MergeBelow, apart: s.opt.KeepApart,
		dip: func(a, b []int) float64 {
			if min(len(a), len(b)) < s.minRows() {
				return 0 // too few rows to tell two modes from one (see KeepApart)
			}
			return modeDip(s.y, s.q, a, b)
		}}
	var sep float64
	clusters, sep, s.keptApart = mg.merge(clusters)
	return clusters, sep, nil
}

// minRows is the size of the smallest cluster that is tested.
func (s *splitter) minRows() int { return max(40, 4*(s.q+1)) }

// bisect returns the clusters found (local row indices, increasing).
func (s *splitter) bisect(m int) ([][]int, error) {
	all := make([]int, m)
	for i := range all {
		all[i] = i
	}
	clusters := [][]int{all}
	tests := []*SplitTest{nil} // test of each cluster, nil until run
	tested := []bool{false}
	for len(clusters) < s.opt.MaxK {
		best := -1
		for c, idx := range clusters {
			if !tested[c] {
				tested[c] = true
				if len(idx) >= s.minRows() {
					t, err := s.test(idx)
					if err != nil {
						return nil, err
					}
					s.tests = append(s.tests, *t)
					tests[c] = t
				}
			}
			if t := tests[c]; t != nil && t.Reject && (best < 0 || stronger(t, tests[best])) {
				best = c
			}
		}
		if best < 0 {
			break
		}
		idx := clusters[best]
		mix, err := s.fit2(idx)
		if err != nil {
			return nil, err
		}
		var a, b []int
		for i, r := range idx {
			if mix.labels[i] == 0 {
				a = append(a, r)
			} else {
				b = append(b, r)
			}
		}
		if len(a) == 0 || len(b) == 0 {
			tests[best] = nil // cannot be split after all
			continue
		}
		clusters[best], tests[best], tested[best] = a, nil, false
		clusters = append(clusters, b)
		tests = append(tests, nil)
		tested = append(tested, false)
	}
	return clusters, nil
}

// stronger reports whether test a rejects unimodality more strongly than
// b: a smaller p-value, then a larger smallest dip.
func stronger(a, b *SplitTest) bool {
	if a.PValue != b.PValue {
		return a.PValue < b.PValue
	}
	return slices.Min(a.Dip) > slices.Min(b.Dip)
}

// test runs the held-out dip test on the rows idx of s.y.
func (s *splitter) test(idx []int) (*SplitTest, error) {
	t := &SplitTest{Rows: len(idx)}
	q := s.q
	h := len(idx) / 2
	var pr []float64
	for rep := 0; rep < s.opt.Halvings; rep++ {
		perm := s.rng.Perm(len(idx))
		halves := [2][]int{make([]int, h), make([]int, len(idx)-h)}
		for i, p := range perm {
			if i < h {
				halves[0][i] = idx[p]
			} else {
				halves[1][i-h] = idx[p]
			}
		}
		for _, hv := range halves {
			slices.Sort(hv)
		}
		var pmax float64
		for side := range halves {
			mix, err := s.fit2(halves[side])
			if err != nil {
				return nil, err
			}
			other := halves[1-side]
			d, p := 0.0, 1.0 // a degenerate fit is no evidence
			if dv, ok := projectedDip(s.y, q, other, mix.discriminant()); ok {
				d, p = dv, dipPValue(dv, len(other))
			}
			t.Dip = append(t.Dip, d)
			t.P = append(t.P, p)
			pmax = max(pmax, p)
		}
		pr = append(pr, pmax)
	}
	// The upper median over the halvings of the larger p-value of the
	// two halves.
	slices.Sort(pr)
	t.PValue = pr[len(pr)/2]
	t.Reject = t.PValue < s.opt.Alpha
	return t, nil
}

// gather returns the rows idx of s.y as a contiguous n×q slice.
func (s *splitter) gather(idx []int) []float64 { return gatherRows(s.y, s.q, idx) }

// gatherRows returns the rows idx of the row-major m×q y as a contiguous
// n×q slice.
func gatherRows(y []float64, q int, idx []int) []float64 {
	out := make([]float64, len(idx)*q)
	for i, r := range idx {
		copy(out[i*q:(i+1)*q], y[r*q:(r+1)*q])
	}
	return out
}

// projectedDip returns the dip statistic of the rows idx of the row-major
// y (q columns) projected onto w; false when a projection is not finite (a
// degenerate direction).
func projectedDip(y []float64, q int, idx []int, w []float64) (float64, bool) {
	proj := make([]float64, len(idx))
	for i, r := range idx {
		proj[i] = floats.Dot(y[r*q:(r+1)*q], w)
		if math.IsNaN(proj[i]) || math.IsInf(proj[i], 0) {
			return 0, false
		}
	}
	return dip(proj), true
}

// kmeansLabels runs k-means on the n×q rows z.
func (s *splitter) kmeansLabels(z []float64, n, k int) ([]int, error) {
	s.runs++
	km, err := KMeans(mat.NewDense(n, s.q, z), KMeansOptions{K: k, NInit: s.opt.NInit, Seed: s.seed + s.runs, Workers: s.opt.Workers})
	if err != nil {
		return nil, err
	}
	return km.Labels, nil
}

// fit2 fits a two-component mixture to the rows idx of s.y, the best of
// several starts: k-means, k-means on whitened coordinates, and the sign
// of each of the first whitened principal components.
func (s *splitter) fit2(idx []int) (*mixture, error) {
	n, q := len(idx), s.q
	z := s.gather(idx)
	inits := make([][]int, 0, 6)
	l, err := s.kmeansLabels(z, n, 2)
	if err != nil {
		return nil, err
	}
	inits = append(inits, l)
	zw := whiten(z, n, q)
	if l, err = s.kmeansLabels(zw, n, 2); err != nil {
		return nil, err
	}
	inits = append(inits, l)
	for c := 0; c < min(4, q); c++ {
		l := make([]int, n)
		for i := range l {
			if zw[i*q+c] > 0 {
				l[i] = 1
			}
		}
		inits = append(inits, l)
	}
	return bestMixture(z, n, q, 2, inits, s.opt.Workers), nil
}

// whiten returns the n×q rows z centred, rotated onto their principal axes
// and scaled to unit variance along each (axes without variance are left
// at zero).
func whiten(z []float64, n, q int) []float64 {
	out := make([]float64, n*q)
	if n < 2 {
		return out
	}
	_, xc, vals, vecs, total, err := principalAxes(z, n, q)
	if err != nil {
		return out
	}
	for c := 0; c < q; c++ {
		if vals[c] <= 1e-12*total {
			continue
		}
		inv := 1 / math.Sqrt(vals[c])
		for i := 0; i < n; i++ {
			var v float64
			for j, x := range xc[i*q : (i+1)*q] {
				v += x * vecs[j*q+c]
			}
			out[i*q+c] = v * inv
		}
	}
	return out
}
