package graphs

import (
	"fmt"
	"strings"
)

// InputShape is the shape of one Fashion-MNIST image: [28, 28, 1].
var InputShape = Shape{28, 28, 1}

// Model is a sequential network: an input shape and a list of layers.
type Model struct {
	Name     string  // study name: "default", "A" or "B"
	Input    Shape   // per-example input shape
	Layers   []Layer // applied in order
	Encoding string  // name of the layer whose output is the "encoding"
	Batch    int     // the study's batch size
	Epochs   int     // the study's number of epochs
}

// New builds a model, naming unnamed layers as Keras does ("conv2d",
// "conv2d_1", "max_pooling2d", "flatten", "dense", "dense_1", ...), and
// validates it.
func New(name string, input Shape, layers ...Layer) (*Model, error) {
	m := &Model{Name: name, Input: append(Shape(nil), input...), Layers: layers}
	counts := map[string]int{}
	for _, l := range layers {
		if l.LayerName() != "" {
			continue
		}
		base := kerasBase(l)
		n := counts[base]
		counts[base]++
		if n == 0 {
			l.setName(base)
		} else {
			l.setName(fmt.Sprintf("%s_%d", base, n))
		}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func kerasBase(l Layer) string {
	switch l.(type) {
	case *Conv2D:
		return "conv2d"
	case *MaxPool2D:
		return "max_pooling2d"
	case *Flatten:
		return "flatten"
	case *Dense:
		return "dense"
	}
	return strings.ToLower(l.Type())
}

// Validate checks names, shapes and the output layer.
func (m *Model) Validate() error {
	if len(m.Layers) == 0 {
		return fmt.Errorf("model %s: no layers", m.Name)
	}
	seen := map[string]bool{}
	for _, l := range m.Layers {
		if l == nil {
			return fmt.Errorf("model %s: nil layer", m.Name)
		}
		if l.LayerName() == "" || seen[l.LayerName()] {
			return fmt.Errorf("model %s: layer name %q is empty or repeated", m.Name, l.LayerName())
		}
		seen[l.LayerName()] = true
	}
	if _, err := m.Shapes(); err != nil {
		return err
	}
	last, ok := m.Layers[len(m.Layers)-1].(*Dense)
	if !ok || last.Activation != Softmax {
		return fmt.Errorf("model %s: the last layer must be a Dense softmax", m.Name)
	}
	for i, l := range m.Layers[:len(m.Layers)-1] {
		if d, ok := l.(*Dense); ok && d.Activation == Softmax {
			return fmt.Errorf("model %s: softmax is only supported on the last layer, not layer %d (%s)", m.Name, i, d.Name)
		}
	}
	if m.Encoding != "" && m.LayerIndex(m.Encoding) < 0 {
		return fmt.Errorf("model %s: encoding layer %q does not exist", m.Name, m.Encoding)
	}
	return nil
}

// Shapes returns the output shape of every layer, in order.
func (m *Model) Shapes() ([]Shape, error) {
	in := m.Input
	if len(in) == 0 {
		return nil, fmt.Errorf("model %s: no input shape", m.Name)
	}
	out := make([]Shape, len(m.Layers))
	for i, l := range m.Layers {
		s, err := l.OutputShape(in)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name, err)
		}
		out[i] = s
		in = s
	}
	return out, nil
}

// InputOf returns the input shape of layer i.
func (m *Model) InputOf(i int) Shape {
	if i == 0 {
		return m.Input
	}
	s, err := m.Shapes()
	if err != nil {
		return nil
	}
	return s[i-1]
}

// LayerIndex returns the index of the named layer, or -1.
func (m *Model) LayerIndex(name string) int {
	for i, l := range m.Layers {
		if l.LayerName() == name {
			return i
		}
	}
	return -1
}

// Classes is the number of output units.
func (m *Model) Classes() int {
	if d, ok := m.Layers[len(m.Layers)-1].(*Dense); ok {
		return d.Units
	}
	return 0
}

// ParamSpecs lists every trainable tensor in layer order, kernel before bias.
// Weights, checkpoints and engines all use this order.
func (m *Model) ParamSpecs() []ParamSpec {
	shapes, err := m.Shapes()
	if err != nil {
		return nil
	}
	var out []ParamSpec
	in := m.Input
	for i, l := range m.Layers {
		out = append(out, l.Params(in)...)
		in = shapes[i]
	}
	return out
}

// ParamCount is the total number of trainable values.
func (m *Model) ParamCount() int {
	n := 0
	for _, p := range m.ParamSpecs() {
		n += p.Size()
	}
	return n
}

// LayerParams is the number of trainable values of layer i.
func (m *Model) LayerParams(i int) int {
	n := 0
	for _, p := range m.Layers[i].Params(m.InputOf(i)) {
		n += p.Size()
	}
	return n
}

// WithClasses returns a copy of m whose output layer has n units.
func (m *Model) WithClasses(n int) (*Model, error) {
	c := m.Clone()
	last, ok := c.Layers[len(c.Layers)-1].(*Dense)
	if !ok {
		return nil, fmt.Errorf("model %s: last layer is not Dense", m.Name)
	}
	last.Units = n
	return c, c.Validate()
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c := *m
	c.Input = append(Shape(nil), m.Input...)
	c.Layers = make([]Layer, len(m.Layers))
	for i, l := range m.Layers {
		switch v := l.(type) {
		case *Conv2D:
			x := *v
			c.Layers[i] = &x
		case *MaxPool2D:
			x := *v
			c.Layers[i] = &x
		case *Flatten:
			x := *v
			c.Layers[i] = &x
		case *Dense:
			x := *v
			c.Layers[i] = &x
		}
	}
	return &c
}
