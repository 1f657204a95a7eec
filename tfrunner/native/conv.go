package native

import "fmnist/graphs"

// Conv2D runs as im2col + GEMM. The kernel [kh, kw, in, out] (HWIO) is, in
// row-major order, already the [patch × out] matrix that multiplies im2col
// rows whose columns are ordered (dy, dx, channel).
//
// The im2col matrix has one more column (or, transposed, row) of ones, set
// once at allocation: the kernel-gradient GEMM colsᵀ·grad then also yields
// the bias gradient, as its last row. Row-major, its rows are o.cstride
// values apart, a multiple of 16 (64 bytes) so that GEMMs reading them as
// their B operand load whole cache lines.

// convForward computes images [lo, hi) into o.out.
func (o *op) convForward(in []float32, lo, hi int, w, b []float32) {
	if o.colsT {
		for n := lo; n < hi; n++ {
			o.convImage(in, n, o.out[n*o.outSize:(n+1)*o.outSize], w, b)
		}
		return
	}
	size := o.pixels() * o.cstride
	for n := lo; n < hi; n++ {
		o.im2col(in[n*o.inSize:(n+1)*o.inSize], o.cols[n*size:(n+1)*size])
	}
	gemm((hi-lo)*o.pixels(), o.oc, o.patch, o.cols[lo*size:], o.cstride, 1, w, o.oc, o.out[lo*o.outSize:], o.oc, b, o.gemmFlags())
}

// convImage computes image n of the batch input in: im2col into o.cols,
// then y = act(cols·kernel + bias), one image.
func (o *op) convImage(in []float32, n int, y, w, b []float32) {
	p, k := o.pixels(), o.patch
	cols := o.cols[n*p*o.cstride : (n+1)*p*o.cstride]
	if o.colsT {
		o.im2colT(in[n*o.inSize:(n+1)*o.inSize], cols)
		gemm(p, o.oc, k, cols, 1, p, w, o.oc, y, o.oc, b, o.gemmFlags())
		return
	}
	o.im2col(in[n*o.inSize:(n+1)*o.inSize], cols)
	gemm(p, o.oc, k, cols, o.cstride, 1, w, o.oc, y, o.oc, b, o.gemmFlags())
}

// gemmFlags are the flags of the forward GEMM: bias, and ReLU if any.
func (o *op) gemmFlags() int {
	if o.act == graphs.ReLU {
		return gemmBias | gemmReLU
	}
	return gemmBias
}

// im2colT writes one image's patches transposed: row (dy, dx, c) holds that
// window position's value for every output pixel, zero in the padding.
func (o *op) im2colT(in, cols []float32) {
	p, ic, s := o.pixels(), o.ic, o.stride
	for dy := range o.kh {
		for dx := range o.kw {
			for c := range ic {
				row := cols[((dy*o.kw+dx)*ic+c)*p:][:p]
				// Output columns [oxa, oxb) read inside the image.
				oxa := min(max(0, (o.padL-dx+s-1)/s), o.ow)
				oxb := oxa
				if last := o.iw - 1 - dx + o.padL; last >= 0 {
					oxb = max(min(o.ow, last/s+1), oxa)
				}
				for oy := range o.oh {
					dst := row[oy*o.ow:][:o.ow]
					iy := oy*s + dy - o.padT
					if iy < 0 || iy >= o.ih {
						clear(dst)
						continue
					}
					clear(dst[:oxa])
					clear(dst[oxb:])
					if oxa == oxb {
						continue
					}
					src := in[(iy*o.iw+oxa*s+dx-o.padL)*ic+c:]
					if s == 1 && ic == 1 {
						copy(dst[oxa:oxb], src)
						continue
					}
					for j := range dst[oxa:oxb] {
						dst[oxa+j] = src[j*s*ic]
					}
				}
			}
		}
	}
}

// im2col writes one image's patches: a row of kh*kw*ic values (and the
// ones column, left alone) per output position, zero where the window hangs
// over the padding. Windows inside the image are copied a whole output row
// at a time (copyRows).
func (o *op) im2col(in, cols []float32) {
	ic, s := o.ic, o.stride
	seg := o.kw * ic
	for oy := range o.oh {
		for dy := range o.kh {
			base := oy*o.ow*o.cstride + dy*seg // (oy, ox=0, dy)
			iy := oy*s + dy - o.padT
			if iy < 0 || iy >= o.ih {
				for ox := range o.ow {
					clear(cols[base+ox*o.cstride:][:seg])
				}
				continue
			}
			src := in[iy*o.iw*ic:][:o.iw*ic]
			for ox := range min(o.oxlo, o.ow) {
				o.patchEdge(cols[base+ox*o.cstride:][:seg], src, ox)
			}
			if o.oxlo < o.oxhi {
				copyRows(cols[base+o.oxlo*o.cstride:], o.cstride, src[(o.oxlo*s-o.padL)*ic:], s*ic, o.oxhi-o.oxlo, seg)
			}
			for ox := max(o.oxlo, o.oxhi); ox < o.ow; ox++ {
				o.patchEdge(cols[base+ox*o.cstride:][:seg], src, ox)
			}
		}
	}
}

// patchEdge writes the kw*ic values of output column ox's window in one
// input row src, zero where it hangs over the padding.
func (o *op) patchEdge(dst, src []float32, ox int) {
	ic := o.ic
	ix0 := ox*o.stride - o.padL
	for dx := range o.kw {
		if ix := ix0 + dx; ix < 0 || ix >= o.iw {
			clear(dst[dx*ic:][:ic])
		} else {
			copy(dst[dx*ic:][:ic], src[ix*ic:][:ic])
		}
	}
}

// convBackward runs convBackImage on images [lo, hi) of o.grad, writing
// input gradients into gin when needed.
func (o *op) convBackward(gin []float32, lo, hi int, dcols []float32) {
	for n := lo; n < hi; n++ {
		var gi []float32
		if o.inputGrad {
			gi = gin[n*o.inSize : (n+1)*o.inSize]
		}
		o.convBackImage(n, o.grad[n*o.outSize:(n+1)*o.outSize], o.out[n*o.outSize:(n+1)*o.outSize], gi, dcols)
	}
}

// convBackImage takes image n's gradient g with respect to the output y,
// turns it into the pre-activation gradient (unless the following pool
// did), computes the image's share of the kernel gradient and, if gin is
// not nil, writes the gradient with respect to the input into gin, using
// dcols (one image of im2col rows, and at least oc×(patch+1) values) as
// scratch.
func (o *op) convBackImage(n int, g, y, gin, dcols []float32) {
	if o.act == graphs.ReLU && !o.maskedByNext {
		reluMask(g, y)
	}
	o.convPartial(n, g, dcols)
	if gin == nil {
		return
	}
	gemm(o.pixels(), o.patch, o.oc, g, o.oc, 1, o.kT, o.patch, dcols, o.patch, nil, 0)
	clear(gin)
	o.col2im(dcols, gin)
}

// col2im adds every patch row of dcols back into the image gradient g. For
// each output row and window row it adds the interior windows a whole
// output row at a time (addRows); every element still receives its terms in
// increasing output position.
func (o *op) col2im(dcols, g []float32) {
	k, ic, s := o.patch, o.ic, o.stride
	seg := o.kw * ic
	for oy := range o.oh {
		for dy := range o.kh {
			iy := oy*s + dy - o.padT
			if iy < 0 || iy >= o.ih {
				continue
			}
			dst := g[iy*o.iw*ic:][:o.iw*ic]
			base := oy*o.ow*k + dy*seg // (oy, ox=0, dy)
			for ox := range min(o.oxlo, o.ow) {
				o.addEdge(dst, dcols[base+ox*k:][:seg], ox)
			}
			if o.oxlo < o.oxhi {
				addRows(dst[(o.oxlo*s-o.padL)*ic:], s*ic, dcols[base+o.oxlo*k:], k, o.oxhi-o.oxlo, seg)
			}
			for ox := max(o.oxlo, o.oxhi); ox < o.ow; ox++ {
				o.addEdge(dst, dcols[base+ox*k:][:seg], ox)
			}
		}
	}
}

// addEdge adds the kw*ic values src of output column ox's window to the
// input row dst, skipping the padding.
func (o *op) addEdge(dst, src []float32, ox int) {
	ic := o.ic
	ix0 := ox*o.stride - o.padL
	for dx := range o.kw {
		if ix := ix0 + dx; ix >= 0 && ix < o.iw {
			addTo(dst[ix*ic:][:ic], src[dx*ic:][:ic])
		}
	}
}

// convPartial computes image n's share of the kernel gradient, augmented
// with the bias gradient as row patch: colsᵀ·g over the image's output
// positions (g is the image's pre-activation gradient), into o.kpart.
// The update phase sums the shares in image order, so the result depends neither on
// the chunking nor on the threads, and this GEMM runs while the image's
// gradient is still in cache. With the row-major im2col layout it computes
// the transpose gᵀ·cols into tmp (oc×patch values), which streams the
// im2col rows once, and transposes that.
func (o *op) convPartial(n int, g, tmp []float32) {
	ka, p := o.patch+1, o.pixels()
	part := o.kpart[n*ka*o.oc : (n+1)*ka*o.oc]
	cols := o.cols[n*p*o.cstride : (n+1)*p*o.cstride]
	if o.colsT {
		gemm(ka, o.oc, p, cols, p, 1, g, o.oc, part, o.oc, nil, 0)
		return
	}
	// The ones column would cost a whole masked panel of the kernel: the
	// bias row is summed directly, in the same order (fma(1, g, s) is
	// g + s exactly).
	k := o.patch
	gemm(o.oc, k, p, g, 1, o.oc, cols, o.cstride, tmp, k, nil, 0)
	transposeBlock(part, tmp, o.oc, k, 0, o.oc, 0, k)
	biasGrad(part[k*o.oc:], g, p, o.oc)
}

// convReduce sums the n images' shares of rows [r0, r1) and columns
// [c0, c1) of the augmented kernel gradient into o.kgrad, in image order.
func (o *op) convReduce(n, r0, r1, c0, c1 int) {
	size := (o.patch + 1) * o.oc
	for r := r0; r < r1; r++ {
		lo, hi := r*o.oc+c0, r*o.oc+c1
		dst := o.kgrad[lo:hi]
		copy(dst, o.kpart[lo:hi])
		for i := 1; i < n; i++ {
			addTo(dst, o.kpart[i*size+lo:i*size+hi])
		}
	}
}

// initOnes sets the ones row (transposed layout) or column of every image
// of the im2col buffer.
func (o *op) initOnes() {
	p, k := o.pixels(), o.patch
	size := p * o.cstride
	for n := range len(o.cols) / size {
		img := o.cols[n*size : (n+1)*size]
		for j := range p {
			if o.colsT {
				img[k*p+j] = 1
			} else {
				img[j*o.cstride+k] = 1
			}
		}
	}
}

// biasGrad sets db to the column sums of the rows×cols matrix g, summing
// rows in order.
func biasGrad(db, g []float32, rows, cols int) {
	clear(db)
	for r := range rows {
		addTo(db, g[r*cols:(r+1)*cols])
	}
}
