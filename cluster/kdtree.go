package cluster

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

var inf = math.Inf(1)

// kdTree is a k-d tree over the rows of an n×d matrix answering exact
// Euclidean radius and k-nearest-neighbour queries. The tree is built on the
// rows rotated onto their principal axes, where variance is concentrated in
// the first columns, so that splits are effective and partial distances grow
// quickly and can be abandoned early. Rotation preserves distances up to
// rounding; rows whose rotated distance is within rounding of a query
// radius are decided on the original coordinates, so radius results are
// exact, and k-nearest distances are recomputed on them.
type kdTree struct {
	n, d  int
	pts   []float64 // n×d rotated rows in tree order
	orig  []float64 // n×d original rows in tree order
	index []int32   // tree position -> original row
	pos   []int32   // original row -> tree position
	nodes []kdNode
	tol   float64 // bound on the rounding error of rotated squared distances
}

type kdNode struct {
	start, end  int32   // range of tree positions
	left, right int32   // children, -1 for leaves
	dim         int32   // split column: left ≤ split ≤ right
	split       float64 // split value
}

const kdLeafSize = 16

// margin returns how far a squared distance computed on rotated
// coordinates may be from the exact one, with a wide safety factor.
func (t *kdTree) margin(r2 float64) float64 { return 1e-9*r2 + t.tol }

// newKDTree builds a tree over the n×d row-major data.
func newKDTree(data []float64, n, d int) *kdTree {
	t := &kdTree{n: n, d: d}
	rot := data
	if _, xc, _, vecs, _, err := principalAxes(data, n, d); err == nil && n > 1 {
		rot = make([]float64, n*d)
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: n, Cols: d, Stride: d, Data: xc},
			blas64.General{Rows: d, Cols: d, Stride: d, Data: vecs}, 0,
			blas64.General{Rows: n, Cols: d, Stride: d, Data: rot})
	}
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	t.index = idx
	t.nodes = make([]kdNode, 0, 4*n/kdLeafSize+2)
	lo := make([]float64, d)
	hi := make([]float64, d)
	t.build(rot, 0, n, lo, hi)
	var norm2 float64
	for i := 0; i < n; i++ {
		var s float64
		for _, v := range rot[i*d : (i+1)*d] {
			s += v * v
		}
		norm2 = max(norm2, s)
	}
	t.tol = 1e-9 * (4*norm2 + 1e-300)
	// Store the rows in tree order.
	t.pts = make([]float64, n*d)
	t.orig = make([]float64, n*d)
	t.pos = make([]int32, n)
	for p, i := range idx {
		copy(t.pts[p*d:(p+1)*d], rot[int(i)*d:(int(i)+1)*d])
		copy(t.orig[p*d:(p+1)*d], data[int(i)*d:(int(i)+1)*d])
		t.pos[i] = int32(p)
	}
	return t
}

// build creates the node for tree positions [start, end) and returns its
// index. pts is indexed by original row; lo and hi are scratch.
func (t *kdTree) build(pts []float64, start, end int, lo, hi []float64) int32 {
	d := t.d
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, kdNode{start: int32(start), end: int32(end), left: -1, right: -1})
	if end-start <= kdLeafSize {
		return id
	}
	first := pts[int(t.index[start])*d:]
	copy(lo, first[:d])
	copy(hi, first[:d])
	for _, i := range t.index[start+1 : end] {
		row := pts[int(i)*d : (int(i)+1)*d]
		for j, v := range row {
			if v < lo[j] {
				lo[j] = v
			} else if v > hi[j] {
				hi[j] = v
			}
		}
	}
	split, spread := 0, -1.0
	for j := 0; j < d; j++ {
		if s := hi[j] - lo[j]; s > spread {
			split, spread = j, s
		}
	}
	if spread <= 0 {
		return id // all points identical
	}
	mid := (start + end) / 2
	t.selectNth(pts, start, end, mid, split)
	t.nodes[id].dim = int32(split)
	t.nodes[id].split = pts[int(t.index[mid])*d+split]
	l := t.build(pts, start, mid, lo, hi)
	r := t.build(pts, mid, end, lo, hi)
	t.nodes[id].left, t.nodes[id].right = l, r
	return id
}

// selectNth reorders index[start:end] so that position k holds the element
// that would be there if sorted by column c, with smaller ones before it.
func (t *kdTree) selectNth(pts []float64, start, end, k, c int) {
	d := t.d
	idx := t.index
	key := func(p int) float64 { return pts[int(idx[p])*d+c] }
	lo, hi := start, end-1
	for lo < hi {
		// Median of three pivot.
		m := int(uint(lo+hi) >> 1)
		if key(m) < key(lo) {
			idx[m], idx[lo] = idx[lo], idx[m]
		}
		if key(hi) < key(lo) {
			idx[hi], idx[lo] = idx[lo], idx[hi]
		}
		if key(hi) < key(m) {
			idx[hi], idx[m] = idx[m], idx[hi]
		}
		pivot := key(m)
		i, j := lo, hi
		for i <= j {
			for key(i) < pivot {
				i++
			}
			for key(j) > pivot {
				j--
			}
			if i <= j {
				idx[i], idx[j] = idx[j], idx[i]
				i++
				j--
			}
		}
		if k <= j {
			hi = j
		} else if k >= i {
			lo = i
		} else {
			return
		}
	}
}

// partialDist returns the squared distance between a and b, or some value
// above bound once the partial sum exceeds it.
func partialDist(a, b []float64, bound float64) float64 {
	b = b[:len(a)]
	var s float64
	i := 0
	for ; i+8 <= len(a); i += 8 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		d4 := a[i+4] - b[i+4]
		d5 := a[i+5] - b[i+5]
		d6 := a[i+6] - b[i+6]
		d7 := a[i+7] - b[i+7]
		s += ((d0*d0 + d1*d1) + (d2*d2 + d3*d3)) + ((d4*d4 + d5*d5) + (d6*d6 + d7*d7))
		if s > bound {
			return s
		}
	}
	for ; i < len(a); i++ {
		e := a[i] - b[i]
		s += e * e
	}
	return s
}

// radiusScratch holds reusable buffers for radius queries.
type radiusScratch struct {
	off []float64
}

// radiusAt calls fn(treePos) for every row within squared distance r2
// (inclusive, computed on the original coordinates) of the row at tree
// position p.
func (t *kdTree) radiusAt(p int, r2 float64, s *radiusScratch, fn func(q int32)) {
	if cap(s.off) < t.d {
		s.off = make([]float64, t.d)
	}
	s.off = s.off[:t.d]
	clear(s.off)
	d := t.d
	o := t.orig[p*d : (p+1)*d]
	m := t.margin(r2)
	sure := r2 - m
	t.radiusRec(0, t.pts[p*d:(p+1)*d], r2+m, 0, s.off, func(q int32, d2 float64) {
		// Rows clearly inside are accepted; borderline ones are decided
		// on the original coordinates.
		if d2 < sure || sqDist(o, t.orig[int(q)*d:int(q+1)*d]) <= r2 {
			fn(q)
		}
	})
}

// radiusRec searches node, whose region lies at squared distance at least
// rd from q; off holds the per-column offsets making up rd.
func (t *kdTree) radiusRec(nd int32, q []float64, r2, rd float64, off []float64, fn func(p int32, d2 float64)) {
	node := &t.nodes[nd]
	if node.left < 0 {
		d := t.d
		for p := node.start; p < node.end; p++ {
			if d2 := partialDist(q, t.pts[int(p)*d:int(p+1)*d], r2); d2 <= r2 {
				fn(p, d2)
			}
		}
		return
	}
	s := node.dim
	diff := q[s] - node.split
	near, far := node.left, node.right
	if diff > 0 {
		near, far = far, near
	}
	t.radiusRec(near, q, r2, rd, off, fn)
	old := off[s]
	rdFar := rd - old + diff*diff
	if rdFar <= r2 {
		off[s] = diff * diff
		t.radiusRec(far, q, r2, rdFar, off, fn)
		off[s] = old
	}
}

// nbrHeap is a max-heap of candidate neighbours by squared distance.
type nbrHeap struct {
	pos  []int32
	dist []float64
}

// above reports whether entry i sorts after entry j (farther, or as far
// with a larger position).
func (h *nbrHeap) above(i, j int) bool {
	if h.dist[i] != h.dist[j] {
		return h.dist[i] > h.dist[j]
	}
	return h.pos[i] > h.pos[j]
}

func (h *nbrHeap) swap(i, j int) {
	h.pos[i], h.pos[j] = h.pos[j], h.pos[i]
	h.dist[i], h.dist[j] = h.dist[j], h.dist[i]
}

// push adds an entry.
func (h *nbrHeap) push(p int32, d2 float64) {
	h.pos = append(h.pos, p)
	h.dist = append(h.dist, d2)
	for i := len(h.pos) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.above(i, parent) {
			break
		}
		h.swap(i, parent)
		i = parent
	}
}

// replaceTop replaces the farthest entry.
func (h *nbrHeap) replaceTop(p int32, d2 float64) {
	h.pos[0], h.dist[0] = p, d2
	n := len(h.pos)
	for i := 0; ; {
		big := i
		if l := 2*i + 1; l < n && h.above(l, big) {
			big = l
		}
		if r := 2*i + 2; r < n && h.above(r, big) {
			big = r
		}
		if big == i {
			return
		}
		h.swap(i, big)
		i = big
	}
}

// knnScratch holds reusable buffers for knn queries.
type knnScratch struct {
	h   nbrHeap
	off []float64
	k   int
}

// knnAt finds the k nearest rows to the row at tree position p, itself
// included, and stores their original row indices and exact squared
// distances in increasing order of distance (ties by row) in rows and dist,
// each of length k ≤ n.
func (t *kdTree) knnAt(p, k int, s *knnScratch, rows []int32, dist []float64) {
	d := t.d
	if cap(s.off) < d {
		s.off = make([]float64, d)
	}
	s.off = s.off[:d]
	clear(s.off)
	h := &s.h
	h.pos, h.dist = h.pos[:0], h.dist[:0]
	s.k = k
	t.knnRec(0, t.pts[p*d:(p+1)*d], 0, s)
	o := t.orig[p*d : (p+1)*d]
	for i, q := range h.pos {
		rows[i] = t.index[q]
		dist[i] = sqDist(o, t.orig[int(q)*d:int(q+1)*d])
	}
	sortNeighbours(rows[:len(h.pos)], dist[:len(h.pos)])
}

// sortNeighbours sorts rows and dist together by distance, then row.
func sortNeighbours(rows []int32, dist []float64) {
	sort.Sort(neighbourSort{rows, dist})
}

type neighbourSort struct {
	rows []int32
	dist []float64
}

func (s neighbourSort) Len() int { return len(s.rows) }
func (s neighbourSort) Less(i, j int) bool {
	if s.dist[i] != s.dist[j] {
		return s.dist[i] < s.dist[j]
	}
	return s.rows[i] < s.rows[j]
}
func (s neighbourSort) Swap(i, j int) {
	s.rows[i], s.rows[j] = s.rows[j], s.rows[i]
	s.dist[i], s.dist[j] = s.dist[j], s.dist[i]
}

// worst returns the squared distance a candidate must not exceed.
func (s *knnScratch) worst() float64 {
	if len(s.h.pos) < s.k {
		return inf
	}
	return s.h.dist[0]
}

func (t *kdTree) knnRec(nd int32, q []float64, rd float64, s *knnScratch) {
	node := &t.nodes[nd]
	if node.left < 0 {
		d := t.d
		h := &s.h
		for p := node.start; p < node.end; p++ {
			w := s.worst()
			d2 := partialDist(q, t.pts[int(p)*d:int(p+1)*d], w)
			if len(h.pos) < s.k {
				h.push(p, d2)
			} else if d2 < w {
				h.replaceTop(p, d2)
			}
		}
		return
	}
	dim := node.dim
	diff := q[dim] - node.split
	near, far := node.left, node.right
	if diff > 0 {
		near, far = far, near
	}
	t.knnRec(near, q, rd, s)
	old := s.off[dim]
	rdFar := rd - old + diff*diff
	if rdFar <= s.worst() {
		s.off[dim] = diff * diff
		t.knnRec(far, q, rdFar, s)
		s.off[dim] = old
	}
}
