package cluster

import (
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

// mergeByEvidence joins, pair by pair, the clusters (row indices into ev)
// whose evidence separation is below tau, the least separated pair first,
// and returns the clusters left with the smallest separation between any
// two of them (NaN when one is left).
func mergeByEvidence(clusters [][]int, ev []float64, e int, tau float64) ([][]int, float64) {
	clusters = slices.Clone(clusters)
	for {
		if len(clusters) < 2 {
			return clusters, math.NaN()
		}
		ba, bb, low := -1, -1, math.Inf(1)
		for a := range clusters {
			for b := a + 1; b < len(clusters); b++ {
				if s := evidenceSeparation(ev, e, clusters[a], clusters[b]); s < low {
					ba, bb, low = a, b, s
				}
			}
		}
		if low >= tau {
			return clusters, low
		}
		joined := append(slices.Clone(clusters[ba]), clusters[bb]...)
		slices.Sort(joined)
		clusters[ba] = joined
		clusters = slices.Delete(clusters, bb, bb+1)
	}
}
