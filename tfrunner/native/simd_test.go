package native

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSIMDMatchesGo compares each element-wise kernel with its pure-Go
// version, bit for bit, on odd lengths (the SIMD versions only run with a
// SIMD GEMM kernel selected).
func TestSIMDMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, k := range availableKernels() {
		if !k.simd {
			continue
		}
		withKernel(t, k, func() {
			for _, n := range []int{1, 3, 7, 8, 17, 33, 64, 100, 1001} {
				a, b := randSlice(rng, n), randSlice(rng, n)
				got, want := slices.Clone(a), slices.Clone(a)
				addTo(got, b)
				addToGo(want, b)
				if !slices.Equal(got, want) {
					t.Errorf("%s: addTo n=%d differs", k.name, n)
				}
				got, want = slices.Clone(a), slices.Clone(a)
				reluMask(got, b)
				reluMaskGo(want, b)
				if !slices.Equal(got, want) {
					t.Errorf("%s: reluMask n=%d differs", k.name, n)
				}
			}
			// Row copies and row additions, with overlapping destination
			// rows for the additions (as col2im has).
			for _, seg := range []int{8, 24, 96, 5} {
				for _, rows := range []int{1, 3, 14} {
					src := randSlice(rng, rows*(seg+7))
					dst := randSlice(rng, rows*(seg+11))
					got, want := slices.Clone(dst), slices.Clone(dst)
					copyRows(got, seg+11, src, seg+7, rows, seg)
					copyRowsGo(want, seg+11, src, seg+7, rows, seg)
					if !slices.Equal(got, want) {
						t.Errorf("%s: copyRows seg=%d rows=%d differs", k.name, seg, rows)
					}
					got, want = slices.Clone(dst), slices.Clone(dst)
					addRows(got, seg/3+1, src, seg+7, rows, seg)
					addRowsGo(want, seg/3+1, src, seg+7, rows, seg)
					if !slices.Equal(got, want) {
						t.Errorf("%s: addRows seg=%d rows=%d differs", k.name, seg, rows)
					}
				}
			}
		})
	}
}

// TestPoolKernelsMatchGo compares the SIMD pooling kernels with the Go
// ones on windows of every channel-group size, including ties.
func TestPoolKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for _, k := range availableKernels() {
		if !k.simd {
			continue
		}
		for _, c := range []int{8, 16, 24, 32, 40, 64, 72} {
			for _, kk := range []int{1, 4, 9} {
				name := fmt.Sprintf("%s/c%d_kk%d", k.name, c, kk)
				n, stride := 5, c*2
				offs, tvals := make([]int32, kk), make([]int32, kk)
				for t := range kk {
					offs[t] = int32((t/3*30 + t%3) * c)
					tvals[t] = int32(t + 2)
				}
				size := 100*c + n*stride
				in := randSlice(rng, size)
				for i := range in {
					in[i] = float32(int(in[i] * 2)) // many ties
				}
				outG, argG := make([]float32, n*c), make([]int32, n*c)
				outS, argS := make([]float32, n*c), make([]int32, n*c)
				poolMaxGo(outG, argG, in, offs, tvals, n, c, 3, stride)
				withKernel(t, k, func() { poolMax(outS, argS, in, offs, tvals, n, c, 3, stride) })
				if !slices.Equal(outG, outS) || !slices.Equal(argG, argS) {
					t.Fatalf("%s: poolMax differs", name)
				}
				g := randSlice(rng, n*c)
				for _, relu := range []bool{false, true} {
					ginG, ginS := randSlice(rng, size), make([]float32, size)
					copy(ginS, ginG)
					poolBackGo(ginG, g, outG, argG, offs, tvals, n, c, 3, stride, relu)
					withKernel(t, k, func() { poolBack(ginS, g, outG, argG, offs, tvals, n, c, 3, stride, relu) })
					if !slices.Equal(ginG, ginS) {
						t.Fatalf("%s relu=%v: poolBack differs", name, relu)
					}
				}
			}
		}
	}
}
