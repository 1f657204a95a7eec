package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"fmnist/graphs"

	"google.golang.org/protobuf/encoding/protowire"
)

// fields decodes one protobuf message into its fields by number: varints
// as uint64, length-delimited fields as []byte.
func fields(t testing.TB, b []byte) map[protowire.Number][]any {
	t.Helper()
	out := map[protowire.Number][]any{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				t.Fatal(protowire.ParseError(n))
			}
			out[num] = append(out[num], v)
			b = b[n:]
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				t.Fatal(protowire.ParseError(n))
			}
			out[num] = append(out[num], v)
			b = b[n:]
		default:
			t.Fatalf("field %d: unexpected wire type %d", num, typ)
		}
	}
	return out
}

func str(v any) string { return string(v.([]byte)) }

// params returns distinct values for every tensor of m.
func params(m *graphs.Model) [][]float32 {
	var out [][]float32
	for i, s := range m.ParamSpecs() {
		p := make([]float32, s.Size())
		for j := range p {
			p[j] = float32(i) + float32(j)/1024
		}
		out = append(out, p)
	}
	return out
}

// TestMarshalStructure decodes the exported ModelProto of every study model
// and checks its header, the operator sequence, the initializers and the
// input and output shapes.
func TestMarshalStructure(t *testing.T) {
	for _, tc := range []struct {
		model *graphs.Model
		ops   string
	}{
		{graphs.Default(5), "Transpose Conv Relu MaxPool Conv Relu Transpose Flatten Gemm Softmax Identity Identity"},
		{graphs.A(5), "Transpose Conv Relu MaxPool Transpose Flatten Gemm Relu Gemm Relu Gemm Softmax Identity Identity"},
		{graphs.B(10), "Transpose Conv Relu MaxPool Transpose Flatten Gemm Relu Gemm Relu Gemm Softmax Identity Identity"},
	} {
		m := tc.model
		t.Run(m.Name, func(t *testing.T) {
			w := params(m)
			data, err := Marshal(m, w)
			if err != nil {
				t.Fatal(err)
			}
			model := fields(t, data)
			if model[1][0].(uint64) != IRVersion || str(model[2][0]) != Producer {
				t.Errorf("ir_version %v producer %q", model[1], model[2])
			}
			opset := fields(t, model[8][0].([]byte))
			if str(opset[1][0]) != "" || opset[2][0].(uint64) != Opset {
				t.Errorf("opset_import %v", opset)
			}
			g := fields(t, model[7][0].([]byte))
			var ops []string
			for _, n := range g[1] {
				ops = append(ops, str(fields(t, n.([]byte))[4][0]))
			}
			if strings.Join(ops, " ") != tc.ops {
				t.Errorf("ops %s\nwant %s", strings.Join(ops, " "), tc.ops)
			}
			specs := m.ParamSpecs()
			if len(g[5]) != len(specs) {
				t.Fatalf("%d initializers, want %d", len(g[5]), len(specs))
			}
			for i, init := range g[5] {
				f := fields(t, init.([]byte))
				if str(f[8][0]) != specs[i].Key() || f[2][0].(uint64) != tensorFloat || len(f[9][0].([]byte)) != 4*specs[i].Size() {
					t.Errorf("initializer %d: name %q type %v, %d bytes", i, f[8], f[2], len(f[9][0].([]byte)))
				}
				// The first value is first in every layout (HWIO and OIHW).
				raw := f[9][0].([]byte)
				first := math.Float32frombits(binary.LittleEndian.Uint32(raw))
				if first != w[i][0] {
					t.Errorf("initializer %d starts with %v, want %v", i, first, w[i][0])
				}
			}
			dims := func(v any) string {
				vi := fields(t, v.([]byte))
				typ := fields(t, vi[2][0].([]byte))
				tensor := fields(t, typ[1][0].([]byte))
				shape := fields(t, tensor[2][0].([]byte))
				var out []string
				for _, d := range shape[1] {
					df := fields(t, d.([]byte))
					if p, ok := df[2]; ok {
						out = append(out, str(p[0]))
					} else {
						out = append(out, fmt.Sprint(df[1][0]))
					}
				}
				return str(vi[1][0]) + fmt.Sprint(out)
			}
			enc := map[string]string{"default": "6272", "A": "32", "B": "100"}[m.Name]
			if got := dims(g[11][0]); got != "input[N 28 28 1]" {
				t.Errorf("input %s", got)
			}
			want := []string{fmt.Sprintf("probabilities[N %d]", m.Classes()), "encoding[N " + enc + "]"}
			if got := []string{dims(g[12][0]), dims(g[12][1])}; !reflect.DeepEqual(got, want) {
				t.Errorf("outputs %v, want %v", got, want)
			}
		})
	}
}

func TestPads(t *testing.T) {
	for _, tc := range []struct {
		in             int
		window, stride int
		p              graphs.Padding
		want           []int64
	}{
		{28, 3, 1, graphs.Same, []int64{1, 1, 1, 1}},
		{28, 3, 1, graphs.Valid, []int64{0, 0, 0, 0}},
		{28, 2, 2, graphs.Same, []int64{0, 0, 0, 0}},
		{27, 2, 2, graphs.Same, []int64{0, 0, 1, 1}}, // TensorFlow puts the odd pixel after
		{28, 4, 1, graphs.Same, []int64{1, 1, 2, 2}},
		{26, 2, 2, graphs.Valid, []int64{0, 0, 0, 0}},
	} {
		got := pads(graphs.Shape{tc.in, tc.in, 1}, tc.window, tc.stride, tc.p)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("pads(%d, window %d, stride %d, %s) = %v, want %v", tc.in, tc.window, tc.stride, tc.p, got, tc.want)
		}
	}
}

func TestHWIOToOIHW(t *testing.T) {
	const kh, kw, cin, cout = 2, 3, 2, 4
	w := make([]float32, kh*kw*cin*cout)
	for y := range kh {
		for x := range kw {
			for i := range cin {
				for o := range cout {
					w[((y*kw+x)*cin+i)*cout+o] = float32(1000*y + 100*x + 10*i + o)
				}
			}
		}
	}
	got := hwioToOIHW(w, kh, kw, cin, cout)
	for o := range cout {
		for i := range cin {
			for y := range kh {
				for x := range kw {
					if v := got[((o*cin+i)*kh+y)*kw+x]; v != float32(1000*y+100*x+10*i+o) {
						t.Fatalf("OIHW[%d,%d,%d,%d] = %v", o, i, y, x, v)
					}
				}
			}
		}
	}
}

func TestMarshalErrors(t *testing.T) {
	m := graphs.A(5)
	w := params(m)
	if _, err := Marshal(m, w[:3]); err == nil || !strings.Contains(err.Error(), "3 weight tensors, want 8") {
		t.Errorf("missing tensors: %v", err)
	}
	w[1] = w[1][:2]
	if _, err := Marshal(m, w); err == nil || !strings.Contains(err.Error(), "weight conv2d/bias has 2 values, want 32") {
		t.Errorf("short tensor: %v", err)
	}
}
