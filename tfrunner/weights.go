package tfrunner

import (
	"fmt"
	"math"
	"math/rand/v2"

	"fmnist/graphs"
)

// Tensor is a named float32 array with its shape.
type Tensor struct {
	Name  string // "layer/kernel" or "layer/bias"
	Shape []int
	Data  []float32
}

// Weights is a model's trainable tensors in graphs.Model.ParamSpecs order.
type Weights []Tensor

// Clone returns a deep copy.
func (w Weights) Clone() Weights {
	out := make(Weights, len(w))
	for i, t := range w {
		out[i] = Tensor{Name: t.Name, Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
	}
	return out
}

// Check verifies that w matches the model's parameter specs.
func (w Weights) Check(m *graphs.Model) error {
	specs := m.ParamSpecs()
	if len(w) != len(specs) {
		return fmt.Errorf("model %s: %d weight tensors, want %d", m.Name, len(w), len(specs))
	}
	for i, s := range specs {
		if w[i].Name != s.Key() {
			return fmt.Errorf("model %s: weight %d is %q, want %q", m.Name, i, w[i].Name, s.Key())
		}
		if len(w[i].Data) != s.Size() || fmt.Sprint(w[i].Shape) != fmt.Sprint(s.Shape) {
			return fmt.Errorf("model %s: weight %s has shape %v (%d values), want %v", m.Name, s.Key(), w[i].Shape, len(w[i].Data), s.Shape)
		}
	}
	return nil
}

// Zeros returns zero tensors shaped like the model's parameters.
func Zeros(m *graphs.Model) Weights {
	specs := m.ParamSpecs()
	out := make(Weights, len(specs))
	for i, s := range specs {
		out[i] = Tensor{Name: s.Key(), Shape: append([]int(nil), s.Shape...), Data: make([]float32, s.Size())}
	}
	return out
}

// InitWeights returns Keras' default initial weights for m: Glorot-uniform
// kernels (limit sqrt(6/(fan_in+fan_out))) and zero biases, drawn from a PCG
// generator seeded with seed, so every engine starts from the same numbers.
func InitWeights(m *graphs.Model, seed uint64) Weights {
	rng := rand.New(rand.NewPCG(seed, 0x676c6f726f74)) // "glorot"
	w := Zeros(m)
	for i, s := range m.ParamSpecs() {
		if s.Name != "kernel" {
			continue
		}
		limit := math.Sqrt(6 / float64(s.FanIn+s.FanOut))
		for j := range w[i].Data {
			w[i].Data[j] = float32((2*rng.Float64() - 1) * limit)
		}
	}
	return w
}
