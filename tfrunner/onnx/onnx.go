// Package onnx exports an fmnist model, built from its graphs definition and
// trained weights, as an ONNX model (opset 13) that onnxruntime and other
// ONNX tools load. The protobuf is encoded by hand with protowire: the few
// ONNX messages it needs are described below with their field numbers from
// onnx.proto, so the default build needs neither cgo nor generated code.
//
// The exported graph takes the engines' input, float32 NHWC [N,28,28,1] with
// a symbolic batch dimension N, transposes it to NCHW for ONNX's Conv and
// MaxPool, transposes back to NHWC before Flatten (so the flattened vector is
// in the engines' row-major NHWC order and the Dense kernels apply as
// trained), and ends in Softmax. Its outputs are "probabilities" [N,classes]
// and, when the model names an encoding layer, "encoding" [N,dims].
package onnx

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"

	"fmnist/graphs"
	"fmnist/internal/atomicfile"

	"google.golang.org/protobuf/encoding/protowire"
)

// Opset is the ONNX operator set version the export uses.
const Opset = 13

// IRVersion is the ONNX IR version matching Opset 13.
const IRVersion = 7

// Names of the graph's input and outputs.
const (
	InputName    = "input"
	OutputName   = "probabilities"
	EncodingName = "encoding"
)

// Producer is the producer_name written into every model.
const Producer = "fmnist"

// ONNX enum values used here (onnx.proto).
const (
	tensorFloat = 1 // TensorProto.DataType FLOAT

	attrInt  = 2 // AttributeProto.AttributeType INT
	attrInts = 7 // AttributeProto.AttributeType INTS
)

// Write exports m with params (one slice per tensor, in
// m.ParamSpecs() order, kernels in the engines' HWIO / [in,out] layouts) to
// path, atomically.
func Write(path string, m *graphs.Model, params [][]float32) error {
	data, err := Marshal(m, params)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteBytes(path, data)
}

// Marshal returns the ONNX ModelProto of m with params, as bytes.
func Marshal(m *graphs.Model, params [][]float32) ([]byte, error) {
	g, err := buildGraph(m, params)
	if err != nil {
		return nil, err
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType) // ir_version
	b = protowire.AppendVarint(b, IRVersion)
	b = appendString(b, 2, Producer) // producer_name
	b = appendString(b, 3, "1")      // producer_version
	b = appendString(b, 6, fmt.Sprintf("fmnist model %s: input NHWC float32 [N,28,28,1] scaled to [0,1]; output softmax probabilities", m.Name))
	b = appendMessage(b, 7, g.marshal()) // graph
	var opset []byte
	opset = appendString(opset, 1, "") // the default domain, ai.onnx
	opset = protowire.AppendTag(opset, 2, protowire.VarintType)
	opset = protowire.AppendVarint(opset, Opset)
	b = appendMessage(b, 8, opset) // opset_import
	return b, nil
}

// node is an ONNX NodeProto.
type node struct {
	op      string
	name    string
	inputs  []string
	outputs []string
	ints    map[string][]int64 // INTS attributes
	int1    map[string]int64   // INT attributes
}

// initializer is a float32 constant of the graph.
type initializer struct {
	name string
	dims []int64
	data []float32
}

// valueInfo is a graph input or output: a float32 tensor with dims, where
// a negative dim is the symbolic batch dimension.
type valueInfo struct {
	name string
	dims []int64
}

type graph struct {
	name    string
	nodes   []node
	inits   []initializer
	inputs  []valueInfo
	outputs []valueInfo
}

// batchDim stands for the symbolic batch dimension in valueInfo dims.
const batchDim = -1

func buildGraph(m *graphs.Model, params [][]float32) (*graph, error) {
	specs := m.ParamSpecs()
	if len(params) != len(specs) {
		return nil, fmt.Errorf("model %s: %d weight tensors, want %d", m.Name, len(params), len(specs))
	}
	for i, s := range specs {
		if len(params[i]) != s.Size() {
			return nil, fmt.Errorf("model %s: weight %s has %d values, want %d", m.Name, s.Key(), len(params[i]), s.Size())
		}
	}
	shapes, err := m.Shapes()
	if err != nil {
		return nil, err
	}
	if len(m.Input) != 3 {
		return nil, fmt.Errorf("model %s: input shape %v is not [H, W, C]", m.Name, []int(m.Input))
	}
	g := &graph{name: "fmnist_" + m.Name}
	in := m.Input
	g.inputs = []valueInfo{{InputName, []int64{batchDim, int64(in[0]), int64(in[1]), int64(in[2])}}}
	cur := "input_nchw"
	g.nodes = append(g.nodes, node{op: "Transpose", name: "input_to_nchw", inputs: []string{InputName}, outputs: []string{cur},
		ints: map[string][]int64{"perm": {0, 3, 1, 2}}})
	nchw := true
	p := 0 // next parameter tensor
	var encodingValue string
	for i, l := range m.Layers {
		inShape := m.InputOf(i)
		switch l := l.(type) {
		case *graphs.Conv2D:
			k, s := l.Kernel, l.Strides()
			kern, bias := specs[p], specs[p+1]
			cin, cout := kern.Shape[2], kern.Shape[3]
			g.inits = append(g.inits,
				initializer{kern.Key(), []int64{int64(cout), int64(cin), int64(k), int64(k)}, hwioToOIHW(params[p], k, k, cin, cout)},
				initializer{bias.Key(), []int64{int64(cout)}, params[p+1]})
			p += 2
			out := l.Name
			g.nodes = append(g.nodes, node{op: "Conv", name: l.Name, inputs: []string{cur, kern.Key(), bias.Key()}, outputs: []string{out},
				ints: map[string][]int64{
					"kernel_shape": {int64(k), int64(k)},
					"strides":      {int64(s), int64(s)},
					"dilations":    {1, 1},
					"pads":         pads(inShape, k, s, l.Padding),
				}})
			cur = g.activation(l.Name, out, l.Activation)
		case *graphs.MaxPool2D:
			k, s := l.Pool, l.Strides()
			out := l.Name
			g.nodes = append(g.nodes, node{op: "MaxPool", name: l.Name, inputs: []string{cur}, outputs: []string{out},
				ints: map[string][]int64{
					"kernel_shape": {int64(k), int64(k)},
					"strides":      {int64(s), int64(s)},
					"pads":         pads(inShape, k, s, l.Pad()),
				}})
			cur = out
		case *graphs.Flatten:
			if nchw {
				g.nodes = append(g.nodes, node{op: "Transpose", name: l.Name + "/to_nhwc", inputs: []string{cur}, outputs: []string{l.Name + "/nhwc"},
					ints: map[string][]int64{"perm": {0, 2, 3, 1}}})
				cur = l.Name + "/nhwc"
				nchw = false
			}
			g.nodes = append(g.nodes, node{op: "Flatten", name: l.Name, inputs: []string{cur}, outputs: []string{l.Name},
				int1: map[string]int64{"axis": 1}})
			cur = l.Name
		case *graphs.Dense:
			kern, bias := specs[p], specs[p+1]
			g.inits = append(g.inits,
				initializer{kern.Key(), []int64{int64(kern.Shape[0]), int64(kern.Shape[1])}, params[p]},
				initializer{bias.Key(), []int64{int64(bias.Shape[0])}, params[p+1]})
			p += 2
			out := l.Name
			g.nodes = append(g.nodes, node{op: "Gemm", name: l.Name, inputs: []string{cur, kern.Key(), bias.Key()}, outputs: []string{out}})
			cur = g.activation(l.Name, out, l.Activation)
		default:
			return nil, fmt.Errorf("model %s: layer %s (%s) has no ONNX form", m.Name, l.LayerName(), l.Type())
		}
		if l.LayerName() == m.Encoding {
			if nchw {
				return nil, fmt.Errorf("model %s: encoding layer %s is before the Flatten", m.Name, m.Encoding)
			}
			encodingValue = cur
		}
	}
	last := shapes[len(shapes)-1]
	g.nodes = append(g.nodes, node{op: "Identity", name: OutputName, inputs: []string{cur}, outputs: []string{OutputName}})
	g.outputs = []valueInfo{{OutputName, []int64{batchDim, int64(last[0])}}}
	if encodingValue != "" {
		enc := shapes[m.LayerIndex(m.Encoding)]
		g.nodes = append(g.nodes, node{op: "Identity", name: EncodingName, inputs: []string{encodingValue}, outputs: []string{EncodingName}})
		g.outputs = append(g.outputs, valueInfo{EncodingName, []int64{batchDim, int64(enc.Size())}})
	}
	return g, nil
}

// activation appends the node of a layer's activation and returns the name
// of its output.
func (g *graph) activation(layer, in string, a graphs.Activation) string {
	switch a {
	case graphs.ReLU:
		g.nodes = append(g.nodes, node{op: "Relu", name: layer + "/relu", inputs: []string{in}, outputs: []string{layer + "/relu"}})
		return layer + "/relu"
	case graphs.Softmax:
		g.nodes = append(g.nodes, node{op: "Softmax", name: layer + "/softmax", inputs: []string{in}, outputs: []string{layer + "/softmax"},
			int1: map[string]int64{"axis": 1}})
		return layer + "/softmax"
	}
	return in
}

// pads returns ONNX's [top, left, bottom, right] for TensorFlow's padding
// rule on an [H, W, C] input.
func pads(in graphs.Shape, window, stride int, p graphs.Padding) []int64 {
	out := make([]int64, 4)
	for d := 0; d < 2; d++ {
		o := graphs.OutputSize(in[d], window, stride, p)
		before := graphs.PadBefore(in[d], window, stride, p)
		total := max((o-1)*stride+window-in[d], 0)
		if p != graphs.Same {
			total = 0
		}
		out[d] = int64(before)
		out[d+2] = int64(total - before)
	}
	return out
}

// hwioToOIHW reorders a convolution kernel from the engines' [kh,kw,in,out]
// to ONNX's [out,in,kh,kw].
func hwioToOIHW(w []float32, kh, kw, cin, cout int) []float32 {
	out := make([]float32, len(w))
	for y := 0; y < kh; y++ {
		for x := 0; x < kw; x++ {
			for i := 0; i < cin; i++ {
				for o := 0; o < cout; o++ {
					out[((o*cin+i)*kh+y)*kw+x] = w[((y*kw+x)*cin+i)*cout+o]
				}
			}
		}
	}
	return out
}

// GraphProto: node 1, name 2, initializer 5, input 11, output 12.
func (g *graph) marshal() []byte {
	var b []byte
	for _, n := range g.nodes {
		b = appendMessage(b, 1, n.marshal())
	}
	b = appendString(b, 2, g.name)
	for _, t := range g.inits {
		b = appendMessage(b, 5, t.marshal())
	}
	for _, v := range g.inputs {
		b = appendMessage(b, 11, v.marshal())
	}
	for _, v := range g.outputs {
		b = appendMessage(b, 12, v.marshal())
	}
	return b
}

// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
// AttributeProto: name 1, i 3, ints 8, type 20.
func (n node) marshal() []byte {
	var b []byte
	for _, s := range n.inputs {
		b = appendString(b, 1, s)
	}
	for _, s := range n.outputs {
		b = appendString(b, 2, s)
	}
	b = appendString(b, 3, n.name)
	b = appendString(b, 4, n.op)
	for _, name := range slices.Sorted(maps.Keys(n.int1)) {
		var a []byte
		a = appendString(a, 1, name)
		a = protowire.AppendTag(a, 3, protowire.VarintType)
		a = protowire.AppendVarint(a, uint64(n.int1[name]))
		a = protowire.AppendTag(a, 20, protowire.VarintType)
		a = protowire.AppendVarint(a, attrInt)
		b = appendMessage(b, 5, a)
	}
	for _, name := range slices.Sorted(maps.Keys(n.ints)) {
		var a []byte
		a = appendString(a, 1, name)
		for _, v := range n.ints[name] {
			a = protowire.AppendTag(a, 8, protowire.VarintType)
			a = protowire.AppendVarint(a, uint64(v))
		}
		a = protowire.AppendTag(a, 20, protowire.VarintType)
		a = protowire.AppendVarint(a, attrInts)
		b = appendMessage(b, 5, a)
	}
	return b
}

// TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian).
func (t initializer) marshal() []byte {
	var b []byte
	for _, d := range t.dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, tensorFloat)
	b = appendString(b, 8, t.name)
	raw := make([]byte, 4*len(t.data))
	for i, v := range t.data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	return protowire.AppendBytes(b, raw)
}

// ValueInfoProto: name 1, type 2. TypeProto: tensor_type 1.
// TypeProto.Tensor: elem_type 1, shape 2. TensorShapeProto: dim 1.
// Dimension: dim_value 1, dim_param 2.
func (v valueInfo) marshal() []byte {
	var shape []byte
	for _, d := range v.dims {
		var dim []byte
		if d == batchDim {
			dim = appendString(dim, 2, "N")
		} else {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d))
		}
		shape = appendMessage(shape, 1, dim)
	}
	var tensor []byte
	tensor = protowire.AppendTag(tensor, 1, protowire.VarintType)
	tensor = protowire.AppendVarint(tensor, tensorFloat)
	tensor = appendMessage(tensor, 2, shape)
	var typ []byte
	typ = appendMessage(typ, 1, tensor)
	var b []byte
	b = appendString(b, 1, v.name)
	return appendMessage(b, 2, typ)
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, field protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}
