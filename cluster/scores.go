package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Contingency is the table of co-occurrence counts of two labellings.
type Contingency struct {
	Rows   []int   // distinct labels of the first labelling, increasing
	Cols   []int   // distinct labels of the second labelling, increasing
	Counts [][]int // Counts[r][c]: items labelled Rows[r] and Cols[c]
}

// ContingencyTable returns the contingency table of labellings a and b,
// which must have the same non-zero length.
func ContingencyTable(a, b []int) (*Contingency, error) {
	if len(a) == 0 {
		return nil, fmt.Errorf("contingency: %w", ErrEmpty)
	}
	if len(a) != len(b) {
		return nil, fmt.Errorf("contingency: labellings have lengths %d and %d", len(a), len(b))
	}
	rows, ri := distinct(a)
	cols, ci := distinct(b)
	counts := make([][]int, len(rows))
	for r := range counts {
		counts[r] = make([]int, len(cols))
	}
	for i := range a {
		counts[ri[i]][ci[i]]++
	}
	return &Contingency{Rows: rows, Cols: cols, Counts: counts}, nil
}

// distinct returns the sorted distinct values of a and the index of each
// element's value among them.
func distinct(a []int) (vals []int, idx []int) {
	vals = slices.Clone(a)
	slices.Sort(vals)
	vals = slices.Compact(vals)
	pos := make(map[int]int, len(vals))
	for i, v := range vals {
		pos[v] = i
	}
	idx = make([]int, len(a))
	for i, v := range a {
		idx[i] = pos[v]
	}
	return vals, idx
}

// AdjustedRandIndex returns the adjusted Rand index of labellings a and b,
// computed from pair counts as scikit-learn's adjusted_rand_score
// (1 for identical partitions up to renaming, about 0 for independent ones).
func AdjustedRandIndex(a, b []int) (float64, error) {
	ct, err := ContingencyTable(a, b)
	if err != nil {
		return 0, fmt.Errorf("adjusted rand index: %w", err)
	}
	n := float64(len(a))
	var sumSq, rowSq, colSq float64
	colSum := make([]float64, len(ct.Cols))
	for _, row := range ct.Counts {
		var rs float64
		for c, v := range row {
			f := float64(v)
			sumSq += f * f
			rs += f
			colSum[c] += f
		}
		rowSq += rs * rs
	}
	for _, v := range colSum {
		colSq += v * v
	}
	// Pair confusion matrix, as sklearn.metrics.pair_confusion_matrix.
	tp := sumSq - n
	fp := rowSq - sumSq
	fn := colSq - sumSq
	tn := n*n - fp - fn - sumSq
	if fn == 0 && fp == 0 {
		return 1, nil
	}
	return 2 * (tp*tn - fn*fp) / ((tp+fn)*(fn+tn) + (tp+fp)*(fp+tn)), nil
}

// NMI returns the normalised mutual information of labellings a and b with
// arithmetic-mean normalisation, MI / ((H(a)+H(b))/2), as scikit-learn's
// normalized_mutual_info_score default. Two single-cluster labellings score 1.
func NMI(a, b []int) (float64, error) {
	ct, err := ContingencyTable(a, b)
	if err != nil {
		return 0, fmt.Errorf("nmi: %w", err)
	}
	if len(ct.Rows) == 1 && len(ct.Cols) == 1 {
		return 1, nil
	}
	n := float64(len(a))
	rowSum := make([]float64, len(ct.Rows))
	colSum := make([]float64, len(ct.Cols))
	for r, row := range ct.Counts {
		for c, v := range row {
			rowSum[r] += float64(v)
			colSum[c] += float64(v)
		}
	}
	var mi float64
	for r, row := range ct.Counts {
		for c, v := range row {
			if v == 0 {
				continue
			}
			f := float64(v)
			mi += f / n * math.Log(f*n/(rowSum[r]*colSum[c]))
		}
	}
	mi = max(mi, 0)
	if mi == 0 {
		return 0, nil
	}
	ent := func(s []float64) float64 {
		var h float64
		for _, v := range s {
			if v > 0 {
				h -= v / n * math.Log(v/n)
			}
		}
		return h
	}
	norm := max((ent(rowSum)+ent(colSum))/2, 2.220446049250313e-16)
	return mi / norm, nil
}

// Silhouette returns the mean silhouette coefficient of the rows of x
// under labels, with Euclidean distances, computed exactly in O(n² d) time
// in parallel. A row alone in its cluster scores 0. The number of distinct
// labels must be in [2, n-1]; every label, -1 included, is a cluster.
func Silhouette(x *mat.Dense, labels []int) (float64, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return 0, fmt.Errorf("silhouette: %w", err)
	}
	if err := checkLabels(labels, n, "silhouette"); err != nil {
		return 0, err
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	return silhouette(data, d, labels, all)
}

// SilhouetteSample returns the mean silhouette coefficient of a random
// sample of size rows of x (without replacement, seeded), distances being
// taken within the sample as scikit-learn's silhouette_score with
// sample_size. If size ≥ n it equals Silhouette.
func SilhouetteSample(x *mat.Dense, labels []int, size int, seed uint64) (float64, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return 0, fmt.Errorf("silhouette: %w", err)
	}
	if err := checkLabels(labels, n, "silhouette"); err != nil {
		return 0, err
	}
	if size < 2 {
		return 0, fmt.Errorf("silhouette: sample size %d below 2", size)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5111))
	idx := rng.Perm(n)
	if size < n {
		idx = idx[:size]
	}
	slices.Sort(idx)
	return silhouette(data, d, labels, idx)
}

// silhouette computes the mean silhouette over the rows idx, using only
// those rows.
func silhouette(data []float64, d int, labels, idx []int) (float64, error) {
	m := len(idx)
	sub := make([]int, m)
	for i, r := range idx {
		sub[i] = labels[r]
	}
	vals, li := distinct(sub)
	k := len(vals)
	if k < 2 || k > m-1 {
		return 0, fmt.Errorf("silhouette: %d distinct labels, need between 2 and %d", k, m-1)
	}
	size := make([]int, k)
	for _, c := range li {
		size[c]++
	}
	const chunk = 64
	nc := (m + chunk - 1) / chunk
	partial := make([]float64, nc)
	parallelChunks(m, chunk, 0, func(c, lo, hi int) {
		sums := make([]float64, k)
		var s float64
		for i := lo; i < hi; i++ {
			clear(sums)
			xi := data[idx[i]*d : (idx[i]+1)*d]
			for j := 0; j < m; j++ {
				if j != i {
					sums[li[j]] += math.Sqrt(sqDist(xi, data[idx[j]*d:(idx[j]+1)*d]))
				}
			}
			own := li[i]
			if size[own] == 1 {
				continue
			}
			a := sums[own] / float64(size[own]-1)
			b := math.Inf(1)
			for c := 0; c < k; c++ {
				if c != own {
					b = min(b, sums[c]/float64(size[c]))
				}
			}
			if den := max(a, b); den > 0 {
				s += (b - a) / den
			}
		}
		partial[c] = s
	})
	var total float64
	for _, v := range partial {
		total += v
	}
	return total / float64(m), nil
}
