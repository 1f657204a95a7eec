//go:build tensorflow

package tensorflow

import (
	"errors"
	"fmt"
	"runtime"

	tf "github.com/wamuir/graft/tensorflow"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

func init() {
	tfrunner.Register(Name, func() (tfrunner.Engine, error) {
		if err := checkVersion(tf.Version()); err != nil {
			return nil, err
		}
		return Engine{}, nil
	})
}

// The engine and its programs implement tfrunner's interfaces.
var (
	_ tfrunner.Engine          = Engine{}
	_ tfrunner.Versioner       = Engine{}
	_ tfrunner.MemoryEstimator = Engine{}
	_ tfrunner.Program         = (*program)(nil)
)

// Engine compiles graphs models into TensorFlow graphs, each run by its own
// session. The zero value is ready to use.
type Engine struct{}

// MemoryNeed estimates the bytes a program of m with cfg holds (variables,
// activations, thread pools), so that tfrunner.CheckMemory refuses choices
// the machine cannot hold before TensorFlow tries. It implements
// tfrunner.MemoryEstimator.
func (Engine) MemoryNeed(m *graphs.Model, cfg tfrunner.Config) (float64, error) {
	return memoryNeed(m, cfg, runtime.NumCPU())
}

// Name returns "tensorflow".
func (Engine) Name() string { return Name }

// Version names the linked C library, such as "libtensorflow 2.15.0".
func (Engine) Version() string { return "libtensorflow " + tf.Version() }

// Build lowers m to a TensorFlow graph, opens a session on it and
// initialises the variables from w (so every engine starts from the same
// numbers), Adam's moments to zero and its step to 0. Gradients come from
// TensorFlow's symbolic differentiation (op.Gradients); if that fails (a
// libtensorflow built without the C++ gradient of one of the ops) the
// backward pass is built by hand from the same gradient kernels instead.
// cfg is resolved as for every engine (tfrunner.Config.Resolve): TrainStep
// refuses batches beyond cfg.MaxBatch, although the graph itself takes
// batches of any size.
func (Engine) Build(m *graphs.Model, w tfrunner.Weights, cfg tfrunner.Config) (prog tfrunner.Program, err error) {
	defer recoverError(&err, "build")
	if err := checkModel(m); err != nil {
		return nil, fmt.Errorf("tensorflow: %w", err)
	}
	p, err := build(m, w, cfg, symbolicGradients)
	var ge *gradientError
	if errors.As(err, &ge) {
		p, err = build(m, w, cfg, manualGradients)
		if err != nil {
			return nil, fmt.Errorf("tensorflow: model %s: %v; with hand-built gradients: %w", m.Name, ge, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("tensorflow: model %s: %w", m.Name, err)
	}
	return p, nil
}

// build makes a program with the given kind of backward pass.
func build(m *graphs.Model, w tfrunner.Weights, cfg tfrunner.Config, mode gradientMode) (*program, error) {
	if err := w.Check(m); err != nil {
		return nil, fmt.Errorf("initial weights: %w", err)
	}
	cfg, err := cfg.Resolve(m)
	if err != nil {
		return nil, err
	}
	adam := cfg.Adam
	shapes, err := m.Shapes()
	if err != nil {
		return nil, err
	}
	gr, err := buildGraph(m, adam, mode)
	if err != nil {
		return nil, err
	}
	sess, err := tf.NewSession(gr.g, &tf.SessionOptions{Config: sessionConfig(cfg.Threads)})
	if err != nil {
		return nil, fmt.Errorf("new session: %w", err)
	}
	p := &program{model: m.Clone(), adam: adam, maxBatch: cfg.MaxBatch, gr: gr, sess: sess, sizes: map[string]int{}}
	for i, l := range m.Layers {
		p.sizes[l.LayerName()] = shapes[i].Size()
	}
	devs, err := sess.ListDevices()
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("list session devices: %w", err)
	}
	var ds []device
	for _, d := range devs {
		ds = append(ds, device{Name: d.Name, Type: d.Type})
	}
	p.device = pickDevice(ds)
	if err := p.SetWeights(w); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.SetOptimizer(tfrunner.OptimizerState{Step: 0, M: tfrunner.Zeros(m), V: tfrunner.Zeros(m)}); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// recoverError turns a panic inside graft (which should not happen, but
// its wrappers are generated code) into an error.
func recoverError(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("tensorflow: %s: unexpected panic: %v", what, r)
	}
}
