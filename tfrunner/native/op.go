package native

import (
	"fmt"

	"fmnist/graphs"
)

// opKind is the kind of a compiled layer.
type opKind int

const (
	opConv opKind = iota
	opPool
	opFlatten
	opDense
)

// op is one compiled layer with its geometry and its per-batch buffers.
// Buffers hold `capacity` images, image-major, so any range of images is a
// contiguous slice.
type op struct {
	kind    opKind
	index   int // position in the model
	name    string
	act     graphs.Activation // linear, relu or softmax (dense only)
	inSize  int               // values per image of the input
	outSize int               // values per image of the output

	// Spatial geometry (conv and pool): input ih×iw×ic, output oh×ow×oc,
	// window kh×kw, stride, and TensorFlow's padding before the first row
	// and column.
	ih, iw, ic, oh, ow, oc int
	kh, kw, stride         int
	padT, padL             int
	patch                  int // conv: kh*kw*ic, one im2col row

	// colsT: conv im2col is stored transposed, [patch+1][pixels] per image
	// (for few input channels, where it is built from row copies); else
	// [pixels][cstride], with cstride ≥ patch+1 a multiple of 16. With
	// colsT, cstride is patch+1: either way an image takes
	// pixels·cstride values.
	colsT   bool
	cstride int
	// maskedByNext: a conv whose ReLU mask the following pool applies.
	maskedByNext bool
	// fused: a conv followed by a pool; training runs the pair image by
	// image through per-worker scratch instead of o.out and o.grad (which is
	// not allocated), and o.out is only written when Forward asks for it.
	fused bool
	// Conv and pool: the range [oxlo, oxhi) of output columns whose
	// windows are not cut by padding. Pool: window offsets in the input,
	// whether windows do not overlap and whether they cover the whole
	// input, and whether the input is a ReLU output whose mask the backward
	// pass applies.
	offs              []int32
	tvals             []int32 // window position of each offs entry
	oxlo, oxhi        int
	disjoint, covered bool
	reluIn            bool

	param     int  // index of the kernel in Program.params (bias is param+1); -1 without weights
	needsGrad bool // the gradient with respect to the output is needed
	inputGrad bool // backward must produce the gradient with respect to the input

	out  []float32 // output after the activation; a flatten aliases its input
	grad []float32 // gradient with respect to the output (then the pre-activation)
	cols []float32 // conv: im2col rows, (oh*ow) rows of patch values per image
	arg  []int32   // pool: per output value, the index in the image's input of its maximum
	kT   []float32 // conv with inputGrad: the kernel transposed, [out][in]
	// dense: the output gradient transposed, [out][n], and, for the first
	// dense layer after spatial ones, its input gradient transposed, [in][n].
	gradT, dxT []float32
	// conv: the kernel gradient with the bias gradient as an extra row,
	// [patch+1][oc]; the parameters' gradients are slices of it.
	kgrad []float32
	kpart []float32 // conv: per image, its share of kgrad
}

// compile turns the model's layers into ops.
func compile(m *graphs.Model) ([]*op, error) {
	shapes, err := m.Shapes()
	if err != nil {
		return nil, err
	}
	var ops []*op
	in := m.Input
	param := 0
	for i, l := range m.Layers {
		out := shapes[i]
		o := &op{index: i, name: l.LayerName(), inSize: in.Size(), outSize: out.Size(), param: -1}
		switch v := l.(type) {
		case *graphs.Conv2D:
			o.kind, o.act = opConv, v.Activation
			o.setGeometry(in, out, v.Kernel, v.Strides(), v.Padding)
			o.patch = o.kh * o.kw * o.ic
			o.setInterior()
			o.colsT = o.ic*o.kw < 16
			o.cstride = o.patch + 1
			if !o.colsT {
				o.cstride = (o.patch + 16) &^ 15
			}
		case *graphs.MaxPool2D:
			o.kind, o.act = opPool, graphs.Linear
			o.setGeometry(in, out, v.Pool, v.Strides(), v.Pad())
			o.poolSetup()
			if i > 0 {
				if prev := ops[i-1]; prev.kind == opConv {
					prev.fused = true
					if prev.act == graphs.ReLU {
						o.reluIn, prev.maskedByNext = true, true
					}
				}
			}
		case *graphs.Flatten:
			o.kind, o.act = opFlatten, graphs.Linear
		case *graphs.Dense:
			o.kind, o.act = opDense, v.Activation
			if len(in) != 1 {
				return nil, fmt.Errorf("layer %s: dense input shape %v is not a vector", o.name, []int(in))
			}
		default:
			return nil, fmt.Errorf("layer %s: unsupported layer type %s", l.LayerName(), l.Type())
		}
		if o.act == "" {
			o.act = graphs.Linear
		}
		if o.act == graphs.Softmax && (o.kind != opDense || i != len(m.Layers)-1) {
			return nil, fmt.Errorf("layer %s: softmax is only supported on the last dense layer", o.name)
		}
		if specs := l.Params(in); len(specs) > 0 {
			if len(specs) != 2 || specs[0].Name != "kernel" || specs[1].Name != "bias" {
				return nil, fmt.Errorf("layer %s: unexpected parameters %v", o.name, specs)
			}
			o.param = param
			param += 2
		}
		ops = append(ops, o)
		in = out
	}
	last := ops[len(ops)-1]
	if last.kind != opDense || last.act != graphs.Softmax {
		return nil, fmt.Errorf("model %s: the last layer must be a dense softmax", m.Name)
	}
	first := -1
	for i, o := range ops {
		if o.param >= 0 && first < 0 {
			first = i
		}
		o.needsGrad = first >= 0
		o.inputGrad = first >= 0 && i > first
	}
	return ops, nil
}

func (o *op) setGeometry(in, out graphs.Shape, window, stride int, pad graphs.Padding) {
	o.ih, o.iw, o.ic = in[0], in[1], in[2]
	o.oh, o.ow, o.oc = out[0], out[1], out[2]
	o.kh, o.kw, o.stride = window, window, stride
	o.padT = graphs.PadBefore(o.ih, window, stride, pad)
	o.padL = graphs.PadBefore(o.iw, window, stride, pad)
}

// pixels is the number of output positions per image.
func (o *op) pixels() int { return o.oh * o.ow }
