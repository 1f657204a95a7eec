package native

import "fmnist/graphs"

// Dense: out = act(in·kernel + bias) with kernel [in, units], on the whole
// batch at once so that a large kernel is streamed from memory once per
// step (see step.go).

// denseForward computes a dense layer on the whole pass: out =
// act(in·kernel + bias), split into column panels and, when there are
// fewer panels than 2 per thread, row blocks. A softmax layer's logits
// become probabilities.
func (p *Program) denseForward(o *op) {
	n := p.n
	w := kernel.width
	panels := (o.outSize + w - 1) / w
	rb := n
	if groups := 2 * p.threads / panels; groups > 1 {
		rb = (n + groups - 1) / groups
		rb = (rb + 7) &^ 7
	}
	flags := gemmBias
	if o.act == graphs.ReLU {
		flags |= gemmReLU
	}
	p.runGemm(parGemm{m: n, n: o.outSize, k: o.inSize, a: p.input(o.index), ars: o.inSize, acs: 1,
		b: p.params[o.param].w, ldb: o.outSize, c: o.out, ldc: o.outSize, bias: p.params[o.param+1].w,
		flags: flags, rb: rb, cb: w})
	if o.act == graphs.Softmax {
		softmaxRows(o.out, n, o.outSize)
	}
}

// denseBackward runs the dense layers backward on the whole batch. Each
// layer's output gradient arrives transposed, Gᵀ [out][n] (the loss's
// is transposed here), is masked by the ReLU, copied untransposed into
// o.grad for the weight gradient, and, if the layer's input gradient is
// needed, multiplied by the kernel: dXᵀ = W·Gᵀ, [in][n], which is the
// previous dense layer's Gᵀ or, for the first, o.dxT, transposed block by
// block into the spatial layers' gradient.
func (p *Program) denseBackward() {
	for i := len(p.ops) - 1; i >= p.d0 && i >= p.first; i-- {
		if o := p.ops[i]; o.kind == opDense {
			p.denseBackLayer(o, i == len(p.ops)-1)
		}
	}
}

// denseBackLayer runs one dense layer backward (see denseBackward); the
// last layer's gradient comes untransposed from the loss.
func (p *Program) denseBackLayer(o *op, last bool) {
	n, out := p.n, o.outSize
	if last {
		transposeBlock(o.gradT, o.grad, n, out, 0, n, 0, out)
	} else {
		if o.act == graphs.ReLU {
			reluMaskT(o.gradT[:out*n], o.out, n, out)
		}
		transposeBlock(o.grad, o.gradT, out, n, 0, out, 0, n)
	}
	if !o.inputGrad {
		return
	}
	dst, tr := o.dxT, p.gradIn(o.index)
	if prev := p.prevOp(o.index); prev != nil && prev.kind == opDense {
		dst, tr = prev.gradT, nil
	}
	rb := (o.inSize + 4*p.threads - 1) / (4 * p.threads)
	p.runGemm(parGemm{m: o.inSize, n: n, k: out, a: p.params[o.param].w, ars: out, acs: 1,
		b: o.gradT, ldb: n, c: dst, ldc: n, rb: (rb + 7) &^ 7, tr: tr})
}

// denseKernelGrad computes rows [r0, r1) and columns [c0, c1) of the kernel
// gradient inᵀ·grad over the batch's n images, summed in image order.
func (o *op) denseKernelGrad(in, g []float32, n, r0, r1, c0, c1 int) {
	gemm(r1-r0, c1-c0, n, in[r0:], 1, o.inSize, o.grad[c0:], o.outSize, g[r0*o.outSize+c0:], o.outSize, nil, 0)
}

// reluMaskT zeroes gT[o][i] (an [out][n] matrix) wherever y[i][o] (an
// [n][out] ReLU output) is not positive.
func reluMaskT(gT, y []float32, n, out int) {
	for o := range out {
		row := gT[o*n : (o+1)*n]
		for i := range row {
			if !(y[i*out+o] > 0) {
				row[i] = 0
			}
		}
	}
}
