package onnx

import (
	"testing"

	"fmnist/graphs"
)

// BenchmarkMarshal exports model B (1,092,945 parameters).
func BenchmarkMarshal(b *testing.B) {
	m := graphs.B(5)
	w := params(m)
	for b.Loop() {
		if _, err := Marshal(m, w); err != nil {
			b.Fatal(err)
		}
	}
}
