//go:build !amd64 || purego

package native

func addTo(dst, src []float32)              { addToGo(dst, src) }
func reluMask(g, y []float32)               { reluMaskGo(g, y) }
func adam(w, g, m, v []float32, s adamStep) { adamGo(w, g, m, v, s) }

func poolMax(out []float32, arg []int32, in []float32, offs, tvals []int32, n, c, base, pixStride int) {
	poolMaxGo(out, arg, in, offs, tvals, n, c, base, pixStride)
}

func poolBack(gin, g, out []float32, arg, offs, tvals []int32, n, c, base, pixStride int, relu bool) {
	poolBackGo(gin, g, out, arg, offs, tvals, n, c, base, pixStride, relu)
}

func transposeBlock(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	transposeGo(dst, src, rows, cols, r0, r1, c0, c1)
}

func copyRows(dst []float32, dstStride int, src []float32, srcStride, rows, n int) {
	copyRowsGo(dst, dstStride, src, srcStride, rows, n)
}

func addRows(dst []float32, dstStride int, src []float32, srcStride, rows, n int) {
	addRowsGo(dst, dstStride, src, srcStride, rows, n)
}
