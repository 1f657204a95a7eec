package native

import (
	"testing"

	"fmnist/graphs"
	et "fmnist/tfrunner/enginetest"
)

func BenchmarkTrainStepDefault(b *testing.B) { et.BenchmarkTrainStep(b, New(), graphs.Default(5)) }
func BenchmarkTrainStepA(b *testing.B)       { et.BenchmarkTrainStep(b, New(), graphs.A(5)) }
func BenchmarkTrainStepB(b *testing.B)       { et.BenchmarkTrainStep(b, New(), graphs.B(5)) }

// BenchmarkForward times the softmax output of 1000 images per model.
func BenchmarkForward(b *testing.B) { et.BenchmarkForward(b, New()) }
