package native

import (
	"fmt"
	"runtime"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

func init() {
	tfrunner.Register(Name, func() (tfrunner.Engine, error) { return New(), nil })
}

// Engine is the native engine. Its zero value is ready to use.
type Engine struct{}

// New returns the native engine.
func New() *Engine { return &Engine{} }

// Name is the engine's registry name.
const Name = "native"

// Name returns "native".
func (*Engine) Name() string { return Name }

// Version names the Go release and the GEMM kernel, such as
// "go1.26.8 avx2".
func (*Engine) Version() string { return fmt.Sprintf("%s %s", runtime.Version(), kernel.name) }

// Build compiles m with the weights w; see Compile.
func (*Engine) Build(m *graphs.Model, w tfrunner.Weights, cfg tfrunner.Config) (tfrunner.Program, error) {
	p, err := Compile(m, w, cfg)
	if err != nil {
		return nil, err
	}
	return p, nil
}
