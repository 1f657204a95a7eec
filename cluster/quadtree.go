package cluster

import "math"

// quadTree is a region quadtree over 2-D points used for Barnes-Hut
// approximations of t-SNE's repulsive forces. Points are sorted along a
// Morton (Z-order) curve, so every cell holds a contiguous range of them,
// and nodes are stored in depth-first order with a skip link to the node
// that follows their subtree, allowing stackless traversal.
type quadTree struct {
	nodes []qtNode
	x, y  []float64 // point coordinates in Morton order
	order []int32   // Morton position -> point index
	rank  []int32   // point index -> Morton position
	// groups lists the nodes whose points share an interaction list: the
	// largest cells holding at most qtGroup points.
	groups []int32

	// scratch
	keys, keys2  []uint64
	order2       []int32
	prefX, prefY []float64
	count        [1 << 11]int32
}

type qtNode struct {
	cx, cy float64 // centre of mass
	w2     float64 // squared side length of the cell
	lo, hi int32   // range of Morton positions
	skip   int32   // next node after this subtree
	leaf   bool
}

const (
	qtBits    = 20 // quantisation bits per axis
	qtLeafCap = 4  // a cell with at most this many points is a leaf
	qtGroup   = 64 // largest cell whose points share an interaction list
)

// build rebuilds the tree over the points (pos[2i], pos[2i+1]).
func (t *quadTree) build(pos []float64) {
	n := len(pos) / 2
	if cap(t.keys) < n {
		t.keys = make([]uint64, n)
		t.keys2 = make([]uint64, n)
		t.order = make([]int32, n)
		t.order2 = make([]int32, n)
		t.rank = make([]int32, n)
		t.x = make([]float64, n)
		t.y = make([]float64, n)
		t.prefX = make([]float64, n+1)
		t.prefY = make([]float64, n+1)
	}
	t.keys, t.keys2 = t.keys[:n], t.keys2[:n]
	t.order, t.order2, t.rank = t.order[:n], t.order2[:n], t.rank[:n]
	t.x, t.y = t.x[:n], t.y[:n]
	t.prefX, t.prefY = t.prefX[:n+1], t.prefY[:n+1]

	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i := 0; i < n; i++ {
		px, py := pos[2*i], pos[2*i+1]
		minX, maxX = min(minX, px), max(maxX, px)
		minY, maxY = min(minY, py), max(maxY, py)
	}
	side := max(maxX-minX, maxY-minY)
	if !(side > 0) {
		side = 1
	}
	side *= 1 + 1e-9
	scale := float64(uint64(1)<<qtBits) / side
	lim := float64(uint64(1)<<qtBits - 1)
	for i := 0; i < n; i++ {
		qx := uint64(min(math.Floor((pos[2*i]-minX)*scale), lim))
		qy := uint64(min(math.Floor((pos[2*i+1]-minY)*scale), lim))
		t.keys[i] = interleave(qx) | interleave(qy)<<1
		t.order[i] = int32(i)
	}
	t.radixSort()
	for p, i := range t.order {
		t.rank[i] = int32(p)
		t.x[p], t.y[p] = pos[2*i], pos[2*i+1]
		t.prefX[p+1] = t.prefX[p] + t.x[p]
		t.prefY[p+1] = t.prefY[p] + t.y[p]
	}
	t.nodes = t.nodes[:0]
	t.groups = t.groups[:0]
	t.add(0, int32(n), 0, side*side, false)
}

// add appends the node for Morton positions [lo, hi) at the given depth,
// followed by its subtree.
func (t *quadTree) add(lo, hi int32, depth int, w2 float64, inGroup bool) {
	id := len(t.nodes)
	if !inGroup && (hi-lo <= qtGroup || depth == qtBits) {
		t.groups = append(t.groups, int32(id))
		inGroup = true
	}
	cnt := float64(hi - lo)
	t.nodes = append(t.nodes, qtNode{
		cx: (t.prefX[hi] - t.prefX[lo]) / cnt,
		cy: (t.prefY[hi] - t.prefY[lo]) / cnt,
		w2: w2, lo: lo, hi: hi,
	})
	if hi-lo <= qtLeafCap || depth == qtBits {
		t.nodes[id].leaf = true
		t.nodes[id].skip = int32(len(t.nodes))
		return
	}
	shift := uint(2 * (qtBits - 1 - depth))
	start := lo
	for q := uint64(0); q < 4; q++ {
		end := start
		for end < hi && (t.keys[end]>>shift)&3 == q {
			end++
		}
		if end > start {
			t.add(start, end, depth+1, w2/4, inGroup)
		}
		start = end
	}
	t.nodes[id].skip = int32(len(t.nodes))
}

// radixSort sorts order by keys (both in place), 11 bits at a time.
func (t *quadTree) radixSort() {
	const bits = 11
	const mask = 1<<bits - 1
	keys, order := t.keys, t.order
	k2, o2 := t.keys2, t.order2
	for shift := uint(0); shift < 2*qtBits; shift += bits {
		clear(t.count[:])
		for _, k := range keys {
			t.count[(k>>shift)&mask]++
		}
		var s int32
		for i, c := range t.count {
			t.count[i] = s
			s += c
		}
		for i, k := range keys {
			b := (k >> shift) & mask
			p := t.count[b]
			t.count[b]++
			k2[p] = k
			o2[p] = order[i]
		}
		keys, k2 = k2, keys
		order, o2 = o2, order
	}
	t.keys, t.keys2 = keys, k2
	t.order, t.order2 = order, o2
}

// interleave spreads the low 32 bits of v to the even bit positions.
func interleave(v uint64) uint64 {
	v &= 0xffffffff
	v = (v | v<<16) & 0x0000ffff0000ffff
	v = (v | v<<8) & 0x00ff00ff00ff00ff
	v = (v | v<<4) & 0x0f0f0f0f0f0f0f0f
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
}

// interactions holds an interaction list: masses at positions.
type interactions struct {
	x, y, m []float64
}

// groupList fills il with the interaction list of group node g: cells
// summarised by their centre of mass (those whose squared side is below
// theta2 times their squared distance to the group's bounding box, and
// which hold none of the group's points) and the individual points of the
// leaves that cannot be summarised, the group's own points included.
// Every point of the group sees each summarised cell within the Barnes-Hut
// angle, so the approximation is at least as accurate as per-point
// Barnes-Hut with the same theta.
func (t *quadTree) groupList(g int32, theta2 float64, il *interactions) {
	gn := t.nodes[g]
	x0, x1 := t.x[gn.lo], t.x[gn.lo]
	y0, y1 := t.y[gn.lo], t.y[gn.lo]
	for p := gn.lo + 1; p < gn.hi; p++ {
		x0, x1 = min(x0, t.x[p]), max(x1, t.x[p])
		y0, y1 = min(y0, t.y[p]), max(y1, t.y[p])
	}
	il.x, il.y, il.m = il.x[:0], il.y[:0], il.m[:0]
	nodes := t.nodes
	for i := int32(0); i < int32(len(nodes)); {
		nd := &nodes[i]
		if nd.hi <= gn.lo || nd.lo >= gn.hi {
			dx := max(x0-nd.cx, nd.cx-x1, 0)
			dy := max(y0-nd.cy, nd.cy-y1, 0)
			if nd.w2 < theta2*(dx*dx+dy*dy) {
				il.x = append(il.x, nd.cx)
				il.y = append(il.y, nd.cy)
				il.m = append(il.m, float64(nd.hi-nd.lo))
				i = nd.skip
				continue
			}
		}
		if nd.leaf {
			il.x = append(il.x, t.x[nd.lo:nd.hi]...)
			il.y = append(il.y, t.y[nd.lo:nd.hi]...)
			for j := nd.lo; j < nd.hi; j++ {
				il.m = append(il.m, 1)
			}
			i = nd.skip
			continue
		}
		i++
	}
}

// repulsion returns Σ_j q_ij² (y_p - y_j) and Σ_j q_ij, with
// q_ij = 1/(1+|y_p-y_j|²), over the interaction list il, which must hold p
// itself once with mass 1 (its contribution to the sum of q is removed).
func (il *interactions) repulsion(px, py float64) (fx, fy, z float64) {
	xs, ys, ms := il.x, il.y[:len(il.x)], il.m[:len(il.x)]
	// Two interactions per step sharing one division: 1/a = b/(ab).
	var fx1, fy1, z1 float64
	j := 0
	for ; j+2 <= len(xs); j += 2 {
		dx0, dy0 := px-xs[j], py-ys[j]
		dx1, dy1 := px-xs[j+1], py-ys[j+1]
		a0 := 1 + dx0*dx0 + dy0*dy0
		a1 := 1 + dx1*dx1 + dy1*dy1
		inv := 1 / (a0 * a1)
		q0, q1 := a1*inv, a0*inv
		m0, m1 := ms[j]*q0, ms[j+1]*q1
		z += m0
		z1 += m1
		m0 *= q0
		m1 *= q1
		fx += m0 * dx0
		fy += m0 * dy0
		fx1 += m1 * dx1
		fy1 += m1 * dy1
	}
	for ; j < len(xs); j++ {
		dx, dy := px-xs[j], py-ys[j]
		q := 1 / (1 + dx*dx + dy*dy)
		m := ms[j] * q
		z += m
		m *= q
		fx += m * dx
		fy += m * dy
	}
	return fx + fx1, fy + fy1, z + z1 - 1
}
