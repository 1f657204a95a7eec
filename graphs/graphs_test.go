package graphs

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestStudyParamCounts(t *testing.T) {
	tests := []struct {
		name     string
		want     int
		encoding string
		encSize  int
		batch    int
		epochs   int
	}{
		{"default", 40933, "flatten", 6272, 10, 10},
		{"A", 174629, "dense_1", 32, 32, 5},
		{"B", 1092945, "dense_1", 100, 32, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ByName(tt.name, 5)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.ParamCount(); got != tt.want {
				t.Errorf("params = %d, want %d", got, tt.want)
			}
			shapes, _ := m.Shapes()
			i := m.LayerIndex(m.Encoding)
			if m.Encoding != tt.encoding || i < 0 || shapes[i].Size() != tt.encSize {
				t.Errorf("encoding %q size %v, want %q size %d", m.Encoding, shapes[i], tt.encoding, tt.encSize)
			}
			if m.Batch != tt.batch || m.Epochs != tt.epochs {
				t.Errorf("batch/epochs = %d/%d, want %d/%d", m.Batch, m.Epochs, tt.batch, tt.epochs)
			}
		})
	}
}

func TestOutputSize(t *testing.T) {
	tests := []struct {
		in, window, stride int
		p                  Padding
		want, before       int
	}{
		{28, 3, 1, Same, 28, 1},
		{28, 3, 1, Valid, 26, 0},
		{26, 2, 2, Valid, 13, 0},
		{28, 2, 2, Same, 14, 0},
		{27, 2, 2, Same, 14, 0},
		{28, 3, 2, Same, 14, 0},
		{27, 3, 2, Same, 14, 1},
		{28, 3, 2, Valid, 13, 0},
		{2, 3, 1, Valid, 0, 0},
	}
	for _, tt := range tests {
		if got := OutputSize(tt.in, tt.window, tt.stride, tt.p); got != tt.want {
			t.Errorf("OutputSize(%d,%d,%d,%s) = %d, want %d", tt.in, tt.window, tt.stride, tt.p, got, tt.want)
		}
		if got := PadBefore(tt.in, tt.window, tt.stride, tt.p); got != tt.before {
			t.Errorf("PadBefore(%d,%d,%d,%s) = %d, want %d", tt.in, tt.window, tt.stride, tt.p, got, tt.before)
		}
	}
}

func TestInvalidModels(t *testing.T) {
	tests := []struct {
		name   string
		layers []Layer
	}{
		{"no layers", nil},
		{"dense on image", []Layer{&Dense{Units: 5, Activation: Softmax}}},
		{"no softmax", []Layer{&Flatten{}, &Dense{Units: 5, Activation: ReLU}}},
		{"bad padding", []Layer{&Conv2D{Filters: 2, Kernel: 3, Padding: "FULL"}, &Flatten{}, &Dense{Units: 5, Activation: Softmax}}},
		{"kernel too big", []Layer{&Conv2D{Filters: 2, Kernel: 30, Padding: Valid}, &Flatten{}, &Dense{Units: 5, Activation: Softmax}}},
		{"hidden softmax", []Layer{&Flatten{}, &Dense{Units: 5, Activation: Softmax}, &Dense{Units: 5, Activation: Softmax}}},
		{"duplicate name", []Layer{&Flatten{Name: "x"}, &Dense{Name: "x", Units: 5, Activation: Softmax}}},
	}
	for _, tt := range tests {
		if _, err := New("bad", InputShape, tt.layers...); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if _, err := ByName("C", 5); err == nil {
		t.Error("unknown model: no error")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, name := range Names {
		m, _ := ByName(name, 10)
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back Model
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, data)
		}
		again, _ := json.Marshal(&back)
		if string(again) != string(data) {
			t.Errorf("%s: round trip differs:\n%s\n%s", name, data, again)
		}
		if back.ParamCount() != m.ParamCount() || back.Encoding != m.Encoding {
			t.Errorf("%s: round trip lost fields", name)
		}
	}
	if err := json.Unmarshal([]byte(`{"name":"x","input_shape":[28,28,1],"layers":[{"type":"Conv3D"}]}`), new(Model)); err == nil {
		t.Error("unknown layer type: no error")
	}
}

func TestWithClasses(t *testing.T) {
	m, _ := withClassesOf("A", 10)
	if m.Classes() != 10 || m.ParamCount() != 174629+5*33 {
		t.Errorf("classes %d params %d", m.Classes(), m.ParamCount())
	}
}

func withClassesOf(name string, n int) (*Model, error) {
	m, err := ByName(name, 5)
	if err != nil {
		return nil, err
	}
	return m.WithClasses(n)
}

func ExampleModel_Summary() {
	fmt.Print(A(5).Summary())
	// Output:
	// Model: "A"
	// _________________________________________________________________
	//  Layer (type)                 Output Shape             Param #
	// =================================================================
	//  conv2d (Conv2D)              (None, 26, 26, 32)       320
	//
	//  max_pooling2d (MaxPooling2D) (None, 13, 13, 32)       0
	//
	//  flatten (Flatten)            (None, 5408)             0
	//
	//  dense (Dense)                (None, 32)               173,088
	//
	//  dense_1 (Dense)              (None, 32)               1,056
	//
	//  dense_2 (Dense)              (None, 5)                165
	// =================================================================
	// Total params: 174,629
	// Trainable params: 174,629
	// Non-trainable params: 0
	// _________________________________________________________________
}
