package graphs

import (
	"fmt"
	"strings"
)

// Names lists the study's models in the order they are trained.
var Names = []string{"default", "A", "B"}

// Default is the study's first network: Conv 32 3x3 SAME, MaxPool 2 SAME,
// Conv 32 3x3 SAME, Dense 5 softmax (40,933 parameters; batch 10, 10 epochs).
// Its encoding is the Flatten output.
func Default(classes int) *Model {
	m, err := New("default", InputShape,
		&Conv2D{Filters: 32, Kernel: 3, Padding: Same, Activation: ReLU},
		&MaxPool2D{Pool: 2, Padding: Same},
		&Conv2D{Filters: 32, Kernel: 3, Padding: Same, Activation: ReLU},
		&Flatten{},
		&Dense{Units: classes, Activation: Softmax},
	)
	return study(m, err, "flatten", 10, 10)
}

// A is the study's model A: Conv 32 3x3 VALID, MaxPool 2, Dense 32, Dense 32,
// Dense 5 softmax (174,629 parameters; batch 32, 5 epochs). Its encoding is
// the last hidden Dense layer.
func A(classes int) *Model {
	return dense2("A", 32, 32, classes, 5)
}

// B is the study's model B: Conv 64 3x3 VALID, MaxPool 2, Dense 100,
// Dense 100, Dense 5 softmax (1,092,945 parameters; batch 32, 10 epochs).
// Its encoding is the last hidden Dense layer.
func B(classes int) *Model {
	return dense2("B", 64, 100, classes, 10)
}

func dense2(name string, filters, units, classes, epochs int) *Model {
	m, err := New(name, InputShape,
		&Conv2D{Filters: filters, Kernel: 3, Padding: Valid, Activation: ReLU},
		&MaxPool2D{Pool: 2},
		&Flatten{},
		&Dense{Units: units, Activation: ReLU},
		&Dense{Units: units, Activation: ReLU},
		&Dense{Units: classes, Activation: Softmax},
	)
	return study(m, err, "dense_1", 32, epochs)
}

func study(m *Model, err error, encoding string, batch, epochs int) *Model {
	if err != nil {
		// The study's definitions are constants; failing here is a programming error.
		panic(fmt.Sprintf("graphs: invalid study model: %v", err))
	}
	m.Encoding, m.Batch, m.Epochs = encoding, batch, epochs
	return m
}

// ByName returns the study model with the given name ("default", "A" or "B",
// case-insensitive for A and B) and number of classes.
func ByName(name string, classes int) (*Model, error) {
	if classes < 2 {
		return nil, fmt.Errorf("graphs: %d classes: need at least 2", classes)
	}
	switch strings.ToLower(name) {
	case "default":
		return Default(classes), nil
	case "a":
		return A(classes), nil
	case "b":
		return B(classes), nil
	}
	return nil, fmt.Errorf("graphs: unknown model %q (want one of %s)", name, strings.Join(Names, ", "))
}
