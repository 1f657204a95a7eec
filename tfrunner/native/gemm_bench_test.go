package native

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// gemmShapes are the GEMMs of the study's models (per chunk or per batch).
var gemmShapes = []struct {
	name     string
	m, n, k  int
	ars, acs int // 0 means row-major (k, 1)
}{
	{"conv1fwd_676x32x9_T", 676, 32, 9, 1, 676},
	{"dense1fwd_8x32x5408", 8, 32, 5408, 0, 0},
	{"dense1dx_8x5408x32", 8, 5408, 32, 0, 0},
	{"dense1dw_5408x32x32_T", 5408, 32, 32, 1, 5408},
	{"conv1dk_9x32x676", 9, 32, 676, 0, 0},
	{"conv2fwd_196x32x288", 196, 32, 288, 0, 0},
	{"conv2dx_196x288x32", 196, 288, 32, 0, 0},
	{"conv2dk_288x32x1960_T", 288, 32, 1960, 1, 288},
	{"Bdense1fwd_8x100x10816", 8, 100, 10816, 0, 0},
	{"L1_64x32x128", 64, 32, 128, 0, 0},
}

func BenchmarkGEMM(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmShapes {
		ars, acs := s.ars, s.acs
		if ars == 0 {
			ars, acs = s.k, 1
		}
		a := randSlice(rng, s.m*s.k)
		bm := randSlice(rng, s.k*s.n)
		c := make([]float32, s.m*s.n)
		for _, k := range availableKernels() {
			if k.name == "go" {
				continue
			}
			b.Run(fmt.Sprintf("%s/%s", s.name, k.name), func(b *testing.B) {
				withKernel(b, k, func() {
					for range b.N {
						gemm(s.m, s.n, s.k, a, ars, acs, bm, s.n, c, s.n, nil, 0)
					}
				})
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}
