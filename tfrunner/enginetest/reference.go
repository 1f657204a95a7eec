package enginetest

import (
	"math"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// This file is a straightforward float64 implementation of every layer, the
// loss and Adam, written independently of any engine's data structures
// (only the geometry comes from graphs): the oracle of the suite, and of the
// native engine's layer tests.

// Geom is the geometry of a convolution or pooling window.
type Geom struct {
	ih, iw, ic, oh, ow, oc int
	k, stride, padT, padL  int
}

// NewGeom returns the geometry of a k×k window with the given stride and
// padding on an ih×iw×ic input, with oc output channels.
func NewGeom(ih, iw, ic, oc, k, stride int, pad graphs.Padding) Geom {
	return Geom{
		ih: ih, iw: iw, ic: ic, oc: oc, k: k, stride: stride,
		oh: graphs.OutputSize(ih, k, stride, pad), ow: graphs.OutputSize(iw, k, stride, pad),
		padT: graphs.PadBefore(ih, k, stride, pad), padL: graphs.PadBefore(iw, k, stride, pad),
	}
}

// Conv returns the pre-activation output of n images.
func Conv(g Geom, n int, x, w, b []float64) []float64 {
	y := make([]float64, n*g.oh*g.ow*g.oc)
	for i := range n {
		for oy := range g.oh {
			for ox := range g.ow {
				for f := range g.oc {
					s := b[f]
					for dy := range g.k {
						for dx := range g.k {
							iy, ix := oy*g.stride+dy-g.padT, ox*g.stride+dx-g.padL
							if iy < 0 || iy >= g.ih || ix < 0 || ix >= g.iw {
								continue
							}
							for c := range g.ic {
								s += x[((i*g.ih+iy)*g.iw+ix)*g.ic+c] * w[((dy*g.k+dx)*g.ic+c)*g.oc+f]
							}
						}
					}
					y[((i*g.oh+oy)*g.ow+ox)*g.oc+f] = s
				}
			}
		}
	}
	return y
}

// ConvBackward returns the gradients of the input, kernel and bias given
// the gradient gy of the pre-activation output.
func ConvBackward(g Geom, n int, x, w, gy []float64) (gx, gw, gb []float64) {
	gx = make([]float64, len(x))
	gw = make([]float64, len(w))
	gb = make([]float64, g.oc)
	for i := range n {
		for oy := range g.oh {
			for ox := range g.ow {
				for f := range g.oc {
					d := gy[((i*g.oh+oy)*g.ow+ox)*g.oc+f]
					gb[f] += d
					for dy := range g.k {
						for dx := range g.k {
							iy, ix := oy*g.stride+dy-g.padT, ox*g.stride+dx-g.padL
							if iy < 0 || iy >= g.ih || ix < 0 || ix >= g.iw {
								continue
							}
							for c := range g.ic {
								xi := ((i*g.ih+iy)*g.iw+ix)*g.ic + c
								wi := ((dy*g.k+dx)*g.ic+c)*g.oc + f
								gx[xi] += d * w[wi]
								gw[wi] += d * x[xi]
							}
						}
					}
				}
			}
		}
	}
	return gx, gw, gb
}

// Pool returns the max-pooled output and, per output value, the input
// index of the first maximum of its window in row-major order.
func Pool(g Geom, n int, x []float64) ([]float64, []int) {
	y := make([]float64, n*g.oh*g.ow*g.ic)
	arg := make([]int, len(y))
	for i := range n {
		for oy := range g.oh {
			for ox := range g.ow {
				for c := range g.ic {
					best, bi := math.Inf(-1), -1
					for dy := range g.k {
						for dx := range g.k {
							iy, ix := oy*g.stride+dy-g.padT, ox*g.stride+dx-g.padL
							if iy < 0 || iy >= g.ih || ix < 0 || ix >= g.iw {
								continue
							}
							xi := ((i*g.ih+iy)*g.iw+ix)*g.ic + c
							if bi < 0 || x[xi] > best {
								best, bi = x[xi], xi
							}
						}
					}
					yi := ((i*g.oh+oy)*g.ow+ox)*g.ic + c
					y[yi], arg[yi] = best, bi
				}
			}
		}
	}
	return y, arg
}

// PoolBackward scatters the output gradient gy to the argmax inputs that
// Pool returned, for an input of nx values.
func PoolBackward(nx int, arg []int, gy []float64) []float64 {
	gx := make([]float64, nx)
	for j, a := range arg {
		gx[a] += gy[j]
	}
	return gx
}

// Dense returns x·w + b for n rows.
func Dense(n, in, out int, x, w, b []float64) []float64 {
	y := make([]float64, n*out)
	for i := range n {
		for j := range out {
			s := b[j]
			for p := range in {
				s += x[i*in+p] * w[p*out+j]
			}
			y[i*out+j] = s
		}
	}
	return y
}

// DenseBackward returns the gradients of the input, weights and bias of
// Dense given the gradient gy of its output.
func DenseBackward(n, in, out int, x, w, gy []float64) (gx, gw, gb []float64) {
	gx = make([]float64, n*in)
	gw = make([]float64, in*out)
	gb = make([]float64, out)
	for i := range n {
		for j := range out {
			d := gy[i*out+j]
			gb[j] += d
			for p := range in {
				gx[i*in+p] += d * w[p*out+j]
				gw[p*out+j] += d * x[i*in+p]
			}
		}
	}
	return gx, gw, gb
}

// ReLU returns max(z, 0) elementwise.
func ReLU(z []float64) []float64 {
	y := make([]float64, len(z))
	for i, v := range z {
		y[i] = math.Max(v, 0)
	}
	return y
}

// Loss returns the mean clipped cross-entropy of softmax(z) and the
// gradient (p - onehot)/n with respect to the logits z.
func Loss(z []float64, labels []int, k int) (float64, []float64) {
	n := len(labels)
	grad := make([]float64, len(z))
	loss := 0.0
	for i, y := range labels {
		row := z[i*k : (i+1)*k]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, v)
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(v - mx)
		}
		for j, v := range row {
			p := math.Exp(v-mx) / sum
			if j == y {
				loss -= math.Log(math.Min(math.Max(p, 1e-7), 1-1e-7))
				p--
			}
			grad[i*k+j] = p / float64(n)
		}
	}
	return loss / float64(n), grad
}

// Reference runs a whole graphs.Model in float64.
type Reference struct {
	m *graphs.Model
	w [][]float64 // in ParamSpecs order
}

// NewReference returns the float64 model m with the weights w.
func NewReference(m *graphs.Model, w tfrunner.Weights) *Reference {
	r := &Reference{m: m}
	for _, t := range w {
		r.w = append(r.w, To64(t.Data))
	}
	return r
}

// layerGeom returns the geometry of a conv or pool layer on input in.
func layerGeom(l graphs.Layer, in graphs.Shape) Geom {
	switch v := l.(type) {
	case *graphs.Conv2D:
		return NewGeom(in[0], in[1], in[2], v.Filters, v.Kernel, v.Strides(), v.Padding)
	case *graphs.MaxPool2D:
		return NewGeom(in[0], in[1], in[2], in[2], v.Pool, v.Strides(), v.Pad())
	}
	panic("not spatial")
}

// LossAndGrads returns the batch loss, the gradients of every parameter
// and every layer's output (softmax probabilities for the last).
func (r *Reference) LossAndGrads(x []float64, labels []int) (float64, [][]float64, [][]float64) {
	n := len(labels)
	var acts [][]float64 // input of each layer
	var pre [][]float64  // pre-activation output of each layer
	var args [][]int
	h := x
	in := r.m.Input
	shapes, _ := r.m.Shapes()
	pi := 0
	pidx := make([]int, len(r.m.Layers))
	for i, l := range r.m.Layers {
		acts = append(acts, h)
		pidx[i] = pi
		var z []float64
		var arg []int
		act := graphs.Linear
		switch v := l.(type) {
		case *graphs.Conv2D:
			z = Conv(layerGeom(l, in), n, h, r.w[pi], r.w[pi+1])
			act = v.Activation
			pi += 2
		case *graphs.MaxPool2D:
			z, arg = Pool(layerGeom(l, in), n, h)
		case *graphs.Flatten:
			z = h
		case *graphs.Dense:
			z = Dense(n, in.Size(), v.Units, h, r.w[pi], r.w[pi+1])
			act = v.Activation
			pi += 2
		}
		pre = append(pre, z)
		args = append(args, arg)
		if act == graphs.ReLU {
			h = ReLU(z)
		} else {
			h = z
		}
		in = shapes[i]
	}
	k := r.m.Classes()
	loss, g := Loss(pre[len(pre)-1], labels, k)
	outs := make([][]float64, len(r.m.Layers))
	for i := range r.m.Layers {
		if i+1 < len(acts) {
			outs[i] = acts[i+1]
		}
	}
	outs[len(outs)-1] = Softmax(pre[len(pre)-1], k)
	grads := make([][]float64, len(r.w))
	for i := len(r.m.Layers) - 1; i >= 0; i-- {
		l := r.m.Layers[i]
		in := r.m.InputOf(i)
		switch v := l.(type) {
		case *graphs.Conv2D:
			if v.Activation == graphs.ReLU {
				g = maskReLU(g, pre[i])
			}
			gx, gw, gb := ConvBackward(layerGeom(l, in), n, acts[i], r.w[pidx[i]], g)
			grads[pidx[i]], grads[pidx[i]+1] = gw, gb
			g = gx
		case *graphs.MaxPool2D:
			g = PoolBackward(len(acts[i]), args[i], g)
		case *graphs.Dense:
			if v.Activation == graphs.ReLU {
				g = maskReLU(g, pre[i])
			}
			gx, gw, gb := DenseBackward(n, in.Size(), v.Units, acts[i], r.w[pidx[i]], g)
			grads[pidx[i]], grads[pidx[i]+1] = gw, gb
			g = gx
		}
	}
	return loss, grads, outs
}

func maskReLU(g, z []float64) []float64 {
	out := make([]float64, len(g))
	for i := range g {
		if z[i] > 0 {
			out[i] = g[i]
		}
	}
	return out
}

// Softmax returns the softmax of each row of k logits in z.
func Softmax(z []float64, k int) []float64 {
	p := make([]float64, len(z))
	for i := 0; i < len(z); i += k {
		mx := math.Inf(-1)
		for _, v := range z[i : i+k] {
			mx = math.Max(mx, v)
		}
		s := 0.0
		for _, v := range z[i : i+k] {
			s += math.Exp(v - mx)
		}
		for j, v := range z[i : i+k] {
			p[i+j] = math.Exp(v-mx) / s
		}
	}
	return p
}

// AdamUpdate applies one Adam update (step t, 1-based) in float64 with the
// textbook formula.
func AdamUpdate(h tfrunner.Adam, t int, w, g, m, v []float64) {
	lr := h.LearningRate * math.Sqrt(1-math.Pow(h.Beta2, float64(t))) / (1 - math.Pow(h.Beta1, float64(t)))
	for i := range w {
		m[i] = h.Beta1*m[i] + (1-h.Beta1)*g[i]
		v[i] = h.Beta2*v[i] + (1-h.Beta2)*g[i]*g[i]
		w[i] -= lr * m[i] / (math.Sqrt(v[i]) + h.Epsilon)
	}
}

// To64 widens s to float64.
func To64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

// To32 rounds s to float32.
func To32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}
