// Package graphs holds the only definition of each fmnist model: a declarative
// list of layers on a [28,28,1] input, shape inference with TensorFlow's
// SAME/VALID rules, parameter counts, a Keras-style summary, an architecture
// diagram and a JSON form. It runs nothing: the engines in tfrunner do.
package graphs

import (
	"fmt"
)

// Padding is a TensorFlow padding mode.
type Padding string

// Padding modes, as TensorFlow spells them.
const (
	Same  Padding = "SAME"
	Valid Padding = "VALID"
)

// Activation names the function applied to a layer's output.
type Activation string

// Activations understood by every engine.
const (
	Linear  Activation = "linear"
	ReLU    Activation = "relu"
	Softmax Activation = "softmax"
)

// Shape is the shape of one example (no batch dimension): [H, W, C] for
// images, [N] for vectors.
type Shape []int

// Size is the number of values in one example of the shape.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// String formats the shape like Keras, with the batch dimension as None.
func (s Shape) String() string {
	out := "(None"
	for _, d := range s {
		out += fmt.Sprintf(", %d", d)
	}
	return out + ")"
}

// Layer is one step of a model. The concrete types are Conv2D, MaxPool2D,
// Flatten and Dense; engines switch on them.
type Layer interface {
	// LayerName is the layer's unique name within its model.
	LayerName() string
	// Type is the Keras class name of the layer.
	Type() string
	// OutputShape infers the layer's output shape from its input shape.
	OutputShape(in Shape) (Shape, error)
	// Params lists the layer's trainable tensors for the given input shape.
	Params(in Shape) []ParamSpec
	setName(string)
}

// ParamSpec describes one trainable tensor.
type ParamSpec struct {
	Layer  string `json:"layer"`  // owning layer's name
	Name   string `json:"name"`   // "kernel" or "bias"
	Shape  []int  `json:"shape"`  // conv kernel [kh, kw, in, out] (HWIO); dense kernel [in, out]; bias [out]
	FanIn  int    `json:"fan_in"` // inputs feeding one output, for Glorot initialisation
	FanOut int    `json:"fan_out"`
}

// Size is the number of values in the tensor.
func (p ParamSpec) Size() int { return Shape(p.Shape).Size() }

// Key is "layer/name", the tensor's name in checkpoints and TensorFlow graphs.
func (p ParamSpec) Key() string { return p.Layer + "/" + p.Name }

// Conv2D is a 2-D convolution with bias and activation.
type Conv2D struct {
	Name       string
	Filters    int
	Kernel     int // square kernel side
	Stride     int // 0 means 1
	Padding    Padding
	Activation Activation
}

// MaxPool2D is 2-D max pooling.
type MaxPool2D struct {
	Name    string
	Pool    int     // square window side
	Stride  int     // 0 means Pool, as in Keras
	Padding Padding // "" means VALID, as in Keras
}

// Flatten reshapes [H, W, C] to [H*W*C] in row-major (NHWC) order.
type Flatten struct {
	Name string
}

// Dense is a fully connected layer with bias and activation.
type Dense struct {
	Name       string
	Units      int
	Activation Activation
}

// LayerName returns the layer's name.
func (l *Conv2D) LayerName() string { return l.Name }

// LayerName returns the layer's name.
func (l *MaxPool2D) LayerName() string { return l.Name }

// LayerName returns the layer's name.
func (l *Flatten) LayerName() string { return l.Name }

// LayerName returns the layer's name.
func (l *Dense) LayerName() string { return l.Name }

func (l *Conv2D) setName(s string)    { l.Name = s }
func (l *MaxPool2D) setName(s string) { l.Name = s }
func (l *Flatten) setName(s string)   { l.Name = s }
func (l *Dense) setName(s string)     { l.Name = s }

// Type returns "Conv2D".
func (l *Conv2D) Type() string { return "Conv2D" }

// Type returns "MaxPooling2D".
func (l *MaxPool2D) Type() string { return "MaxPooling2D" }

// Type returns "Flatten".
func (l *Flatten) Type() string { return "Flatten" }

// Type returns "Dense".
func (l *Dense) Type() string { return "Dense" }

// Strides returns the effective stride (1 when unset).
func (l *Conv2D) Strides() int {
	if l.Stride <= 0 {
		return 1
	}
	return l.Stride
}

// Strides returns the effective stride (the pool size when unset).
func (l *MaxPool2D) Strides() int {
	if l.Stride <= 0 {
		return l.Pool
	}
	return l.Stride
}

// Pad returns the effective padding (VALID when unset).
func (l *MaxPool2D) Pad() Padding {
	if l.Padding == "" {
		return Valid
	}
	return l.Padding
}

// OutputSize applies TensorFlow's rule for one spatial dimension: SAME gives
// ceil(in/stride), VALID gives ceil((in-window+1)/stride).
func OutputSize(in, window, stride int, p Padding) int {
	if p == Same {
		return (in + stride - 1) / stride
	}
	if in < window {
		return 0
	}
	return (in-window)/stride + 1
}

// PadBefore is the padding TensorFlow adds before the first element of a
// dimension (top or left); the rest goes after. It is zero for VALID.
func PadBefore(in, window, stride int, p Padding) int {
	if p != Same {
		return 0
	}
	out := OutputSize(in, window, stride, p)
	total := (out-1)*stride + window - in
	if total < 0 {
		total = 0
	}
	return total / 2
}

func spatial(in Shape, name string) error {
	if len(in) != 3 {
		return fmt.Errorf("layer %s: input shape %v is not [H, W, C]", name, []int(in))
	}
	return nil
}

func checkPadding(p Padding, name string) error {
	if p != Same && p != Valid {
		return fmt.Errorf("layer %s: padding %q is neither SAME nor VALID", name, p)
	}
	return nil
}

func checkActivation(a Activation, name string) error {
	switch a {
	case Linear, ReLU, Softmax, "":
		return nil
	}
	return fmt.Errorf("layer %s: unknown activation %q", name, a)
}

// OutputShape infers [H', W', Filters].
func (l *Conv2D) OutputShape(in Shape) (Shape, error) {
	if err := spatial(in, l.Name); err != nil {
		return nil, err
	}
	if l.Filters <= 0 || l.Kernel <= 0 {
		return nil, fmt.Errorf("layer %s: filters %d and kernel %d must be positive", l.Name, l.Filters, l.Kernel)
	}
	if err := checkPadding(l.Padding, l.Name); err != nil {
		return nil, err
	}
	if err := checkActivation(l.Activation, l.Name); err != nil {
		return nil, err
	}
	s := l.Strides()
	h := OutputSize(in[0], l.Kernel, s, l.Padding)
	w := OutputSize(in[1], l.Kernel, s, l.Padding)
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("layer %s: kernel %d does not fit input %v", l.Name, l.Kernel, []int(in))
	}
	return Shape{h, w, l.Filters}, nil
}

// Params returns the kernel [k, k, in, filters] and the bias [filters].
func (l *Conv2D) Params(in Shape) []ParamSpec {
	k := l.Kernel
	return []ParamSpec{
		{Layer: l.Name, Name: "kernel", Shape: []int{k, k, in[2], l.Filters}, FanIn: k * k * in[2], FanOut: k * k * l.Filters},
		{Layer: l.Name, Name: "bias", Shape: []int{l.Filters}, FanIn: k * k * in[2], FanOut: l.Filters},
	}
}

// OutputShape infers [H', W', C].
func (l *MaxPool2D) OutputShape(in Shape) (Shape, error) {
	if err := spatial(in, l.Name); err != nil {
		return nil, err
	}
	if l.Pool <= 0 {
		return nil, fmt.Errorf("layer %s: pool %d must be positive", l.Name, l.Pool)
	}
	if err := checkPadding(l.Pad(), l.Name); err != nil {
		return nil, err
	}
	s := l.Strides()
	h := OutputSize(in[0], l.Pool, s, l.Pad())
	w := OutputSize(in[1], l.Pool, s, l.Pad())
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("layer %s: pool %d does not fit input %v", l.Name, l.Pool, []int(in))
	}
	return Shape{h, w, in[2]}, nil
}

// Params returns nil: pooling has no weights.
func (l *MaxPool2D) Params(Shape) []ParamSpec { return nil }

// OutputShape is [H*W*C].
func (l *Flatten) OutputShape(in Shape) (Shape, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("layer %s: empty input shape", l.Name)
	}
	return Shape{in.Size()}, nil
}

// Params returns nil: flattening has no weights.
func (l *Flatten) Params(Shape) []ParamSpec { return nil }

// OutputShape is [Units]; the input must be a vector.
func (l *Dense) OutputShape(in Shape) (Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("layer %s: input shape %v is not a vector (add a Flatten)", l.Name, []int(in))
	}
	if l.Units <= 0 {
		return nil, fmt.Errorf("layer %s: units %d must be positive", l.Name, l.Units)
	}
	if err := checkActivation(l.Activation, l.Name); err != nil {
		return nil, err
	}
	return Shape{l.Units}, nil
}

// Params returns the kernel [in, units] and the bias [units].
func (l *Dense) Params(in Shape) []ParamSpec {
	return []ParamSpec{
		{Layer: l.Name, Name: "kernel", Shape: []int{in[0], l.Units}, FanIn: in[0], FanOut: l.Units},
		{Layer: l.Name, Name: "bias", Shape: []int{l.Units}, FanIn: in[0], FanOut: l.Units},
	}
}
