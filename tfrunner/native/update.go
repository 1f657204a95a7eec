package native

import "slices"

// The update phase of a training step (phase 5 in step.go): every weight
// gradient over the whole batch, in disjoint blocks, each block followed at
// once by its Adam update.

// gradTask is one block of the update phase: rows [r0, r1) and columns [c0, c1) of
// a kernel's gradient, or (bias) a whole bias gradient, followed by Adam.
type gradTask struct {
	op             *op
	bias           bool
	r0, r1, c0, c1 int
	work           int
}

// gradDims returns the shape of a layer's gradient in the update phase: the
// kernel gradient, with the bias gradient as an extra row for convolutions.
func (o *op) gradDims() (rows, cols int) {
	r, c := o.kernelDims()
	if o.kind == opConv {
		r++
	}
	return r, c
}

// kernelDims returns the kernel of o as a rows×cols matrix.
func (o *op) kernelDims() (rows, cols int) {
	if o.kind == opConv {
		return o.patch, o.oc
	}
	return o.inSize, o.outSize
}

// planTasks splits every weight gradient into update blocks of similar
// work (each gradient value sums MaxBatch terms: images for dense layers,
// per-image shares for convolutions), largest first. Row blocks are
// multiples of 24, a whole number of register tiles for every kernel. The
// blocks only decide who computes what: every gradient value is summed over
// the whole batch by one task.
func (p *Program) planTasks() {
	const tile = 24
	total := 0
	for _, o := range p.ops {
		if o.param >= 0 {
			r, c := o.gradDims()
			total += r * c
		}
	}
	target := max(total/(8*p.threads), tile*kernel.width) // values per task
	for _, o := range p.ops {
		if o.param < 0 {
			continue
		}
		rows, cols := o.gradDims()
		rb, cb := rows, cols
		if rows*cols > target {
			if target >= tile*cols {
				rb = target / cols / tile * tile
			} else {
				rb = tile
				cb = max(kernel.width, target/tile/kernel.width*kernel.width)
			}
		}
		for r0 := 0; r0 < rows; r0 += rb {
			for c0 := 0; c0 < cols; c0 += cb {
				r1, c1 := min(r0+rb, rows), min(c0+cb, cols)
				p.tasks = append(p.tasks, gradTask{op: o, r0: r0, r1: r1, c0: c0, c1: c1, work: (r1 - r0) * (c1 - c0)})
			}
		}
		if o.kind != opConv {
			p.tasks = append(p.tasks, gradTask{op: o, bias: true, work: cols})
		}
	}
	slices.SortStableFunc(p.tasks, func(a, b gradTask) int { return b.work - a.work })
}

// phase2 (the update phase) computes weight gradients block by block over the whole batch and
// applies Adam to each block.
func (p *Program) phase2(int) {
	for t := p.team.task(len(p.tasks)); t >= 0; t = p.team.task(len(p.tasks)) {
		p.gradBlock(&p.tasks[t])
	}
}

// gradBlock computes one block's gradient, applies Adam to it and, for a
// convolution whose input gradient is needed, refreshes the transposed
// kernel.
func (p *Program) gradBlock(t *gradTask) {
	o := t.op
	kp, bp := p.params[o.param], p.params[o.param+1]
	rows, cols := o.kernelDims()
	if t.bias {
		biasGrad(bp.g, o.grad, p.n, cols)
		adam(bp.w, bp.g, bp.m, bp.v, p.adamNow)
		return
	}
	if o.kind == opConv {
		o.convReduce(p.n, t.r0, t.r1, t.c0, t.c1)
	} else {
		o.denseKernelGrad(p.input(o.index), kp.g, p.n, t.r0, t.r1, t.c0, t.c1)
	}
	kr1 := min(t.r1, rows) // rows of the kernel; row `rows` is a convolution's bias
	if t.c0 == 0 && t.c1 == cols {
		s, e := t.r0*cols, kr1*cols
		adam(kp.w[s:e], kp.g[s:e], kp.m[s:e], kp.v[s:e], p.adamNow)
	} else {
		for r := t.r0; r < kr1; r++ {
			s, e := r*cols+t.c0, r*cols+t.c1
			adam(kp.w[s:e], kp.g[s:e], kp.m[s:e], kp.v[s:e], p.adamNow)
		}
	}
	if t.r1 > rows {
		adam(bp.w[t.c0:t.c1], bp.g[t.c0:t.c1], bp.m[t.c0:t.c1], bp.v[t.c0:t.c1], p.adamNow)
	}
	if o.kT != nil {
		transposeBlock(o.kT, kp.w, rows, cols, t.r0, kr1, t.c0, t.c1)
	}
}
