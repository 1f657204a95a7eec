//go:build !purego

package native

//go:noescape
func addToAVX2(dst, src *float32, n int)

//go:noescape
func reluMaskAVX2(gr, y *float32, n int)

//go:noescape
func adamAVX2(w, gr, m, v *float32, n int, s *adamStep)

//go:noescape
func transposeAVX2(dst *float32, ldd int, src *float32, lds int, rows, cols int)

// transposeBlock copies rows [r0, r1) × columns [c0, c1) of the rows×cols
// matrix src into the cols×rows matrix dst.
func transposeBlock(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	if kernel.simd && r1-r0 >= 8 && c1-c0 >= 8 {
		r8, c8 := (r1-r0)&^7, (c1-c0)&^7
		_, _ = src[(r0+r8-1)*cols+c0+c8-1], dst[(c0+c8-1)*rows+r0+r8-1]
		transposeAVX2(&dst[c0*rows+r0], rows, &src[r0*cols+c0], cols, r8, c8)
		transposeGo(dst, src, rows, cols, r0, r0+r8, c0+c8, c1)
		transposeGo(dst, src, rows, cols, r0+r8, r1, c0, c1)
		return
	}
	transposeGo(dst, src, rows, cols, r0, r1, c0, c1)
}

//go:noescape
func copyRowsAVX2(dst *float32, dstStride int, src *float32, srcStride, rows, n int)

//go:noescape
func addRowsAVX2(dst *float32, dstStride int, src *float32, srcStride, rows, n int)

// copyRows copies rows segments of n values, src rows srcStride apart, to
// dst rows dstStride apart.
func copyRows(dst []float32, dstStride int, src []float32, srcStride, rows, n int) {
	if !kernel.simd || n%8 != 0 || rows == 0 || n == 0 {
		copyRowsGo(dst, dstStride, src, srcStride, rows, n)
		return
	}
	_, _ = dst[(rows-1)*dstStride+n-1], src[(rows-1)*srcStride+n-1]
	copyRowsAVX2(&dst[0], dstStride, &src[0], srcStride, rows, n)
}

// addRows adds rows segments of n values, src rows srcStride apart, to dst
// rows dstStride apart, in row order (dst rows may overlap).
func addRows(dst []float32, dstStride int, src []float32, srcStride, rows, n int) {
	if !kernel.simd || n%8 != 0 || rows == 0 || n == 0 {
		addRowsGo(dst, dstStride, src, srcStride, rows, n)
		return
	}
	_, _ = dst[(rows-1)*dstStride+n-1], src[(rows-1)*srcStride+n-1]
	addRowsAVX2(&dst[0], dstStride, &src[0], srcStride, rows, n)
}

// addTo adds src to dst element-wise.
func addTo(dst, src []float32) {
	n := len(src)
	dst = dst[:n]
	if kernel.simd && n >= 8 {
		n8 := n &^ 7
		addToAVX2(&dst[0], &src[0], n8)
		dst, src = dst[n8:], src[n8:]
	}
	addToGo(dst, src)
}

// reluMask zeroes the gradient g wherever the ReLU output y is not positive.
func reluMask(g, y []float32) {
	n := len(g)
	y = y[:n]
	if kernel.simd && n >= 8 {
		n8 := n &^ 7
		reluMaskAVX2(&g[0], &y[0], n8)
		g, y = g[n8:], y[n8:]
	}
	reluMaskGo(g, y)
}

// adam applies one Adam update (see adamGo).
func adam(w, g, m, v []float32, s adamStep) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	if kernel.simd && n >= 8 {
		n8 := n &^ 7
		adamAVX2(&w[0], &g[0], &m[0], &v[0], n8, &s)
		w, g, m, v = w[n8:], g[n8:], m[n8:], v[n8:]
	}
	adamGo(w, g, m, v, s)
}
