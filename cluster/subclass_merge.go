package cluster

import (
	"cmp"
	"math"
	"slices"
)

// evidenceSeparation measures how differently two groups of rows score on
// the columns of the row-major evidence matrix ev (e columns): the largest,
// over the columns, of |2·AUC − 1|, where AUC is the chance that a row of a
// scores higher than a row of b on that column (ties count one half; the
// Mann-Whitney statistic). It is 0 when no column tells the groups apart
// and 1 when one column separates them completely. Being rank-based, it
// ignores the heavy tails of log-probabilities.
func evidenceSeparation(ev []float64, e int, a, b []int) float64 {
	type obs struct {
		v     float64
		fromA bool
	}
	all := make([]obs, 0, len(a)+len(b))
	var best float64
	for j := range e {
		all = all[:0]
		for _, r := range a {
			all = append(all, obs{ev[r*e+j], true})
		}
		for _, r := range b {
			all = append(all, obs{ev[r*e+j], false})
		}
		slices.SortFunc(all, func(x, y obs) int {
			switch {
			case x.v < y.v:
				return -1
			case x.v > y.v:
				return 1
			}
			return 0
		})
		var rankSum float64 // of a's rows, ranks from 1, ties averaged
		for i := 0; i < len(all); {
			k := i
			for k < len(all) && all[k].v == all[i].v {
				k++
			}
			rank := float64(i+k+1) / 2
			for _, o := range all[i:k] {
				if o.fromA {
					rankSum += rank
				}
			}
			i = k
		}
		na, nb := float64(len(a)), float64(len(b))
		auc := (rankSum - na*(na+1)/2) / (na * nb)
		best = max(best, math.Abs(2*auc-1))
	}
	return best
}

// modeDip measures how clearly the rows a and b of the m×q coordinates y
// form two modes: Hartigan's dip statistic of their rows projected onto the
// Fisher discriminant direction of the two groups (their pooled covariance
// with EM's ridge). It lies in [0, 0.25]: near 0 for groups that overlap
// into one mode, larger the more mass would have to move to make the
// projection unimodal. It measures how far apart two real modes are, not
// how sure a test is, so unlike a p-value it does not grow with the number
// of rows. The direction is fitted to the rows it projects, which inflates
// the dip of one mode cut in two when the groups have few rows for their
// q columns (n ≈ q); the splitter only asks about groups big enough to be
// tested.
func modeDip(y []float64, q int, a, b []int) float64 {
	rows := append(slices.Clone(a), b...)
	init := make([]int, len(rows))
	for i := len(a); i < len(rows); i++ {
		init[i] = 1
	}
	run := newEMRun(gatherRows(y, q, rows), len(rows), q, 2, init)
	run.mStep() // the two groups' weights, means and covariances
	d, ok := projectedDip(y, q, rows, run.mix.discriminant())
	if !ok {
		return 0 // a degenerate direction is no evidence of two modes
	}
	return d
}

// merger joins the clusters the network scores alike.
type merger struct {
	ev    []float64 // evidence, e columns per row
	e     int
	tau   float64 // MergeBelow
	apart float64 // KeepApart
	// dip returns the modeDip of two clusters.
	dip func(a, b []int) float64
}

// merge joins, pair by pair, the clusters (row indices into ev) whose
// evidence separation is below tau and whose modeDip is below apart, the
// least separated pair first. It returns the clusters left, the smallest
// evidence separation between two of them (NaN when one is left) and the
// number of pairs left whose separation is below tau: pairs the evidence
// alone would have merged, kept apart as clearly separate modes.
func (mg *merger) merge(clusters [][]int) (out [][]int, sep float64, kept int) {
	clusters = slices.Clone(clusters)
	type pair struct {
		a, b int
		sep  float64
	}
	for {
		if len(clusters) < 2 {
			return clusters, math.NaN(), 0
		}
		var pairs []pair
		sep = math.Inf(1)
		for a := range clusters {
			for b := a + 1; b < len(clusters); b++ {
				s := evidenceSeparation(mg.ev, mg.e, clusters[a], clusters[b])
				sep = min(sep, s)
				if s < mg.tau {
					pairs = append(pairs, pair{a, b, s})
				}
			}
		}
		slices.SortStableFunc(pairs, func(x, y pair) int { return cmp.Compare(x.sep, y.sep) })
		join := -1
		for i, p := range pairs {
			if mg.dip(clusters[p.a], clusters[p.b]) < mg.apart {
				join = i
				break
			}
		}
		if join < 0 {
			return clusters, sep, len(pairs)
		}
		p := pairs[join]
		joined := append(slices.Clone(clusters[p.a]), clusters[p.b]...)
		slices.Sort(joined)
		clusters[p.a] = joined
		clusters = slices.Delete(clusters, p.b, p.b+1)
	}
}
