package graphs

import (
	"encoding/json"
	"fmt"
)

// layerJSON is the serialised form of any layer; Type selects the fields used.
type layerJSON struct {
	Type       string     `json:"type"`
	Name       string     `json:"name"`
	Filters    int        `json:"filters,omitempty"`
	Kernel     int        `json:"kernel,omitempty"`
	Pool       int        `json:"pool,omitempty"`
	Stride     int        `json:"stride,omitempty"`
	Padding    Padding    `json:"padding,omitempty"`
	Units      int        `json:"units,omitempty"`
	Activation Activation `json:"activation,omitempty"`
	Output     []int      `json:"output_shape,omitempty"`
	Params     int        `json:"params"`
}

type modelJSON struct {
	Name     string      `json:"name"`
	Input    []int       `json:"input_shape"`
	Encoding string      `json:"encoding,omitempty"`
	Batch    int         `json:"batch,omitempty"`
	Epochs   int         `json:"epochs,omitempty"`
	Params   int         `json:"params"`
	Layers   []layerJSON `json:"layers"`
}

// MarshalJSON writes the model with every layer's type, settings, output
// shape and parameter count.
func (m *Model) MarshalJSON() ([]byte, error) {
	shapes, err := m.Shapes()
	if err != nil {
		return nil, err
	}
	out := modelJSON{Name: m.Name, Input: m.Input, Encoding: m.Encoding, Batch: m.Batch, Epochs: m.Epochs, Params: m.ParamCount()}
	for i, l := range m.Layers {
		j := layerJSON{Type: l.Type(), Name: l.LayerName(), Output: shapes[i], Params: m.LayerParams(i)}
		switch v := l.(type) {
		case *Conv2D:
			j.Filters, j.Kernel, j.Stride, j.Padding, j.Activation = v.Filters, v.Kernel, v.Strides(), v.Padding, v.Activation
		case *MaxPool2D:
			j.Pool, j.Stride, j.Padding = v.Pool, v.Strides(), v.Pad()
		case *Dense:
			j.Units, j.Activation = v.Units, v.Activation
		}
		out.Layers = append(out.Layers, j)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes and validates the result.
func (m *Model) UnmarshalJSON(data []byte) error {
	var in modelJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	layers := make([]Layer, 0, len(in.Layers))
	for i, j := range in.Layers {
		switch j.Type {
		case "Conv2D":
			layers = append(layers, &Conv2D{Name: j.Name, Filters: j.Filters, Kernel: j.Kernel, Stride: j.Stride, Padding: j.Padding, Activation: j.Activation})
		case "MaxPooling2D":
			layers = append(layers, &MaxPool2D{Name: j.Name, Pool: j.Pool, Stride: j.Stride, Padding: j.Padding})
		case "Flatten":
			layers = append(layers, &Flatten{Name: j.Name})
		case "Dense":
			layers = append(layers, &Dense{Name: j.Name, Units: j.Units, Activation: j.Activation})
		default:
			return fmt.Errorf("layer %d: unknown type %q", i, j.Type)
		}
	}
	parsed, err := New(in.Name, in.Input, layers...)
	if err != nil {
		return err
	}
	parsed.Encoding, parsed.Batch, parsed.Epochs = in.Encoding, in.Batch, in.Epochs
	if err := parsed.Validate(); err != nil {
		return err
	}
	if in.Params != 0 && in.Params != parsed.ParamCount() {
		return fmt.Errorf("model %s: file says %d parameters, layers give %d", in.Name, in.Params, parsed.ParamCount())
	}
	*m = *parsed
	return nil
}
