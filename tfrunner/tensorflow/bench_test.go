//go:build tensorflow

package tensorflow

import (
	"testing"

	"fmnist/graphs"
	et "fmnist/tfrunner/enginetest"
)

// The TensorFlow engine's step and forward timings, the same benchmarks as
// the native engine's: go test -tags tensorflow -run XXX -bench . ./tfrunner/tensorflow

func BenchmarkTrainStepDefault(b *testing.B) { et.BenchmarkTrainStep(b, Engine{}, graphs.Default(5)) }
func BenchmarkTrainStepA(b *testing.B)       { et.BenchmarkTrainStep(b, Engine{}, graphs.A(5)) }
func BenchmarkTrainStepB(b *testing.B)       { et.BenchmarkTrainStep(b, Engine{}, graphs.B(5)) }

// BenchmarkForward times the softmax output of 1000 images per model.
func BenchmarkForward(b *testing.B) { et.BenchmarkForward(b, Engine{}) }
