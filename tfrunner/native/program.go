package native

import (
	"errors"
	"fmt"
	"runtime"
	"slices"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// evalImages is the smallest number of images one Forward pass handles at
// once; larger n are processed in passes of max(MaxBatch, evalImages).
const evalImages = 64

// errClosed is returned by every method of a closed Program.
var errClosed = errors.New("native: program is closed")

// param is one trainable tensor with its gradient and Adam moments.
type param struct {
	spec       graphs.ParamSpec
	w, g, m, v []float32
}

// Program is a model compiled by the native engine: its weights, Adam
// state, and buffers for MaxBatch training images (and at least 64 images
// for Forward), all allocated once by Compile. It implements
// tfrunner.Program and is not safe for concurrent use.
//
// See step.go for how a training step is split between threads; results
// are bit-identical across runs and across thread counts on a given
// machine and GEMM kernel.
type Program struct {
	model    *graphs.Model
	hyper    tfrunner.Adam
	threads  int
	maxBatch int
	capacity int // images per pass (≥ maxBatch)
	classes  int
	ops      []*op
	params   []*param
	first    int // index of the first op with weights
	d0       int // index of the first dense op; ops before it are spatial
	step     int64
	team     *team
	scratch  [][]float32 // per worker: conv backward scratch (see convBackImage)
	convY    [][]float32 // per worker: one image of a fused conv's output
	convG    [][]float32 // per worker: one image of a fused conv's gradient
	tasks    []gradTask
	closed   bool

	// State of the current pass, read by the workers.
	x       []float32
	labels  []int
	n       int // images in the pass
	chunks  int // number of image chunks in the spatial phases
	upto    int // last op of the pass
	loss    []float64
	correct []bool
	adamNow adamStep
	pg      parGemm // the GEMM gemmJob splits

	// Method values, created once so that running a phase allocates nothing.
	spatialFwdJob, spatialBackJob, gemmJob, phase2Job func(worker int)
}

// Compile builds a Program for m starting from the weights w (in
// m.ParamSpecs order). A zero cfg.Adam means tfrunner.KerasAdam,
// cfg.MaxBatch 0 means m.Batch (or 32 when the model has none) and
// cfg.Threads 0 means runtime.GOMAXPROCS(0).
func Compile(m *graphs.Model, w tfrunner.Weights, cfg tfrunner.Config) (*Program, error) {
	if m == nil {
		return nil, errors.New("native: nil model")
	}
	if kernelErr != nil {
		return nil, fmt.Errorf("native: %w", kernelErr)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	if err := w.Check(m); err != nil {
		return nil, fmt.Errorf("native: initial weights: %w", err)
	}
	cfg, err := cfg.Resolve(m)
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	hyper, maxBatch, threads := cfg.Adam, cfg.MaxBatch, cfg.Threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	ops, err := compile(m)
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	p := &Program{
		model: m.Clone(), hyper: hyper, threads: threads, maxBatch: maxBatch,
		capacity: max(maxBatch, evalImages), classes: m.Classes(), ops: ops,
	}
	p.first = slices.IndexFunc(ops, func(o *op) bool { return o.param >= 0 })
	p.d0 = slices.IndexFunc(ops, func(o *op) bool { return o.kind == opDense })
	for _, s := range p.model.ParamSpecs() {
		size := s.Size()
		p.params = append(p.params, &param{spec: s, w: make([]float32, size), g: make([]float32, size),
			m: make([]float32, size), v: make([]float32, size)})
	}
	p.allocate()
	if err := p.SetWeights(w); err != nil {
		return nil, err
	}
	p.planTasks()
	p.loss = make([]float64, p.capacity)
	p.correct = make([]bool, p.capacity)
	p.spatialFwdJob, p.spatialBackJob, p.gemmJob, p.phase2Job = p.spatialFwd, p.spatialBack, p.gemmBlocks, p.phase2
	p.team = newTeam(threads)
	runtime.AddCleanup(p, func(t *team) { t.close() }, p.team)
	return p, nil
}

// allocate creates every op's buffers and the per-worker scratch.
func (p *Program) allocate() {
	scratch := 0
	for _, o := range p.ops {
		if o.kind == opFlatten {
			continue
		}
		o.out = make([]float32, p.capacity*o.outSize)
		if o.needsGrad && !o.fused {
			o.grad = make([]float32, p.maxBatch*o.outSize)
		}
		switch o.kind {
		case opConv:
			o.cols = make([]float32, p.capacity*o.pixels()*o.cstride)
			o.initOnes()
			// The kernel and bias gradients are one (patch+1)×oc matrix.
			o.kgrad = make([]float32, (o.patch+1)*o.oc)
			o.kpart = make([]float32, p.maxBatch*len(o.kgrad))
			p.params[o.param].g, p.params[o.param+1].g = o.kgrad[:o.patch*o.oc], o.kgrad[o.patch*o.oc:]
			scratch = max(scratch, o.oc*(o.patch+1))
			if o.inputGrad {
				scratch = max(scratch, o.pixels()*o.patch)
				o.kT = make([]float32, len(p.params[o.param].w))
			}
		case opPool:
			o.arg = make([]int32, p.capacity*o.outSize)
		case opDense:
			o.gradT = make([]float32, o.outSize*p.maxBatch)
			if prev := p.prevOp(o.index); o.inputGrad && (prev == nil || prev.kind != opDense) {
				o.dxT = make([]float32, o.inSize*p.maxBatch)
			}
		}
	}
	fusedSize := 0
	for _, o := range p.ops {
		if o.fused {
			fusedSize = max(fusedSize, o.outSize)
		}
	}
	p.scratch = make([][]float32, p.threads)
	p.convY = make([][]float32, p.threads)
	p.convG = make([][]float32, p.threads)
	for i := range p.scratch {
		p.scratch[i] = make([]float32, scratch)
		p.convY[i] = make([]float32, fusedSize)
		p.convG[i] = make([]float32, fusedSize)
	}
}

// input returns the buffer holding the input of op i (flatten ops alias
// their input).
func (p *Program) input(i int) []float32 {
	if prev := p.prevOp(i); prev != nil {
		return prev.out
	}
	return p.x
}

// gradIn returns the buffer receiving the gradient with respect to the
// input of op i.
func (p *Program) gradIn(i int) []float32 {
	if prev := p.prevOp(i); prev != nil {
		return prev.grad
	}
	return nil
}

// Weights returns a copy of the weights in m.ParamSpecs order.
func (p *Program) Weights() (tfrunner.Weights, error) {
	if p.closed {
		return nil, errClosed
	}
	return p.tensors(func(q *param) []float32 { return q.w }), nil
}

func (p *Program) tensors(field func(*param) []float32) tfrunner.Weights {
	out := make(tfrunner.Weights, len(p.params))
	for i, q := range p.params {
		out[i] = tfrunner.Tensor{Name: q.spec.Key(), Shape: slices.Clone(q.spec.Shape), Data: slices.Clone(field(q))}
	}
	return out
}

// SetWeights replaces the weights; w must match m.ParamSpecs.
func (p *Program) SetWeights(w tfrunner.Weights) error {
	if p.closed {
		return errClosed
	}
	if err := w.Check(p.model); err != nil {
		return fmt.Errorf("native: set weights: %w", err)
	}
	for i, q := range p.params {
		copy(q.w, w[i].Data)
	}
	for _, o := range p.ops {
		if o.kT != nil {
			rows, cols := o.kernelDims()
			transposeBlock(o.kT, p.params[o.param].w, rows, cols, 0, rows, 0, cols)
		}
	}
	return nil
}

// Optimizer returns a copy of the Adam state: the number of updates made
// and the first and second moments.
func (p *Program) Optimizer() (tfrunner.OptimizerState, error) {
	if p.closed {
		return tfrunner.OptimizerState{}, errClosed
	}
	return tfrunner.OptimizerState{
		Step: p.step,
		M:    p.tensors(func(q *param) []float32 { return q.m }),
		V:    p.tensors(func(q *param) []float32 { return q.v }),
	}, nil
}

// SetOptimizer replaces the Adam state.
func (p *Program) SetOptimizer(s tfrunner.OptimizerState) error {
	if p.closed {
		return errClosed
	}
	if s.Step < 0 {
		return fmt.Errorf("native: set optimizer: negative step %d", s.Step)
	}
	if err := s.M.Check(p.model); err != nil {
		return fmt.Errorf("native: set optimizer: first moments: %w", err)
	}
	if err := s.V.Check(p.model); err != nil {
		return fmt.Errorf("native: set optimizer: second moments: %w", err)
	}
	for i, q := range p.params {
		copy(q.m, s.M[i].Data)
		copy(q.v, s.V[i].Data)
	}
	p.step = s.Step
	return nil
}

// Device describes where the program runs, such as "cpu (2 threads, avx2)".
func (p *Program) Device() string {
	return fmt.Sprintf("cpu (%d threads, %s)", p.threads, kernel.name)
}

// Close stops the worker goroutines. Closing twice is harmless; every other
// method fails after Close.
func (p *Program) Close() error {
	p.closed = true
	p.team.close()
	return nil
}
