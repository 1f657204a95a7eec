package native

// MaxPool2D. Positions in TensorFlow's SAME padding never win: a window
// takes the maximum of its positions inside the image only.
//
// Tie rule: the gradient goes to the first maximum of the window, scanning
// the window in row-major order (top row first, left to right); a later
// position wins only if it is strictly greater. This is what TensorFlow's
// CPU MaxPoolGrad does. If the window holds a NaN, the result is whatever
// the comparisons give (a NaN in the first position is kept).
//
// Windows entirely inside the image run through poolMax/poolBack (AVX2 when
// the channel count is a multiple of 8); windows cut by SAME padding run
// through poolPixel. When the pool's input is a ReLU output (o.reluIn), the
// backward pass also applies the ReLU's mask: the maximum's gradient counts
// only if the pooled value is positive, and every other position of a
// window gets zero anyway, so the producing layer skips its own mask.

// The recorded argmax (o.arg) of an output value is the position t =
// dy·kw + dx of the maximum in its window, counting positions cut by
// padding; argIndex turns it into an index in the image's input.

// poolSetup fills the pool-specific fields of o.
func (o *op) poolSetup() {
	c := o.ic
	o.offs = make([]int32, 0, o.kh*o.kw)
	o.tvals = make([]int32, 0, o.kh*o.kw)
	for dy := range o.kh {
		for dx := range o.kw {
			o.offs = append(o.offs, int32((dy*o.iw+dx)*c))
			o.tvals = append(o.tvals, int32(dy*o.kw+dx))
		}
	}
	s := o.stride
	o.setInterior()
	o.disjoint = s >= o.kh && s >= o.kw
	o.covered = s == o.kh && s == o.kw && o.oh*s-o.padT >= o.ih && o.ow*s-o.padL >= o.iw
}

// argIndex returns the input index of output (oy, ox, ch) whose maximum
// is at window position t.
func (o *op) argIndex(oy, ox, ch int, t int32) int {
	dy, dx := int(t)/o.kw, int(t)%o.kw
	return ((oy*o.stride-o.padT+dy)*o.iw+ox*o.stride-o.padL+dx)*o.ic + ch
}

// setInterior sets [oxlo, oxhi), the output columns whose windows lie
// inside the image horizontally.
func (o *op) setInterior() {
	s := o.stride
	o.oxlo = min((o.padL+s-1)/s, o.ow)
	o.oxhi = 0
	if r := o.iw - o.kw + o.padL; r >= 0 {
		o.oxhi = min(r/s+1, o.ow)
	}
}

// rowWindow returns, for output row oy, the first input row of its window
// and the valid window rows [dylo, dyhi).
func (o *op) rowWindow(oy int) (y0, dylo, dyhi int) {
	y0 = oy*o.stride - o.padT
	return y0, max(0, -y0), min(o.kh, o.ih-y0)
}

// poolForward computes images [lo, hi) of out and arg.
func (o *op) poolForward(in []float32, lo, hi int) {
	for n := lo; n < hi; n++ {
		o.poolImage(in[n*o.inSize:(n+1)*o.inSize], o.out[n*o.outSize:(n+1)*o.outSize], o.arg[n*o.outSize:(n+1)*o.outSize])
	}
}

func (o *op) poolImage(in, out []float32, arg []int32) {
	c, s := o.ic, o.stride
	for oy := range o.oh {
		y0, dylo, dyhi := o.rowWindow(oy)
		if o.oxlo < o.oxhi {
			j := (oy*o.ow + o.oxlo) * c
			base := (y0*o.iw + o.oxlo*s - o.padL) * c
			poolMax(out[j:], arg[j:], in, o.offs[dylo*o.kw:dyhi*o.kw], o.tvals[dylo*o.kw:dyhi*o.kw], o.oxhi-o.oxlo, c, base, s*c)
		}
		for ox := range o.ow {
			if ox < o.oxlo || ox >= o.oxhi {
				o.poolPixel(in, out, arg, oy, ox)
			}
		}
	}
}

// poolPixel pools one output pixel whose window may be cut by padding.
func (o *op) poolPixel(in, out []float32, arg []int32, oy, ox int) {
	c := o.ic
	y0, dylo, dyhi := o.rowWindow(oy)
	x0 := ox*o.stride - o.padL
	dxlo, dxhi := max(0, -x0), min(o.kw, o.iw-x0)
	dst := out[(oy*o.ow+ox)*c:][:c]
	am := arg[(oy*o.ow+ox)*c:][:c]
	for dy := dylo; dy < dyhi; dy++ {
		for dx := dxlo; dx < dxhi; dx++ {
			off := ((y0+dy)*o.iw + x0 + dx) * c
			src := in[off : off+c]
			t := int32(dy*o.kw + dx)
			if dy == dylo && dx == dxlo {
				copy(dst, src)
				for j := range am {
					am[j] = t
				}
				continue
			}
			for j, v := range src {
				if v > dst[j] {
					dst[j] = v
					am[j] = t
				}
			}
		}
	}
}

// poolBackward writes the gradient with respect to the input of images
// [lo, hi) into gin: each output's gradient goes to its window's maximum.
func (o *op) poolBackward(gin []float32, lo, hi int) {
	for n := lo; n < hi; n++ {
		r := n * o.outSize
		o.poolBackImage(gin[n*o.inSize:(n+1)*o.inSize], o.grad[r:r+o.outSize], o.out[r:r+o.outSize], o.arg[r:r+o.outSize])
	}
}

func (o *op) poolBackImage(gin, g, out []float32, arg []int32) {
	c := o.ic
	if !o.disjoint {
		clear(gin)
		for j, t := range arg {
			if !o.reluIn || out[j] > 0 {
				pix := j / c
				gin[o.argIndex(pix/o.ow, pix%o.ow, j%c, t)] += g[j]
			}
		}
		return
	}
	if !o.covered {
		clear(gin)
	}
	s := o.stride
	for oy := range o.oh {
		y0, dylo, dyhi := o.rowWindow(oy)
		if o.oxlo < o.oxhi {
			j := (oy*o.ow + o.oxlo) * c
			base := (y0*o.iw + o.oxlo*s - o.padL) * c
			poolBack(gin, g[j:], out[j:], arg[j:], o.offs[dylo*o.kw:dyhi*o.kw], o.tvals[dylo*o.kw:dyhi*o.kw], o.oxhi-o.oxlo, c, base, s*c, o.reluIn)
		}
		for ox := range o.ow {
			if ox >= o.oxlo && ox < o.oxhi {
				continue
			}
			x0 := ox*o.stride - o.padL
			for iy := y0 + dylo; iy < y0+dyhi; iy++ {
				for ix := max(x0, 0); ix < min(x0+o.kw, o.iw); ix++ {
					p := (iy*o.iw + ix) * c
					t := int32((iy-y0)*o.kw + ix - x0)
					for ch := range c {
						j := (oy*o.ow+ox)*c + ch
						v := g[j]
						if arg[j] != t || (o.reluIn && !(out[j] > 0)) {
							v = 0
						}
						gin[p+ch] = v
					}
				}
			}
		}
	}
}
