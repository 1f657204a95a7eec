package enginetest

import (
	"math/rand/v2"
	"testing"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// BenchmarkTrainStep times one TrainStep of m on e at the model's own batch
// size with all cores, and reports images per second and the process's CPU
// time per image (less sensitive than wall time to other processes on a
// shared machine). Engines call it from their Benchmark functions.
func BenchmarkTrainStep(b *testing.B, e tfrunner.Engine, m *graphs.Model) {
	p, err := e.Build(m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: m.Batch})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	x, labels := RandomBatch(rand.New(rand.NewPCG(1, 2)), m, m.Batch)
	if _, _, err := p.TrainStep(x, labels); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		if _, _, err := p.TrainStep(x, labels); err != nil {
			b.Fatal(err)
		}
	}
	images := float64(b.N * m.Batch)
	b.ReportMetric(images/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/images, "cpu-µs/image")
}

// BenchmarkForward times the softmax output of 1000 images (the chunk size
// of tfrunner's evaluation) of each study model on e.
func BenchmarkForward(b *testing.B, e tfrunner.Engine) {
	for _, m := range []*graphs.Model{graphs.Default(5), graphs.A(5), graphs.B(5)} {
		b.Run(m.Name, func(b *testing.B) {
			p, err := e.Build(m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: m.Batch})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			const n = 1000
			x, _ := RandomBatch(rand.New(rand.NewPCG(1, 2)), m, n)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := p.Forward(x, n, ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
