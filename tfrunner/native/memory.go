package native

import (
	"errors"
	"fmt"
	"runtime"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// goroutineBytes is what one worker goroutine costs at least: its stack
// and its channel.
const goroutineBytes = 8 << 10

// MemoryNeed returns how many bytes Compile would allocate for m with cfg,
// without allocating them: the same sizes as Program.allocate, summed in
// floating point so that no huge batch or thread count overflows. It
// implements tfrunner.MemoryEstimator.
func (*Engine) MemoryNeed(m *graphs.Model, cfg tfrunner.Config) (float64, error) {
	if m == nil {
		return 0, errors.New("native: nil model")
	}
	ops, err := compile(m)
	if err != nil {
		return 0, fmt.Errorf("native: %w", err)
	}
	if cfg, err = cfg.Resolve(m); err != nil {
		return 0, fmt.Errorf("native: %w", err)
	}
	maxBatch := float64(cfg.MaxBatch)
	threads := float64(cfg.Threads)
	if cfg.Threads == 0 {
		threads = float64(runtime.GOMAXPROCS(0))
	}
	capacity := max(maxBatch, evalImages)
	var params float64
	for _, s := range m.ParamSpecs() {
		params += 4 * float64(s.Size()) // w, g, m, v
	}
	var perImage, perTrainImage, fixed float64 // float32 values
	scratch, fusedSize := 0, 0
	for _, o := range ops {
		if o.kind == opFlatten {
			continue
		}
		perImage += float64(o.outSize)
		if o.needsGrad && !o.fused {
			perTrainImage += float64(o.outSize)
		}
		switch o.kind {
		case opConv:
			perImage += float64(o.pixels() * o.cstride)
			fixed += float64((o.patch + 1) * o.oc)
			perTrainImage += float64((o.patch + 1) * o.oc)
			scratch = max(scratch, o.oc*(o.patch+1))
			if o.inputGrad {
				scratch = max(scratch, o.pixels()*o.patch)
				fixed += float64(o.patch * o.oc)
			}
		case opPool:
			perImage += float64(o.outSize) // arg, int32
		case opDense:
			perTrainImage += float64(o.outSize + o.inSize)
		}
		if o.fused {
			fusedSize = max(fusedSize, o.outSize)
		}
	}
	perThread := 4*float64(scratch+2*fusedSize) + 3*24 + goroutineBytes
	return 4*(params+fixed+capacity*perImage+maxBatch*perTrainImage) + capacity*9 + threads*perThread, nil
}
