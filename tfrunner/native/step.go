package native

import (
	"fmt"

	"fmnist/tfrunner"
)

// A training step runs in these parallel phases (each a team.run):
//
//  1. spatial forward: chunks of images through the conv and pool layers;
//  2. dense forward: each dense layer on the whole batch, its GEMM split
//     into blocks of the output (small layers run on the calling goroutine);
//     then the loss, image by image in order;
//  3. dense backward: per dense layer, the ReLU mask and the input gradient
//     as one GEMM dXᵀ = W·Gᵀ on the whole batch, again split by blocks;
//  4. spatial backward: chunks of images back through pool and conv, each
//     image computing its share of the conv kernel gradients;
//  5. the update (update.go): every weight gradient in blocks, each summed
//     over the whole batch in image order and followed by Adam.
//
// Every value is computed by one task in an order that depends neither on
// the chunks nor on the blocks nor on the threads, so results are
// bit-identical across runs and thread counts.

// chunk returns the images [lo, hi) of chunk c of the current pass.
func (p *Program) chunk(c int) (lo, hi int) {
	return c * p.n / p.chunks, (c + 1) * p.n / p.chunks
}

// TrainStep runs forward, backward and one Adam update on the batch of
// n = len(labels) ≤ MaxBatch images in x (n×784 float32 for the study's
// models). It returns the batch's mean cross-entropy and the number of
// correct arg-max predictions, computed before the update.
func (p *Program) TrainStep(x []float32, labels []int) (loss float64, correct int, err error) {
	if p.closed {
		return 0, 0, errClosed
	}
	n := len(labels)
	if err := tfrunner.CheckBatch(p.model, x, labels, p.maxBatch); err != nil {
		return 0, 0, fmt.Errorf("native: train step: %w", err)
	}
	p.x, p.labels, p.n, p.upto = x, labels, n, len(p.ops)-1
	p.setChunks()
	p.forward()
	last := p.ops[len(p.ops)-1]
	k := last.outSize
	crossEntropy(last.out[:n*k], labels, k, n, p.loss[:n], p.correct[:n], last.grad[:n*k])
	p.denseBackward()
	if p.first < p.d0 {
		p.team.run(p.chunks, p.spatialBackJob)
	}
	p.step++
	p.adamNow = newAdamStep(p.hyper, p.step)
	p.team.run(len(p.tasks), p.phase2Job)
	for i := range n {
		loss += p.loss[i]
		if p.correct[i] {
			correct++
		}
	}
	p.x, p.labels = nil, nil
	return loss / float64(n), correct, nil
}

// setChunks splits the pass's n images into chunks for the spatial
// phases. The layers work image by image anyway, so small chunks cost
// little and let the threads share the work evenly even when the machine
// is busy with other processes.
func (p *Program) setChunks() {
	p.chunks = min(p.n, chunksPerThread*p.threads)
}

// chunksPerThread is how many image chunks the spatial phases make per
// thread: one image per chunk at the study's batch sizes.
const chunksPerThread = 16

// forward runs ops 0..p.upto on the pass's images.
func (p *Program) forward() {
	if p.d0 > 0 {
		p.team.run(p.chunks, p.spatialFwdJob)
	}
	for i := p.d0; i <= p.upto; i++ {
		if o := p.ops[i]; o.kind == opDense {
			p.denseForward(o)
		}
	}
}

// spatialFwd runs chunks of images through ops 0..min(upto, d0-1).
func (p *Program) spatialFwd(worker int) {
	last := min(p.upto, p.d0-1)
	for c := p.team.task(p.chunks); c >= 0; c = p.team.task(p.chunks) {
		lo, hi := p.chunk(c)
		for i := 0; i <= last; i++ {
			o := p.ops[i]
			in := p.input(i)
			switch o.kind {
			case opConv:
				w, b := p.params[o.param].w, p.params[o.param+1].w
				if !o.fused || i == p.upto {
					o.convForward(in, lo, hi, w, b)
					continue
				}
				// Conv and pool image by image, through the worker's scratch.
				pool, y := p.ops[i+1], p.convY[worker]
				for n := lo; n < hi; n++ {
					o.convImage(in, n, y, w, b)
					r := n * pool.outSize
					pool.poolImage(y, pool.out[r:r+pool.outSize], pool.arg[r:r+pool.outSize])
				}
				i++
			case opPool:
				o.poolForward(in, lo, hi)
			}
		}
	}
}

// spatialBack runs chunks of images backward through ops d0-1..first,
// starting from the first dense layer's input gradient (gradIn(d0)).
func (p *Program) spatialBack(worker int) {
	for c := p.team.task(p.chunks); c >= 0; c = p.team.task(p.chunks) {
		lo, hi := p.chunk(c)
		for i := p.d0 - 1; i >= p.first; i-- {
			o := p.ops[i]
			switch o.kind {
			case opConv:
				o.convBackward(p.gradIn(i), lo, hi, p.scratch[worker])
			case opPool:
				if conv := p.ops[i-1]; conv.fused {
					// Pool and conv image by image, through the worker's scratch.
					g := p.convG[worker]
					cin := p.gradIn(i - 1)
					for n := lo; n < hi; n++ {
						r := n * o.outSize
						o.poolBackImage(g, o.grad[r:r+o.outSize], o.out[r:r+o.outSize], o.arg[r:r+o.outSize])
						var gi []float32
						if conv.inputGrad {
							gi = cin[n*conv.inSize : (n+1)*conv.inSize]
						}
						conv.convBackImage(n, g, nil, gi, p.scratch[worker])
					}
					i--
				} else if o.inputGrad {
					o.poolBackward(p.gradIn(i), lo, hi)
				}
			}
		}
	}
}

// Forward runs the model on n images and returns the named layer's output
// (after its activation), n rows of the layer's output size; an empty name
// means the softmax probabilities. Any n ≥ 0 is accepted: images are
// processed in passes of max(MaxBatch, 64), and the result does not depend
// on n or on the passes.
func (p *Program) Forward(x []float32, n int, layer string) ([]float32, error) {
	if p.closed {
		return nil, errClosed
	}
	upto := len(p.ops) - 1
	if layer != "" {
		upto = p.model.LayerIndex(layer)
		if upto < 0 {
			return nil, fmt.Errorf("native: forward: model %s has no layer %q", p.model.Name, layer)
		}
	}
	if n == 0 && len(x) == 0 {
		return []float32{}, nil
	}
	if err := tfrunner.CheckImages(p.model, x, n); err != nil {
		return nil, fmt.Errorf("native: forward: %w", err)
	}
	size := p.ops[upto].outSize
	res := make([]float32, n*size)
	in := p.model.Input.Size()
	for lo := 0; lo < n; lo += p.capacity {
		hi := min(lo+p.capacity, n)
		p.x, p.n, p.upto = x[lo*in:hi*in], hi-lo, upto
		p.setChunks()
		p.forward()
		out := p.input(upto + 1) // the op's output, through flatten aliases
		copy(res[lo*size:hi*size], out[:(hi-lo)*size])
	}
	p.x = nil
	return res, nil
}

// parGemm is a GEMM split into blocks of rb rows × cb columns of C, one
// task per block, run by gemmJob.
type parGemm struct {
	m, n, k    int
	a          []float32
	ars, acs   int
	b          []float32
	ldb        int
	c          []float32
	ldc        int
	bias       []float32
	flags      int
	rb, cb     int
	rows, cols int // number of blocks
	// tr, when set (with cb = n), receives each block of rows of C
	// transposed: tr[j*m+i] = C[i][j].
	tr []float32
}

// parallelWork is the number of multiply-adds below which a GEMM runs on
// the calling goroutine alone: less than about 50 µs of work is not worth
// a phase, in which a thread that the system preempts stalls the others.
const parallelWork = 1 << 21

// runGemm computes the GEMM described by g (rb and cb set by the caller;
// zero means whole) on the team.
func (p *Program) runGemm(g parGemm) {
	if g.m <= 0 || g.n <= 0 {
		return
	}
	if g.rb <= 0 || g.m*g.n*g.k < parallelWork {
		g.rb = g.m
	}
	if g.cb <= 0 || g.m*g.n*g.k < parallelWork || g.tr != nil {
		g.cb = g.n
	}
	g.rows, g.cols = (g.m+g.rb-1)/g.rb, (g.n+g.cb-1)/g.cb
	p.pg = g
	p.team.run(g.rows*g.cols, p.gemmJob)
}

func (p *Program) gemmBlocks(int) {
	g := &p.pg
	tasks := g.rows * g.cols
	for t := p.team.task(tasks); t >= 0; t = p.team.task(tasks) {
		r0, c0 := t/g.cols*g.rb, t%g.cols*g.cb
		var b, bias []float32
		if g.k > 0 {
			b = g.b[c0:]
		}
		if g.flags&gemmBias != 0 {
			bias = g.bias[c0:]
		}
		gemm(min(g.rb, g.m-r0), min(g.cb, g.n-c0), g.k, g.a[r0*g.ars:], g.ars, g.acs, b, g.ldb, g.c[r0*g.ldc+c0:], g.ldc, bias, g.flags)
		if g.tr != nil {
			transposeBlock(g.tr, g.c, g.m, g.n, r0, min(r0+g.rb, g.m), 0, g.n)
		}
	}
}

// prevOp returns the op producing the input of op i, through flatten
// aliases, or nil for the model input.
func (p *Program) prevOp(i int) *op {
	for j := i - 1; j >= 0; j-- {
		if p.ops[j].kind != opFlatten {
			return p.ops[j]
		}
	}
	return nil
}
