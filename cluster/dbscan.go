package cluster

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Noise is the DBSCAN label of rows that belong to no cluster.
const Noise = -1

// DBSCANResult holds a DBSCAN clustering.
type DBSCANResult struct {
	// Labels holds the cluster of each row, 0, 1, …, or Noise.
	Labels []int
	// Core reports whether each row is a core point.
	Core []bool
	// Sizes holds the number of rows in each cluster.
	Sizes []int
	// Noise is the number of rows labelled Noise.
	Noise int
}

// DBSCAN clusters the rows of x by density with scikit-learn's semantics:
// a row is a core point when at least minSamples rows, itself included, lie
// within Euclidean distance eps (inclusive); clusters are the connected
// components of core points, numbered in order of their lowest core row;
// a non-core row within eps of a core point joins the lowest-numbered such
// cluster (the first to reach it), and other rows are Noise.
// Neighbourhoods are found exactly with a k-d tree, in parallel; as in
// scikit-learn, memory grows with the number of neighbour pairs, which
// approaches n² when eps spans the data.
func DBSCAN(x *mat.Dense, eps float64, minSamples int) (*DBSCANResult, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return nil, fmt.Errorf("dbscan: %w", err)
	}
	if !(eps > 0) || math.IsInf(eps, 0) {
		return nil, fmt.Errorf("dbscan: eps=%v must be positive and finite", eps)
	}
	if minSamples < 1 {
		return nil, fmt.Errorf("dbscan: minSamples=%d must be at least 1", minSamples)
	}
	t := newKDTree(data, n, d)
	nb := t.radiusAll(eps*eps, minSamples)

	labels := make([]int, n)
	for i := range labels {
		labels[i] = Noise
	}
	res := &DBSCANResult{Labels: labels, Core: make([]bool, n)}
	for i := 0; i < n; i++ {
		res.Core[i] = nb.core[t.pos[i]]
	}
	var stack []int32
	for i := 0; i < n; i++ {
		if labels[i] != Noise || !res.Core[i] {
			continue
		}
		c := len(res.Sizes)
		size := 1
		labels[i] = c
		stack = append(stack[:0], t.pos[i])
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, q := range nb.list(p) {
				r := t.index[q]
				if labels[r] != Noise {
					continue
				}
				labels[r] = c
				size++
				if nb.core[q] {
					stack = append(stack, q)
				}
			}
		}
		res.Sizes = append(res.Sizes, size)
	}
	for _, l := range labels {
		if l == Noise {
			res.Noise++
		}
	}
	return res, nil
}

// neighbourhoods holds the radius neighbours of the core points of a tree,
// by tree position.
type neighbourhoods struct {
	core  []bool
	count []int32
	start []int32 // per position start within its chunk, -1 if not stored
	flat  [][]int32
	chunk int
}

func (nb *neighbourhoods) list(p int32) []int32 {
	c := int(p) / nb.chunk
	s := nb.start[p]
	if s < 0 {
		return nil
	}
	return nb.flat[c][s : int(s)+int(nb.count[p])]
}

// radiusAll finds, for every row, the rows within squared distance r2; it
// keeps the lists only of rows having at least minSamples neighbours.
func (t *kdTree) radiusAll(r2 float64, minSamples int) *neighbourhoods {
	const chunk = 128
	n := t.n
	nc := (n + chunk - 1) / chunk
	nb := &neighbourhoods{
		core:  make([]bool, n),
		count: make([]int32, n),
		start: make([]int32, n),
		flat:  make([][]int32, nc),
		chunk: chunk,
	}
	parallelChunks(n, chunk, 0, func(c, lo, hi int) {
		var rs radiusScratch
		var buf []int32
		for p := lo; p < hi; p++ {
			mark := len(buf)
			t.radiusAt(p, r2, &rs, func(j int32) { buf = append(buf, j) })
			cnt := len(buf) - mark
			nb.count[p] = int32(cnt)
			if cnt >= minSamples {
				nb.core[p] = true
				nb.start[p] = int32(mark)
			} else {
				nb.start[p] = -1
				buf = buf[:mark]
			}
		}
		nb.flat[c] = buf
	})
	return nb
}

// KDistances returns, in increasing order, the distance from each row of x
// to its minSamples-th nearest row, the row itself counting as the first
// (as DBSCAN's core test does). It needs 2 ≤ minSamples ≤ n.
func KDistances(x *mat.Dense, minSamples int) ([]float64, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return nil, fmt.Errorf("k-distances: %w", err)
	}
	if minSamples < 2 || minSamples > n {
		return nil, fmt.Errorf("k-distances: minSamples=%d out of range [2, %d]", minSamples, n)
	}
	t := newKDTree(data, n, d)
	kd := make([]float64, n)
	const chunk = 128
	parallelChunks(n, chunk, 0, func(_, lo, hi int) {
		var s knnScratch
		rows := make([]int32, minSamples)
		dist := make([]float64, minSamples)
		for p := lo; p < hi; p++ {
			t.knnAt(p, minSamples, &s, rows, dist)
			kd[p] = math.Sqrt(dist[minSamples-1])
		}
	})
	sort.Float64s(kd)
	return kd, nil
}

// SuggestEps proposes a DBSCAN eps for minSamples: the knee of the sorted
// k-distance curve (see KDistances), taken as the point farthest below the
// chord joining the curve's ends (Kneedle). It needs 2 ≤ minSamples ≤ n
// and rows that are not all identical.
func SuggestEps(x *mat.Dense, minSamples int) (float64, error) {
	kd, err := KDistances(x, minSamples)
	if err != nil {
		return 0, fmt.Errorf("suggest eps: %w", err)
	}
	return kneedle(kd)
}

// kneedle returns the value of the increasing curve y at the point of
// maximum distance below the chord joining its ends.
func kneedle(y []float64) (float64, error) {
	n := len(y)
	y0, y1 := y[0], y[n-1]
	if !(y1 > y0) {
		if y1 > 0 {
			return y1, nil
		}
		return 0, fmt.Errorf("suggest eps: all k-distances are zero")
	}
	best, arg := math.Inf(-1), n-1
	for i, v := range y {
		xi := 0.0
		if n > 1 {
			xi = float64(i) / float64(n-1)
		}
		if gap := xi - (v-y0)/(y1-y0); gap > best {
			best, arg = gap, i
		}
	}
	return y[arg], nil
}
