//go:build !purego

package native

// The max-pooling kernels, generated into pool_amd64.s by asm_gen.go.

//go:noescape
func poolMaxAVX2(out *float32, arg *int32, in *float32, offs, tvals *int32, kk, n, c, base, pixStride int)

//go:noescape
func poolBackAVX2(gin, gr, out *float32, arg, offs, tvals *int32, kk, n, c, base, pixStride, relu int)

// poolMax is poolMaxGo, in assembly when c is a multiple of 8.
func poolMax(out []float32, arg []int32, in []float32, offs, tvals []int32, n, c, base, pixStride int) {
	if !kernel.simd || c%8 != 0 || n == 0 {
		poolMaxGo(out, arg, in, offs, tvals, n, c, base, pixStride)
		return
	}
	checkWindows(len(in), offs, n, c, base, pixStride)
	_, _, _ = out[n*c-1], arg[n*c-1], tvals[len(offs)-1]
	poolMaxAVX2(&out[0], &arg[0], &in[0], &offs[0], &tvals[0], len(offs), n, c, base, pixStride)
}

// poolBack is poolBackGo, in assembly when c is a multiple of 8.
func poolBack(gin, g, out []float32, arg, offs, tvals []int32, n, c, base, pixStride int, relu bool) {
	if !kernel.simd || c%8 != 0 || n == 0 {
		poolBackGo(gin, g, out, arg, offs, tvals, n, c, base, pixStride, relu)
		return
	}
	checkWindows(len(gin), offs, n, c, base, pixStride)
	_, _, _, _ = g[n*c-1], out[n*c-1], arg[n*c-1], tvals[len(offs)-1]
	r := 0
	if relu {
		r = 1
	}
	poolBackAVX2(&gin[0], &g[0], &out[0], &arg[0], &offs[0], &tvals[0], len(offs), n, c, base, pixStride, r)
}
