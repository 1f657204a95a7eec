package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// withKernel runs f with the named kernel selected.
func withKernel(t testing.TB, k gemmKernel, f func()) {
	t.Helper()
	saved := kernel
	kernel = k
	defer func() { kernel = saved }()
	f()
}

func TestGEMMKernels(t *testing.T) {
	sizes := []int{1, 3, 7, 17, 33, 64, 100}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range availableKernels() {
		for _, m := range sizes {
			for _, n := range sizes {
				for _, kk := range append([]int{0}, sizes...) {
					for _, flags := range []int{0, gemmAcc, gemmBias | gemmReLU, gemmAcc | gemmReLU} {
						for _, transA := range []bool{false, true} {
							name := fmt.Sprintf("%s/m%d_n%d_k%d_f%d_t%v", k.name, m, n, kk, flags, transA)
							checkGEMMCase(t, rng, k, name, m, n, kk, flags, transA)
						}
					}
				}
			}
		}
	}
}

func checkGEMMCase(t *testing.T, rng *rand.Rand, k gemmKernel, name string, m, n, kk, flags int, transA bool) {
	t.Helper()
	// Padded strides catch kernels that ignore them.
	lda, ldb, ldc := kk+3, n+5, n+2
	ars, acs := lda, 1
	if transA {
		lda = m + 3
		ars, acs = 1, lda
	}
	a := randSlice(rng, max(m, kk)*(max(m, kk)+3))
	b := randSlice(rng, max(kk, 1)*ldb)
	bias := randSlice(rng, n)
	c0 := randSlice(rng, m*ldc)
	got := append([]float32(nil), c0...)
	want := append([]float32(nil), c0...)
	withKernel(t, k, func() { gemm(m, n, kk, a, ars, acs, b, ldb, got, ldc, bias, flags) })
	gemmRef(m, n, kk, a, ars, acs, b, ldb, want, ldc, bias, flags)
	for i := range m {
		for j := range ldc {
			g, w := got[i*ldc+j], want[i*ldc+j]
			if j >= n {
				if g != c0[i*ldc+j] {
					t.Fatalf("%s: wrote outside C at (%d,%d)", name, i, j)
				}
				continue
			}
			if d := math.Abs(float64(g - w)); d > 1e-4*(1+math.Sqrt(float64(kk))) {
				t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, g, w)
			}
		}
	}
}

// TestGEMMRowIndependence checks that an element of C has the same bits
// whatever rows surround it: the property determinism across thread counts
// relies on.
func TestGEMMRowIndependence(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range availableKernels() {
		for _, n := range []int{5, 16, 32, 37} {
			m, kk := 23, 41
			a := randSlice(rng, m*kk)
			b := randSlice(rng, kk*n)
			bias := randSlice(rng, n)
			full := make([]float32, m*n)
			withKernel(t, k, func() {
				gemm(m, n, kk, a, kk, 1, b, n, full, n, bias, gemmBias)
				for i := range m {
					row := make([]float32, n)
					gemm(1, n, kk, a[i*kk:], kk, 1, b, n, row, n, bias, gemmBias)
					for j := range n {
						if row[j] != full[i*n+j] {
							t.Fatalf("%s n=%d: row %d alone differs at %d: %v vs %v", k.name, n, i, j, row[j], full[i*n+j])
						}
					}
				}
			})
		}
	}
}

func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, k := range availableKernels() {
		for _, rows := range []int{1, 7, 8, 17, 33, 64} {
			for _, cols := range []int{1, 5, 8, 16, 33} {
				src := randSlice(rng, rows*cols)
				for _, blk := range [][4]int{{0, rows, 0, cols}, {rows / 3, rows, cols / 2, cols}} {
					got := make([]float32, rows*cols)
					want := make([]float32, rows*cols)
					withKernel(t, k, func() { transposeBlock(got, src, rows, cols, blk[0], blk[1], blk[2], blk[3]) })
					transposeGo(want, src, rows, cols, blk[0], blk[1], blk[2], blk[3])
					if !slices.Equal(got, want) {
						t.Fatalf("%s: %dx%d block %v differs", k.name, rows, cols, blk)
					}
				}
			}
		}
	}
}

// TestFMAKernelsAgree checks that the SIMD kernels (AVX2 and AVX-512, which
// both compute each element as one chain of fused multiply-adds) give the
// same bits, so results do not depend on which one the CPU selects.
func TestFMAKernelsAgree(t *testing.T) {
	var fma []gemmKernel
	for _, k := range availableKernels() {
		if k.fma {
			fma = append(fma, k)
		}
	}
	if len(fma) < 2 {
		t.Skip("fewer than two FMA kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, s := range []struct{ m, n, k int }{{1, 1, 1}, {7, 33, 17}, {13, 64, 100}, {100, 5, 7}, {8, 100, 300}} {
		a, b := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
		bias := randSlice(rng, s.n)
		var first []float32
		for _, k := range fma {
			c := make([]float32, s.m*s.n)
			withKernel(t, k, func() { gemm(s.m, s.n, s.k, a, s.k, 1, b, s.n, c, s.n, bias, gemmBias|gemmReLU) })
			if first == nil {
				first = c
			} else if !slices.Equal(first, c) {
				t.Errorf("%dx%dx%d: %s differs from %s", s.m, s.n, s.k, k.name, fma[0].name)
			}
		}
	}
}

// TestGEMMLongK covers the K-blocked path against the reference and checks
// that blocking does not change any bit: a single row is never blocked.
func TestGEMMLongK(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, k := range availableKernels() {
		for _, s := range []struct{ m, n, kk int }{{9, 5, 1100}, {33, 32, 2049}, {17, 100, 3000}} {
			for _, flags := range []int{gemmBias | gemmReLU, gemmAcc | gemmReLU, 0} {
				name := fmt.Sprintf("%s/m%d_n%d_k%d_f%d", k.name, s.m, s.n, s.kk, flags)
				checkGEMMCase(t, rng, k, name, s.m, s.n, s.kk, flags, false)
				a, b := randSlice(rng, s.m*s.kk), randSlice(rng, s.kk*s.n)
				bias := randSlice(rng, s.n)
				c0 := randSlice(rng, s.m*s.n)
				all := slices.Clone(c0)
				withKernel(t, k, func() {
					gemm(s.m, s.n, s.kk, a, s.kk, 1, b, s.n, all, s.n, bias, flags)
					for i := range s.m {
						row := slices.Clone(c0[i*s.n : (i+1)*s.n])
						gemm(1, s.n, s.kk, a[i*s.kk:], s.kk, 1, b, s.n, row, s.n, bias, flags)
						if !slices.Equal(row, all[i*s.n:(i+1)*s.n]) {
							t.Fatalf("%s: row %d differs between blocked and unblocked", name, i)
						}
					}
				})
			}
		}
	}
}

// TestGEMMReLUNaN checks that every kernel's fused ReLU lets a NaN through,
// like Go's max, so that a diverging model shows a NaN loss.
func TestGEMMReLUNaN(t *testing.T) {
	for _, k := range availableKernels() {
		a := []float32{float32(math.NaN()), 1, -1, 2}
		b := make([]float32, 2*40)
		for i := range b {
			b[i] = 1
		}
		c := make([]float32, 2*40)
		withKernel(t, k, func() { gemm(2, 40, 2, a, 2, 1, b, 40, c, 40, nil, gemmReLU) })
		for j := range 40 {
			if !math.IsNaN(float64(c[j])) || c[40+j] != 1 {
				t.Fatalf("%s: column %d: relu rows %v, %v", k.name, j, c[j], c[40+j])
			}
		}
	}
}

func TestSelectKernel(t *testing.T) {
	ks := availableKernels()
	if k, err := selectKernel(ks, ""); err != nil || k.name != ks[0].name {
		t.Errorf("default: %s, %v; want %s", k.name, err, ks[0].name)
	}
	if k, err := selectKernel(ks, "go"); err != nil || k.name != "go" {
		t.Errorf("go: %s, %v", k.name, err)
	}
	_, err := selectKernel(ks, "avx9000")
	if err == nil || !strings.Contains(err.Error(), kernelEnv+`="avx9000": no such kernel`) {
		t.Errorf("unknown kernel: err = %v", err)
	}
}
