// Package tfrunner trains and runs the models defined in graphs. It owns the
// Engine interface that every backend implements, the fit loop (written once
// for all engines), history, timings, progress display, checkpoints and the
// run artifacts under runs/<model>/. Engine-specific code lives only in the
// sub-packages native (pure Go, the default) and tensorflow (libtensorflow
// through graft, behind the build tag "tensorflow").
package tfrunner

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"fmnist/graphs"
)

// Adam holds the optimiser's hyper-parameters.
type Adam struct {
	LearningRate float64 `json:"learning_rate"`
	Beta1        float64 `json:"beta_1"`
	Beta2        float64 `json:"beta_2"`
	Epsilon      float64 `json:"epsilon"`
}

// KerasAdam is tf.keras.optimizers.Adam's defaults: lr 1e-3, beta1 0.9,
// beta2 0.999, epsilon 1e-7.
var KerasAdam = Adam{LearningRate: 1e-3, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}

// Config is what an engine needs besides the model and its weights.
type Config struct {
	Adam     Adam
	MaxBatch int // largest batch TrainStep and Forward will be given
	Threads  int // worker threads; 0 means all cores
}

// Engine is a backend that compiles graphs models into trainable programs.
type Engine interface {
	// Name is the engine's registry name ("native", "tensorflow").
	Name() string
	// Build compiles m, starting from the weights w (in m.ParamSpecs order).
	Build(m *graphs.Model, w Weights, cfg Config) (Program, error)
}

// Program is one compiled model with its weights and optimiser state. It is
// not safe for concurrent use.
type Program interface {
	// TrainStep runs forward, backward and one Adam update on a batch of
	// n = len(labels) images (x holds n*H*W*C float32 in NHWC order). It
	// returns the batch's mean categorical cross-entropy and the number of
	// correct arg-max predictions, both computed before the update.
	TrainStep(x []float32, labels []int) (loss float64, correct int, err error)
	// Forward runs the model on n images and returns the output of the named
	// layer (n rows of the layer's output size). An empty name means the last
	// layer: the softmax probabilities.
	Forward(x []float32, n int, layer string) ([]float32, error)
	// Weights returns a copy of the current weights in m.ParamSpecs order.
	Weights() (Weights, error)
	// SetWeights replaces the weights.
	SetWeights(Weights) error
	// Optimizer returns a copy of the Adam state.
	Optimizer() (OptimizerState, error)
	// SetOptimizer replaces the Adam state.
	SetOptimizer(OptimizerState) error
	// Device names where the program runs, such as "cpu (2 threads)" or
	// "/device:GPU:0".
	Device() string
	// Close releases the program's resources.
	Close() error
}

// OptimizerState is Adam's step count and first and second moments, one
// tensor per weight in m.ParamSpecs order.
type OptimizerState struct {
	Step int64
	M, V Weights
}

var (
	registryMu sync.Mutex
	registry   = map[string]func() (Engine, error){}
)

// Register makes an engine available by name. Engines call it from init.
func Register(name string, open func() (Engine, error)) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[name] = open
}

// Engines lists the registered engine names, sorted.
func Engines() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// DefaultEngine is "tensorflow" when that engine is compiled in, else "native".
func DefaultEngine() string {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, ok := registry["tensorflow"]; ok {
		return "tensorflow"
	}
	return "native"
}

// Open returns the named engine.
func Open(name string) (Engine, error) {
	registryMu.Lock()
	open, ok := registry[name]
	registryMu.Unlock()
	if !ok {
		if name == "tensorflow" {
			return nil, fmt.Errorf("engine tensorflow is not compiled in: install libtensorflow 2.15 and build with -tags tensorflow (see README)")
		}
		return nil, fmt.Errorf("unknown engine %q (available: %s)", name, strings.Join(Engines(), ", "))
	}
	return open()
}
