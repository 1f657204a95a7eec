package graphs

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteDiagram(t *testing.T) {
	heights := map[string]int{}
	for _, name := range Names {
		m, err := ByName(name, 5)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.WriteDiagram(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", name, err)
		}
		b := img.Bounds()
		if b.Dx() < 300 || b.Dx() > 2000 || b.Dy() < 300 || b.Dy() > 4000 {
			t.Errorf("%s: size %dx%d is not sensible", name, b.Dx(), b.Dy())
		}
		heights[name] = b.Dy()
		if dir := os.Getenv("DIAGRAM_OUT"); dir != "" {
			os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644)
		}

		// The picture is not blank: some pixels are dark (text, lines).
		dark := 0
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			for x := b.Min.X; x < b.Max.X; x += 2 {
				r, g, bl, _ := img.At(x, y).RGBA()
				if r+g+bl < 3*0x4000 {
					dark++
				}
			}
		}
		if dark < 200 {
			t.Errorf("%s: only %d dark pixels: nothing drawn?", name, dark)
		}
	}
	// default has 5 layers, A and B have 6: one more box makes it taller.
	if heights["A"] <= heights["default"] {
		t.Errorf("height of A (6 layers) %d <= default (5 layers) %d", heights["A"], heights["default"])
	}
	if heights["A"] != heights["B"] {
		t.Errorf("A and B have as many layers but heights %d and %d", heights["A"], heights["B"])
	}
}

func TestDiagramBoxesNameEveryLayer(t *testing.T) {
	m := B(5)
	boxes, err := m.diagramBoxes()
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) != len(m.Layers)+1 {
		t.Fatalf("%d boxes for %d layers", len(boxes), len(m.Layers))
	}
	shapes, _ := m.Shapes()
	for i, l := range m.Layers {
		b := boxes[i+1]
		if want := l.LayerName() + ": " + l.Type(); b.title != want {
			t.Errorf("box %d title %q, want %q", i+1, b.title, want)
		}
		if b.out != shapes[i].String() || b.in != m.InputOf(i).String() {
			t.Errorf("box %d shapes %s -> %s, want %s -> %s", i+1, b.in, b.out, m.InputOf(i), shapes[i])
		}
	}
	if !strings.Contains(boxes[0].in, "28, 28, 1") {
		t.Errorf("input box shows %q", boxes[0].in)
	}
	if !strings.Contains(boxes[5].detail, "encoding") {
		t.Errorf("encoding layer dense_1 not marked: %q", boxes[5].detail)
	}
}

func TestDiagramInvalidModel(t *testing.T) {
	m := &Model{Name: "broken", Input: InputShape, Layers: []Layer{&Dense{Name: "d", Units: 3, Activation: Softmax}}}
	if _, err := m.Diagram(); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("invalid model: err = %v", err)
	}
}
