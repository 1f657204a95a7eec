package graphs

import (
	"fmt"
	"strings"
)

// Summary formats the model like Keras' model.summary(): one row per layer
// with its output shape and parameter count, then the totals.
func (m *Model) Summary() string {
	shapes, err := m.Shapes()
	if err != nil {
		return "invalid model: " + err.Error()
	}
	var b strings.Builder
	rule := strings.Repeat("_", 65)
	fmt.Fprintf(&b, "Model: %q\n%s\n", m.Name, rule)
	row(&b, "Layer (type)", "Output Shape", "Param #")
	b.WriteString(strings.Repeat("=", 65) + "\n")
	for i, l := range m.Layers {
		name := fmt.Sprintf("%s (%s)", l.LayerName(), l.Type())
		row(&b, name, shapes[i].String(), thousands(m.LayerParams(i)))
		if i < len(m.Layers)-1 {
			b.WriteString("\n")
		}
	}
	b.WriteString(strings.Repeat("=", 65) + "\n")
	total := thousands(m.ParamCount())
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: 0\n%s\n", total, total, rule)
	return b.String()
}

// thousands formats n with comma separators, as Keras does.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func row(b *strings.Builder, name, shape, params string) {
	b.WriteString(strings.TrimRight(fmt.Sprintf(" %-28s %-24s %s", name, shape, params), " ") + "\n")
}
