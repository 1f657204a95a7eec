package cluster

import (
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"
)

// SubclassOptions configures DiscoverSubclasses. Zero fields take the
// defaults noted.
type SubclassOptions struct {
	MaxK int // largest number of sub-classes per label; default 4
	// Alpha is the level of the dip tests of unimodality: a cluster is
	// split when, in most of Halvings random halvings of its rows, both
	// halves reject unimodality at this level. It must lie in
	// [0.001, 0.5]; default 0.01.
	Alpha float64
	// Halvings is the number of random halvings of each cluster tested;
	// default 3.
	Halvings int
	// Variance is the fraction of a label's variance kept by the principal
	// components the sub-classes are sought in, in (0, 1]; default 0.95.
	Variance float64
	// MaxDims, if positive, caps the number of principal components kept.
	MaxDims int
	// Evidence, if not nil, holds per row of x (n rows) how the network
	// scores it, for example the log-probabilities of the labels it was
	// trained on. Clusters found by the tests are then merged, the least
	// separated pair first, while the evidence separation (see
	// LabelSubclasses.Separation) of some pair is below MergeBelow, but
	// for pairs KeepApart keeps apart.
	Evidence *mat.Dense
	// MergeBelow is the evidence separation, in (0, 1], under which two
	// clusters are merged; default 0.6.
	MergeBelow float64
	// KeepApart, in (0, 0.25], keeps two clusters apart whatever their
	// evidence when their rows form two clear modes: when the dip statistic
	// of their rows projected onto the Fisher discriminant of the pair is at
	// least KeepApart and each has at least as many rows as a cluster
	// needs to be tested (below that, a direction fitted to the rows it
	// projects makes even one mode look like two). Default 0.075.
	KeepApart float64
	// Bootstrap is the number of bootstrap resamples of each label's rows
	// on which the search is repeated to measure its stability (see
	// Stability); 0 skips it.
	Bootstrap       int
	NInit           int // k-means restarts of the mixture initialisations; default 3
	Representatives int // rows reported per sub-class, nearest the centre first; default 8
	Seed            uint64
	Workers         int // goroutines; default GOMAXPROCS
}

func (o *SubclassOptions) defaults() {
	if o.MaxK == 0 {
		o.MaxK = 4
	}
	if o.Alpha == 0 {
		o.Alpha = 0.01
	}
	if o.Halvings == 0 {
		o.Halvings = 3
	}
	if o.Variance == 0 {
		o.Variance = 0.95
	}
	if o.MergeBelow == 0 {
		o.MergeBelow = 0.6
	}
	if o.KeepApart == 0 {
		o.KeepApart = 0.075
	}
	if o.NInit == 0 {
		o.NInit = 3
	}
	if o.Representatives == 0 {
		o.Representatives = 8
	}
}

// ClassCount is the number of rows of one class.
type ClassCount struct {
	Class, Count int
}

// Subclass is a cluster found inside the rows of one label.
type Subclass struct {
	Label int // the label whose rows were clustered
	Index int // position among the label's sub-classes, largest first
	ID    int // value in SubclassResult.Partition
	// Members holds the rows of x in the sub-class, in increasing order.
	Members []int
	// Representatives holds the rows closest to the centroid, nearest first.
	Representatives []int
	Centroid        []float64
	// Classes counts the rows of each class, most frequent first; it is
	// nil when no classes were given.
	Classes []ClassCount
	// Purity is the fraction of Members in the most frequent class (NaN
	// without classes).
	Purity float64
}

// SplitTest is the test of unimodality of one cluster of a label's rows
// (see DiscoverSubclasses). Its rows are halved at random Halvings times;
// in each halving a two-component Gaussian mixture is fitted to each half,
// and the rows of the other half are projected onto its discriminant
// direction and given the dip test.
type SplitTest struct {
	Rows int // rows in the cluster tested
	// Dip holds Hartigan's dip statistic of each projected half, two per
	// halving, and P its p-value against the uniform distribution, the
	// least favourable unimodal one, from the distribution of √n·dip for
	// large n (clamped to [0.0005, 1]).
	Dip, P []float64
	// PValue is the median over the halvings (the upper one for an even
	// number) of the larger p-value of the two halves.
	PValue float64
	// Reject reports that PValue is below Alpha: the cluster is not
	// unimodal. Rejected clusters are split, the smallest PValue first,
	// while there are fewer than MaxK clusters.
	Reject bool
}

// LabelSubclasses holds the sub-classes found in the rows of one label and
// the tests used to choose their number.
type LabelSubclasses struct {
	Label int
	Rows  int // number of rows with the label
	K     int // number of sub-classes chosen
	// Dims is the number of principal components of the label's rows the
	// sub-classes were sought in.
	Dims int
	// Tests lists the dip tests run, in order; a label too small to test
	// has none.
	Tests []SplitTest
	// Found is the number of clusters the tests found, before merging;
	// Found − K of them were merged by evidence.
	Found int
	// KeptApart counts the pairs of sub-classes the evidence alone would
	// have merged (separation below MergeBelow) that stay apart as two
	// clear modes (see KeepApart).
	KeptApart int
	// Separation is the smallest evidence separation between two of the
	// sub-classes: the largest over the evidence columns of |2·AUC − 1|,
	// AUC the chance that a row of one scores higher than a row of the
	// other. NaN with k = 1 or without evidence.
	Separation float64
	// Stability is nil unless SubclassOptions.Bootstrap is positive.
	Stability  *Stability
	Subclasses []Subclass
}

// Stability says how often the search finds the same sub-classes again on
// bootstrap resamples of a label's rows.
type Stability struct {
	Resamples int
	// SameK counts the resamples in which the same number of sub-classes
	// was found.
	SameK int
	// Agreement is the median over the resamples of the adjusted Rand
	// index between the sub-classes found on the resample and the reported
	// ones, on the resampled rows (1: the same split every time).
	Agreement float64
}

// SubclassResult holds the sub-classes of every label.
type SubclassResult struct {
	Labels []LabelSubclasses // by increasing label
	// Partition gives each row the ID of its sub-class: a flat labelling
	// of the (label, sub-class) pairs.
	Partition []int
	// ClassARI and ClassNMI score Partition against the classes (NaN
	// when no classes were given).
	ClassARI, ClassNMI float64
	// StabilitySeconds is the time spent on the bootstrap resamples.
	StabilitySeconds float64
}

// DiscoverSubclasses looks for sub-classes inside the rows of x sharing
// each label, choosing their number k in [1, MaxK] by held-out dip tests of
// unimodality on Gaussian-mixture discriminant directions (see SplitTest),
// splitting top down, so that a label holding a single group gets k = 1.
// With Evidence, clusters the network scores alike are merged afterwards,
// unless their rows form two clear modes (KeepApart).
// The package documentation describes the method and why it was chosen.
//
// classes, if not nil, holds a finer class per row (for example the
// original classes); sub-classes then report class counts and purity, and
// the result scores the flat partition against them. They never steer the
// search.
func DiscoverSubclasses(x *mat.Dense, labels, classes []int, opt SubclassOptions) (*SubclassResult, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return nil, fmt.Errorf("subclasses: %w", err)
	}
	if err := checkLabels(labels, n, "subclasses"); err != nil {
		return nil, err
	}
	if classes != nil {
		if err := checkLabels(classes, n, "subclasses classes"); err != nil {
			return nil, err
		}
	}
	opt.defaults()
	switch {
	case opt.MaxK < 1:
		return nil, fmt.Errorf("subclasses: MaxK=%d must be positive", opt.MaxK)
	case !(opt.Alpha >= 0.001 && opt.Alpha <= 0.5):
		return nil, fmt.Errorf("subclasses: Alpha=%v must lie in [0.001, 0.5]", opt.Alpha)
	case !(opt.Variance > 0 && opt.Variance <= 1):
		return nil, fmt.Errorf("subclasses: Variance=%v must lie in (0, 1]", opt.Variance)
	case opt.Halvings < 1:
		return nil, fmt.Errorf("subclasses: Halvings=%d must be positive", opt.Halvings)
	case opt.NInit < 1:
		return nil, fmt.Errorf("subclasses: NInit=%d must be positive", opt.NInit)
	case opt.Representatives < 0:
		return nil, fmt.Errorf("subclasses: Representatives=%d must not be negative", opt.Representatives)
	case opt.MaxDims < 0:
		return nil, fmt.Errorf("subclasses: MaxDims=%d must not be negative", opt.MaxDims)
	case !(opt.MergeBelow > 0 && opt.MergeBelow <= 1):
		return nil, fmt.Errorf("subclasses: MergeBelow=%v must lie in (0, 1]", opt.MergeBelow)
	case !(opt.KeepApart > 0 && opt.KeepApart <= 0.25):
		return nil, fmt.Errorf("subclasses: KeepApart=%v must lie in (0, 0.25]", opt.KeepApart)
	case opt.Bootstrap < 0:
		return nil, fmt.Errorf("subclasses: Bootstrap=%d must not be negative", opt.Bootstrap)
	}
	var ev []float64
	var e int
	if opt.Evidence != nil {
		var en int
		if ev, en, e, err = rowMajor(opt.Evidence); err != nil {
			return nil, fmt.Errorf("subclasses: evidence: %w", err)
		}
		if en != n {
			return nil, fmt.Errorf("subclasses: evidence has %d rows, want %d", en, n)
		}
	}
	vals, idx := distinct(labels)
	rows := make([][]int, len(vals))
	for i, l := range idx {
		rows[l] = append(rows[l], i)
	}
	// The labels are searched in parallel, the largest first, each by its
	// share of the workers (one when there are fewer workers than labels):
	// the EM and k-means of one label are too small to share out well.
	// Each label has its own random streams, so the result does not depend
	// on the number of workers.
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(rows[b]) - len(rows[a]) })
	work := make([]*labelSearch, len(vals))
	errs := make([]error, len(vals))
	inner := opt
	inner.Workers = max(1, workers(opt.Workers)/len(vals))
	parallelChunks(len(vals), 1, opt.Workers, func(_, lo, hi int) {
		for _, li := range order[lo:hi] {
			work[li], errs[li] = subclassesOf(data, d, rows[li], classes, evidenceOf(ev, e, rows[li]), e, inner, uint64(li))
		}
	})
	for li, l := range vals {
		if errs[li] != nil {
			return nil, fmt.Errorf("subclasses: label %d: %w", l, errs[li])
		}
	}
	res := &SubclassResult{Partition: make([]int, n), ClassARI: math.NaN(), ClassNMI: math.NaN()}
	if opt.Bootstrap > 0 {
		t0 := time.Now()
		for li, l := range vals {
			if err := work[li].stability(opt, uint64(li)); err != nil {
				return nil, fmt.Errorf("subclasses: label %d: stability: %w", l, err)
			}
		}
		res.StabilitySeconds = time.Since(t0).Seconds()
	}
	id := 0
	for li, l := range vals {
		ls := work[li].ls
		ls.Label = l
		for s := range ls.Subclasses {
			sc := &ls.Subclasses[s]
			sc.Label, sc.ID = l, id
			for _, r := range sc.Members {
				res.Partition[r] = id
			}
			id++
		}
		res.Labels = append(res.Labels, *ls)
	}
	if classes != nil {
		if res.ClassARI, err = AdjustedRandIndex(classes, res.Partition); err != nil {
			return nil, fmt.Errorf("subclasses: %w", err)
		}
		if res.ClassNMI, err = NMI(classes, res.Partition); err != nil {
			return nil, fmt.Errorf("subclasses: %w", err)
		}
	}
	return res, nil
}

// evidenceOf returns the evidence rows of the given rows (nil without
// evidence).
func evidenceOf(ev []float64, e int, rows []int) []float64 {
	if ev == nil {
		return nil
	}
	out := make([]float64, len(rows)*e)
	for i, r := range rows {
		copy(out[i*e:(i+1)*e], ev[r*e:(r+1)*e])
	}
	return out
}

// labelSearch is the search for the sub-classes of one label: its result,
// and what the bootstrap stability repeats it on.
type labelSearch struct {
	ls     *LabelSubclasses
	y      []float64 // the label's rows on their q principal components
	q      int
	ev     []float64 // their evidence (e columns) or nil
	e      int
	assign []int // sub-class of each row
}

// subclassesOf clusters the given rows of data; ev holds their evidence
// (e columns) or is nil.
func subclassesOf(data []float64, d int, rows, classes []int, ev []float64, e int, opt SubclassOptions, stream uint64) (*labelSearch, error) {
	m := len(rows)
	sub := make([]float64, m*d)
	for i, r := range rows {
		copy(sub[i*d:(i+1)*d], data[r*d:(r+1)*d])
	}
	ls := &LabelSubclasses{Rows: m, K: 1, Found: 1, Separation: math.NaN()}
	w := &labelSearch{ls: ls, ev: ev, e: e, assign: make([]int, m)} // single sub-class by default
	y, q, err := principalCoords(sub, m, d, opt.Variance, opt.MaxDims)
	if err != nil {
		return nil, err
	}
	ls.Dims, w.y, w.q = q, y, q
	if q > 0 && opt.MaxK > 1 {
		s := newSplitter(y, q, opt, stream)
		clusters, sep, err := s.search(m, ev, e)
		if err != nil {
			return nil, err
		}
		ls.Tests, ls.Found, ls.Separation, ls.KeptApart = s.tests, s.found, sep, s.keptApart
		ls.K = len(clusters)
		for c, idx := range clusters {
			for _, i := range idx {
				w.assign[i] = c
			}
		}
	}
	ls.Subclasses = describeSubclasses(sub, d, rows, w.assign, ls.K, classes, opt.Representatives)
	return w, nil
}

// stability measures the stability of the search (see Stability); labels
// too small or too flat to search have none.
func (w *labelSearch) stability(opt SubclassOptions, stream uint64) error {
	if w.q == 0 || opt.MaxK < 2 {
		return nil
	}
	st, err := stability(w.y, w.q, w.ev, w.e, w.assign, w.ls.K, opt, stream)
	w.ls.Stability = st
	return err
}

// principalCoords returns the coordinates of the m×d rows on their
// principal components, as many as needed to keep the fraction frac of the
// variance; components without variance are never kept, so q is 0 when
// all rows are equal.
func principalCoords(sub []float64, m, d int, frac float64, maxDims int) (y []float64, q int, err error) {
	if m < 2 {
		return nil, 0, nil
	}
	_, xc, vals, vecs, total, err := principalAxes(sub, m, d)
	if err != nil {
		return nil, 0, err
	}
	var acc float64
	for q < d && (maxDims == 0 || q < maxDims) && acc < frac*total && vals[q] > 1e-12*total {
		acc += vals[q]
		q++
	}
	y = make([]float64, m*q)
	for i := 0; i < m; i++ {
		row := xc[i*d : (i+1)*d]
		for c := 0; c < q; c++ {
			var s float64
			for j, v := range row {
				s += v * vecs[j*d+c]
			}
			y[i*q+c] = s
		}
	}
	return y, q, nil
}

// describeSubclasses builds the sub-classes of the m×d rows sub (rows of x
// listed in rows) from their assignment to k clusters.
func describeSubclasses(sub []float64, d int, rows, assign []int, k int, classes []int, reps int) []Subclass {
	out := make([]Subclass, k)
	for i, a := range assign {
		out[a].Members = append(out[a].Members, i) // local indices for now
	}
	for c := range out {
		sc := &out[c]
		sc.Centroid = make([]float64, d)
		for _, i := range sc.Members {
			for j, v := range sub[i*d : (i+1)*d] {
				sc.Centroid[j] += v
			}
		}
		for j := range sc.Centroid {
			sc.Centroid[j] /= float64(max(len(sc.Members), 1))
		}
		near := slices.Clone(sc.Members)
		dist := make([]float64, len(sub)/d)
		for _, i := range near {
			dist[i] = sqDist(sub[i*d:(i+1)*d], sc.Centroid)
		}
		slices.SortStableFunc(near, func(a, b int) int {
			switch {
			case dist[a] < dist[b]:
				return -1
			case dist[a] > dist[b]:
				return 1
			}
			return a - b
		})
		near = near[:min(reps, len(near))]
		for t, i := range near {
			near[t] = rows[i]
		}
		sc.Representatives = near
		for t, i := range sc.Members {
			sc.Members[t] = rows[i]
		}
		sc.Purity = math.NaN()
		if classes != nil && len(sc.Members) > 0 {
			counts := map[int]int{}
			for _, r := range sc.Members {
				counts[classes[r]]++
			}
			for cl, cnt := range counts {
				sc.Classes = append(sc.Classes, ClassCount{Class: cl, Count: cnt})
			}
			slices.SortFunc(sc.Classes, func(a, b ClassCount) int {
				if a.Count != b.Count {
					return b.Count - a.Count
				}
				return a.Class - b.Class
			})
			sc.Purity = float64(sc.Classes[0].Count) / float64(len(sc.Members))
		}
	}
	// Largest first; ties by first member.
	slices.SortStableFunc(out, func(a, b Subclass) int {
		if len(a.Members) != len(b.Members) {
			return len(b.Members) - len(a.Members)
		}
		if len(a.Members) == 0 {
			return 0
		}
		return a.Members[0] - b.Members[0]
	})
	for c := range out {
		out[c].Index = c
	}
	return out
}
