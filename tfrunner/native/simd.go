package native

import "fmt"

// Element-wise kernels in pure Go. On amd64 with AVX2 the functions without
// the Go suffix (simd_amd64.go) run assembly for the bulk and these for the
// tails; elsewhere they are these. Both perform the same float32 operations
// in the same order, so they give the same bits.

func addToGo(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}

func reluMaskGo(g, y []float32) {
	y = y[:len(g)]
	for i, v := range y {
		if !(v > 0) {
			g[i] = 0
		}
	}
}

// poolMaxGo pools n output pixels of c channels: the window of pixel j holds
// the input positions base + j*pixStride + offs[t] (+ channel); out gets
// the first maximum in table order and arg its tvals[t].
func poolMaxGo(out []float32, arg []int32, in []float32, offs, tvals []int32, n, c, base, pixStride int) {
	for j := range n {
		b := base + j*pixStride
		dst, am := out[j*c:(j+1)*c], arg[j*c:(j+1)*c]
		first := b + int(offs[0])
		copy(dst, in[first:first+c])
		for ch := range am {
			am[ch] = tvals[0]
		}
		for t, off := range offs[1:] {
			p := b + int(off)
			for ch, v := range in[p : p+c] {
				if v > dst[ch] {
					dst[ch] = v
					am[ch] = tvals[t+1]
				}
			}
		}
	}
}

// poolBackGo writes every position of n non-overlapping windows (laid out
// as in poolMaxGo): the output gradient g where the position is the
// recorded maximum, else zero; with relu, g counts only where the pooled
// output is positive.
func poolBackGo(gin, g, out []float32, arg, offs, tvals []int32, n, c, base, pixStride int, relu bool) {
	for j := range n {
		b := base + j*pixStride
		for t, off := range offs {
			p := b + int(off)
			dst := gin[p : p+c]
			for ch := range dst {
				v := g[j*c+ch]
				if arg[j*c+ch] != tvals[t] || (relu && !(out[j*c+ch] > 0)) {
					v = 0
				}
				dst[ch] = v
			}
		}
	}
}

// checkWindows panics unless n windows of c channels at base + j*pixStride
// + offs[t] lie inside a slice of length size: the assembly kernels rely on
// it.
func checkWindows(size int, offs []int32, n, c, base, pixStride int) {
	lo, hi := offs[0], offs[0]
	for _, o := range offs {
		lo, hi = min(lo, o), max(hi, o)
	}
	if n > 0 && (base+int(lo) < 0 || base+(n-1)*pixStride+int(hi)+c > size) {
		panic(fmt.Sprintf("native: pooling windows outside the input: base %d, %d pixels, stride %d, offsets [%d, %d], size %d", base, n, pixStride, lo, hi, size))
	}
}

// transposeGo copies rows [r0, r1) × columns [c0, c1) of the rows×cols
// matrix src into the cols×rows matrix dst.
func transposeGo(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	for r := r0; r < r1; r++ {
		for c := c0; c < c1; c++ {
			dst[c*rows+r] = src[r*cols+c]
		}
	}
}

func copyRowsGo(dst []float32, dstStride int, src []float32, srcStride, rows, n int) {
	for r := range rows {
		copy(dst[r*dstStride:r*dstStride+n], src[r*srcStride:r*srcStride+n])
	}
}

func addRowsGo(dst []float32, dstStride int, src []float32, srcStride, rows, n int) {
	for r := range rows {
		addToGo(dst[r*dstStride:r*dstStride+n], src[r*srcStride:r*srcStride+n])
	}
}
