package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// SubclassOptions configures DiscoverSubclasses. Zero fields take the
// defaults noted.
type SubclassOptions struct {
	MaxK            int // largest number of sub-classes per label; default 4
	B               int // Gaussian reference sets for the gap test; default 20
	NInit           int // k-means restarts; default 10
	Representatives int // rows reported per sub-class, nearest the centre first; default 8
	// Shrink is the shrinkage ε of the standardisation applied before the
	// final k-means: within the label, column j is centred and divided by
	// √(σ_j² + ε·σ̄²), σ̄² the mean column variance; default 0.01.
	Shrink float64
	// Raw skips the standardisation: the final k-means runs on the rows as
	// given.
	Raw     bool
	Seed    uint64 // seed of k-means and of the reference sets
	Workers int    // goroutines; default GOMAXPROCS
}

func (o *SubclassOptions) defaults() {
	if o.MaxK == 0 {
		o.MaxK = 4
	}
	if o.B == 0 {
		o.B = 20
	}
	if o.NInit == 0 {
		o.NInit = 10
	}
	if o.Representatives == 0 {
		o.Representatives = 8
	}
	if o.Shrink == 0 {
		o.Shrink = 0.01
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

// LabelSubclasses holds the sub-classes found in the rows of one label and
// the statistics used to choose their number.
type LabelSubclasses struct {
	Label int
	Rows  int // number of rows with the label
	K     int // number of sub-classes chosen
	// Gap and GapSE hold the gap statistic and its standard error (with the
	// √(1+1/B) factor) for k = 1 and k = 2 (indices 0 and 1).
	Gap, GapSE [2]float64
	// Silhouette[k] is the mean silhouette of the k-means partition of the
	// rows into k clusters, for 2 ≤ k ≤ MaxK; it is NaN elsewhere and when
	// the gap test chose a single sub-class.
	Silhouette []float64
	Subclasses []Subclass
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
}

// DiscoverSubclasses looks for sub-classes inside the rows of x sharing
// each label. For every label it decides between one and several clusters
// with the gap statistic of Tibshirani, Walther and Hastie (2001) against a
// Gaussian reference with the rows' mean and covariance (B sets): there is
// a single sub-class when Gap(1) ≥ Gap(2) − s(2), i.e. when 2-means
// explains the rows no better than it explains one elliptical blob of the
// same shape. Otherwise the number k in [2, MaxK] maximising the mean
// silhouette of the k-means partition of the rows is chosen. The
// sub-classes are then found by k-means with k clusters on the label's rows
// standardised column by column (with shrinkage, see Shrink), so that
// features varying little within the label weigh as much as the others;
// set Raw to use the rows as given. All k-means runs use k-means++ with
// NInit restarts.
//
// These choices were made by measurement on encodings of Fashion-MNIST
// grouped into 5 labels: a uniform reference (the original gap statistic)
// finds structure everywhere in 32 dimensions, and a Gaussian mixture with
// BIC always prefers the largest k, while the Gaussian-reference test
// separates single from multiple sub-classes and the silhouette then finds
// the right k; standardising raised the agreement of the partition with the
// hidden classes (ARI) from 0.79–0.80 to 0.85, stably across seeds, where
// PCA whitening gave 0.80–0.87 depending on the k-means start. On a
// 100-unit encoding of a larger network, whose Dress and Coat encodings
// overlap, the silhouette chose 2 rather than 3 sub-classes for their label.
//
// classes, if not nil, holds a finer class per row (for example the
// original classes); sub-classes then report class counts and purity, and
// the result scores the flat partition against them.
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
	case opt.B < 2:
		return nil, fmt.Errorf("subclasses: B=%d must be at least 2", opt.B)
	case opt.NInit < 1:
		return nil, fmt.Errorf("subclasses: NInit=%d must be positive", opt.NInit)
	case opt.Representatives < 0:
		return nil, fmt.Errorf("subclasses: Representatives=%d must not be negative", opt.Representatives)
	case !(opt.Shrink > 0) || math.IsInf(opt.Shrink, 0):
		return nil, fmt.Errorf("subclasses: Shrink=%v must be positive", opt.Shrink)
	}
	vals, idx := distinct(labels)
	rows := make([][]int, len(vals))
	for i, l := range idx {
		rows[l] = append(rows[l], i)
	}
	res := &SubclassResult{Partition: make([]int, n), ClassARI: math.NaN(), ClassNMI: math.NaN()}
	id := 0
	for li, l := range vals {
		ls, err := subclassesOf(data, d, rows[li], classes, opt, uint64(li))
		if err != nil {
			return nil, fmt.Errorf("subclasses: label %d: %w", l, err)
		}
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

// subclassesOf clusters the given rows of data.
func subclassesOf(data []float64, d int, rows, classes []int, opt SubclassOptions, stream uint64) (*LabelSubclasses, error) {
	m := len(rows)
	sub := make([]float64, m*d)
	for i, r := range rows {
		copy(sub[i*d:(i+1)*d], data[r*d:(r+1)*d])
	}
	x := mat.NewDense(m, d, sub)
	ls := &LabelSubclasses{Rows: m, K: 1, Silhouette: make([]float64, opt.MaxK+1)}
	for k := range ls.Silhouette {
		ls.Silhouette[k] = math.NaN()
	}
	ls.Gap = [2]float64{math.NaN(), math.NaN()}
	ls.GapSE = ls.Gap
	seed := opt.Seed ^ (stream+1)*0x9e3779b97f4a7c15
	kmOpt := KMeansOptions{NInit: opt.NInit, Seed: seed, Workers: opt.Workers}

	assign := make([]int, m) // single sub-class by default
	maxK := min(opt.MaxK, m-1)
	if maxK >= 2 {
		gap, se, err := gaussianGap(sub, m, d, opt.B, kmOpt)
		if err != nil {
			return nil, err
		}
		ls.Gap, ls.GapSE = gap, se
		if gap[0] < gap[1]-se[1] {
			best := math.Inf(-1)
			for k := 2; k <= maxK; k++ {
				kmOpt.K = k
				km, err := KMeans(x, kmOpt)
				if err != nil {
					return nil, err
				}
				s, err := Silhouette(x, km.Labels)
				if err != nil {
					// Fewer distinct clusters than k: not a candidate.
					continue
				}
				ls.Silhouette[k] = s
				if s > best {
					best, ls.K = s, k
					copy(assign, km.Labels)
				}
			}
			if !opt.Raw && ls.K > 1 {
				w := standardise(sub, m, d, opt.Shrink)
				kmOpt.K = ls.K
				km, err := KMeans(mat.NewDense(m, d, w), kmOpt)
				if err != nil {
					return nil, err
				}
				copy(assign, km.Labels)
			}
		}
	}
	ls.Subclasses = describeSubclasses(sub, d, rows, assign, ls.K, classes, opt.Representatives)
	return ls, nil
}

// gaussianGap returns the gap statistic and its standard error for k = 1
// and 2, the reference sets being drawn from the Gaussian with the mean and
// covariance of the m×d rows.
func gaussianGap(sub []float64, m, d, B int, kmOpt KMeansOptions) (gap, se [2]float64, err error) {
	logW := func(y []float64) ([2]float64, error) {
		var w [2]float64
		mean := make([]float64, d)
		for i := 0; i < m; i++ {
			for j, v := range y[i*d : (i+1)*d] {
				mean[j] += v
			}
		}
		for j := range mean {
			mean[j] /= float64(m)
		}
		for i := 0; i < m; i++ {
			w[0] += sqDist(y[i*d:(i+1)*d], mean)
		}
		kmOpt.K = 2
		km, err := KMeans(mat.NewDense(m, d, y), kmOpt)
		if err != nil {
			return w, err
		}
		w[1] = km.Inertia
		for k := range w {
			w[k] = math.Log(max(w[k], math.SmallestNonzeroFloat64))
		}
		return w, nil
	}
	obs, err := logW(sub)
	if err != nil {
		return gap, se, err
	}
	mean, _, vals, vecs, _, err := principalAxes(sub, m, d)
	if err != nil {
		return gap, se, err
	}
	sd := make([]float64, d)
	for j, v := range vals {
		sd[j] = math.Sqrt(v)
	}
	rng := rand.New(rand.NewPCG(kmOpt.Seed, 0x6a9))
	ref := make([]float64, m*d)
	z := make([]float64, d)
	var sum, sum2 [2]float64
	for b := 0; b < B; b++ {
		for i := 0; i < m; i++ {
			for j := range z {
				z[j] = rng.NormFloat64() * sd[j]
			}
			row := ref[i*d : (i+1)*d]
			for r := 0; r < d; r++ {
				s := mean[r]
				for c, zc := range z {
					s += vecs[r*d+c] * zc
				}
				row[r] = s
			}
		}
		kmOpt.Seed++
		w, err := logW(ref)
		if err != nil {
			return gap, se, err
		}
		for k := range w {
			sum[k] += w[k]
			sum2[k] += w[k] * w[k]
		}
	}
	for k := range gap {
		mu := sum[k] / float64(B)
		gap[k] = mu - obs[k]
		v := max(sum2[k]/float64(B)-mu*mu, 0)
		se[k] = math.Sqrt(v) * math.Sqrt(1+1/float64(B))
	}
	return gap, se, nil
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

// standardise returns the m×d rows with column j centred and divided by
// √(σ_j² + shrink·σ̄²).
func standardise(sub []float64, m, d int, shrink float64) []float64 {
	mean := make([]float64, d)
	vr := make([]float64, d)
	for i := 0; i < m; i++ {
		for j, v := range sub[i*d : (i+1)*d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(m)
	}
	var avg float64
	for i := 0; i < m; i++ {
		for j, v := range sub[i*d : (i+1)*d] {
			e := v - mean[j]
			vr[j] += e * e
		}
	}
	for j := range vr {
		vr[j] /= float64(m)
		avg += vr[j] / float64(d)
	}
	scale := make([]float64, d)
	for j, v := range vr {
		if s := v + shrink*avg; s > 0 {
			scale[j] = 1 / math.Sqrt(s)
		}
	}
	out := make([]float64, m*d)
	for i := 0; i < m; i++ {
		for j, v := range sub[i*d : (i+1)*d] {
			out[i*d+j] = (v - mean[j]) * scale[j]
		}
	}
	return out
}
