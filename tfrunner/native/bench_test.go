package native

import (
	"math/rand/v2"
	"testing"

	"fmnist/graphs"
	"fmnist/tfrunner"
	et "fmnist/tfrunner/enginetest"
)

// benchTrain times one TrainStep at the study's batch size with all cores
// (GOMAXPROCS) and reports images per second.
func benchTrain(b *testing.B, m *graphs.Model) {
	p, err := Compile(m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: m.Batch})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	x, labels := et.RandomBatch(rand.New(rand.NewPCG(1, 2)), m, m.Batch)
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
	// CPU time per image is less sensitive than wall time to other
	// processes on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/images, "cpu-µs/image")
}

func BenchmarkTrainStepDefault(b *testing.B) { benchTrain(b, graphs.Default(5)) }
func BenchmarkTrainStepA(b *testing.B)       { benchTrain(b, graphs.A(5)) }
func BenchmarkTrainStepB(b *testing.B)       { benchTrain(b, graphs.B(5)) }

// BenchmarkForward times the softmax output of 1000 images, the chunk size
// of tfrunner's evaluation, per model.
func BenchmarkForward(b *testing.B) {
	for _, m := range []*graphs.Model{graphs.Default(5), graphs.A(5), graphs.B(5)} {
		b.Run(m.Name, func(b *testing.B) {
			p, err := Compile(m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: m.Batch})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			const n = 1000
			x, _ := et.RandomBatch(rand.New(rand.NewPCG(1, 2)), m, n)
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
