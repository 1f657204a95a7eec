package tfrunner

import (
	"fmt"
	"math"

	"fmnist/graphs"
)

// This file holds the parts of the engine contract that every engine checks
// the same way: the Adam hyper-parameters, the Config defaults, and the
// batches TrainStep and Forward accept. The conformance suite
// (tfrunner/enginetest) holds every engine to them.

// Check reports whether a can train: a finite positive learning rate, betas
// in [0, 1) and a finite positive epsilon (Adam divides by √v + ε, and v is 0
// wherever a gradient has been 0).
func (a Adam) Check() error {
	switch {
	case !finite(a.LearningRate) || a.LearningRate <= 0:
		return fmt.Errorf("adam learning rate %v must be finite and positive", a.LearningRate)
	case !finite(a.Beta1) || a.Beta1 < 0 || a.Beta1 >= 1:
		return fmt.Errorf("adam beta_1 %v must be in [0, 1)", a.Beta1)
	case !finite(a.Beta2) || a.Beta2 < 0 || a.Beta2 >= 1:
		return fmt.Errorf("adam beta_2 %v must be in [0, 1)", a.Beta2)
	case !finite(a.Epsilon) || a.Epsilon <= 0:
		return fmt.Errorf("adam epsilon %v must be finite and positive", a.Epsilon)
	}
	return nil
}

// OrKeras returns a, or KerasAdam when a is the zero value.
func (a Adam) OrKeras() Adam {
	if a == (Adam{}) {
		return KerasAdam
	}
	return a
}

// DefaultMaxBatch is the MaxBatch of a Config that gives none, for a model
// without a batch size of its own.
const DefaultMaxBatch = 32

// Resolve fills in c's defaults for m and checks it, as every engine's Build
// does: a zero Adam is KerasAdam, a zero MaxBatch is m.Batch (or
// DefaultMaxBatch), and Threads 0 stays 0 (all cores, the engine's choice).
func (c Config) Resolve(m *graphs.Model) (Config, error) {
	if m == nil {
		return c, fmt.Errorf("nil model")
	}
	c.Adam = c.Adam.OrKeras()
	if err := c.Adam.Check(); err != nil {
		return c, fmt.Errorf("model %s: %w", m.Name, err)
	}
	if c.MaxBatch < 0 {
		return c, fmt.Errorf("model %s: MaxBatch %d is negative", m.Name, c.MaxBatch)
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = m.Batch
		if c.MaxBatch <= 0 {
			c.MaxBatch = DefaultMaxBatch
		}
	}
	if c.Threads < 0 {
		return c, fmt.Errorf("model %s: Threads %d is negative", m.Name, c.Threads)
	}
	return c, nil
}

// CheckImages reports whether x holds n ≥ 0 images of m's input shape, every
// value finite: what Program.Forward accepts.
func CheckImages(m *graphs.Model, x []float32, n int) error {
	in := m.Input.Size()
	if n < 0 {
		return fmt.Errorf("negative image count %d", n)
	}
	if len(x) != n*in {
		return fmt.Errorf("%d input values for %d images of shape %v (%d values each)", len(x), n, []int(m.Input), in)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("input value %v at image %d, value %d: inputs must be finite", v, i/in, i%in)
		}
	}
	return nil
}

// CheckBatch reports whether x and labels are a batch Program.TrainStep
// accepts: 1 to maxBatch images (n = len(labels)), each label in
// [0, m.Classes()), every input value finite.
func CheckBatch(m *graphs.Model, x []float32, labels []int, maxBatch int) error {
	n := len(labels)
	if n == 0 {
		return fmt.Errorf("empty batch")
	}
	if n > maxBatch {
		return fmt.Errorf("%d images exceed MaxBatch %d", n, maxBatch)
	}
	k := m.Classes()
	for i, y := range labels {
		if y < 0 || y >= k {
			return fmt.Errorf("label %d of image %d is outside [0, %d)", y, i, k)
		}
	}
	return CheckImages(m, x, n)
}
