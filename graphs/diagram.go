package graphs

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// Diagram geometry, in points (1/72 inch).
const (
	diagramDPI     = 120
	diagramMargin  = vg.Length(14)
	diagramBoxH    = vg.Length(46)
	diagramGap     = vg.Length(26)
	diagramPad     = vg.Length(8)
	diagramTitleH  = vg.Length(30)
	diagramFontPt  = vg.Length(11)
	diagramSmallPt = vg.Length(8.5)
)

// diagramFonts is built once: the Liberation fonts are embedded in
// gonum/plot, so no system font is needed.
var diagramFonts = font.NewCache(liberation.Collection())

// diagramBox is one box of the diagram: the input or a layer.
type diagramBox struct {
	title  string // "conv2d: Conv2D"
	detail string // "32 filters 3×3 VALID, relu · 320 params"
	in     string // input shape, Keras style
	out    string // output shape, Keras style
	fill   color.Color
}

// diagramBoxes lists the boxes drawn for m: the input, then one per layer,
// with the texts each box shows.
func (m *Model) diagramBoxes() ([]diagramBox, error) {
	shapes, err := m.Shapes()
	if err != nil {
		return nil, err
	}
	boxes := []diagramBox{{
		title:  "input: InputLayer",
		detail: fmt.Sprintf("model %q · %s params", m.Name, thousands(m.ParamCount())),
		in:     "[" + m.Input.String() + "]",
		out:    "[" + m.Input.String() + "]",
		fill:   color.RGBA{0xee, 0xee, 0xee, 0xff},
	}}
	in := m.Input
	for i, l := range m.Layers {
		b := diagramBox{
			title: l.LayerName() + ": " + l.Type(),
			in:    in.String(),
			out:   shapes[i].String(),
		}
		var parts []string
		switch v := l.(type) {
		case *Conv2D:
			parts = append(parts, fmt.Sprintf("%d filters %d×%d", v.Filters, v.Kernel, v.Kernel))
			if v.Strides() != 1 {
				parts = append(parts, fmt.Sprintf("stride %d", v.Strides()))
			}
			parts = append(parts, string(v.Padding), activationName(v.Activation))
			b.fill = color.RGBA{0xd6, 0xe6, 0xf5, 0xff} // light blue
		case *MaxPool2D:
			parts = append(parts, fmt.Sprintf("pool %d×%d", v.Pool, v.Pool), fmt.Sprintf("stride %d", v.Strides()), string(v.Pad()))
			b.fill = color.RGBA{0xfd, 0xe5, 0xc8, 0xff} // light orange
		case *Flatten:
			parts = append(parts, "reshape")
			b.fill = color.RGBA{0xe8, 0xe8, 0xe8, 0xff} // grey
		case *Dense:
			parts = append(parts, fmt.Sprintf("%d units", v.Units), activationName(v.Activation))
			b.fill = color.RGBA{0xd9, 0xf0, 0xd3, 0xff} // light green
		default:
			b.fill = color.White
		}
		detail := strings.Join(parts, ", ") + " · " + thousands(m.LayerParams(i)) + " params"
		if l.LayerName() == m.Encoding {
			detail += " · encoding"
		}
		b.detail = detail
		boxes = append(boxes, b)
		in = shapes[i]
	}
	return boxes, nil
}

func activationName(a Activation) string {
	if a == "" {
		return string(Linear)
	}
	return string(a)
}

// Diagram draws the model as Keras' plot_model(show_shapes=True) does: a
// vertical chain of boxes, the input first and then one box per layer, each
// with "name: Type", a line of settings and a small table of its input and
// output shapes, joined by arrows. It draws with gonum/plot's image canvas
// and its embedded fonts.
func (m *Model) Diagram() (img image.Image, err error) {
	defer func() {
		// The font code of gonum/plot panics on broken fonts; report it
		// as an error rather than crash a training run over a picture.
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("model %s: draw diagram: %v", m.Name, r)
		}
	}()
	boxes, err := m.diagramBoxes()
	if err != nil {
		return nil, fmt.Errorf("model %s: draw diagram: %w", m.Name, err)
	}
	regular := diagramFonts.Lookup(font.Font{Typeface: "Liberation", Variant: "Sans"}, diagramFontPt)
	bold := diagramFonts.Lookup(font.Font{Typeface: "Liberation", Variant: "Sans", Weight: stdfont.WeightBold}, diagramFontPt)
	small := diagramFonts.Lookup(font.Font{Typeface: "Liberation", Variant: "Sans"}, diagramSmallPt)
	mono := diagramFonts.Lookup(font.Font{Typeface: "Liberation", Variant: "Mono"}, diagramSmallPt+0.5)

	// Column widths fit the widest text of any box.
	var leftW, keyW, shapeW vg.Length
	for _, b := range boxes {
		leftW = max(leftW, bold.Width(b.title), small.Width(b.detail))
		shapeW = max(shapeW, mono.Width(b.in), mono.Width(b.out))
	}
	keyW = max(small.Width("output:"), small.Width("input:"))
	leftW += 2 * diagramPad
	keyW += 2 * diagramPad
	shapeW += 2 * diagramPad
	boxW := leftW + keyW + shapeW
	title := fmt.Sprintf("Model %q", m.Name)
	width := max(boxW, regular.Width(title)) + 2*diagramMargin
	n := vg.Length(len(boxes))
	height := 2*diagramMargin + diagramTitleH + n*diagramBoxH + (n-1)*diagramGap

	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(diagramDPI), vgimg.UseBackgroundColor(color.White))
	text := func(f font.Face, x, cy vg.Length, s string, clr color.Color) {
		e := f.Extents()
		c.SetColor(clr)
		c.FillString(f, vg.Point{X: x, Y: cy - (e.Ascent-e.Descent)/2}, s)
	}
	// Title, centred at the top.
	text(bold, (width-bold.Width(title))/2, height-diagramMargin-diagramTitleH/2, title, color.Black)

	x0 := (width - boxW) / 2
	top := height - diagramMargin - diagramTitleH
	c.SetLineWidth(1)
	for i, b := range boxes {
		y1 := top - vg.Length(i)*(diagramBoxH+diagramGap) // box top
		y0 := y1 - diagramBoxH                            // box bottom
		rect := func(x, y, w, h vg.Length, fill color.Color) {
			var p vg.Path
			p.Move(vg.Point{X: x, Y: y})
			p.Line(vg.Point{X: x + w, Y: y})
			p.Line(vg.Point{X: x + w, Y: y + h})
			p.Line(vg.Point{X: x, Y: y + h})
			p.Close()
			if fill != nil {
				c.SetColor(fill)
				c.Fill(p)
			}
			c.SetColor(color.Black)
			c.Stroke(p)
		}
		rect(x0, y0, leftW, diagramBoxH, b.fill)
		rect(x0+leftW, y0, keyW, diagramBoxH/2, color.White)
		rect(x0+leftW, y0+diagramBoxH/2, keyW, diagramBoxH/2, color.White)
		rect(x0+leftW+keyW, y0, shapeW, diagramBoxH/2, color.White)
		rect(x0+leftW+keyW, y0+diagramBoxH/2, shapeW, diagramBoxH/2, color.White)

		text(bold, x0+diagramPad, y0+diagramBoxH*0.66, b.title, color.Black)
		text(small, x0+diagramPad, y0+diagramBoxH*0.27, b.detail, color.Gray{0x44})
		text(small, x0+leftW+diagramPad, y0+diagramBoxH*0.75, "input:", color.Black)
		text(small, x0+leftW+diagramPad, y0+diagramBoxH*0.25, "output:", color.Black)
		text(mono, x0+leftW+keyW+diagramPad, y0+diagramBoxH*0.75, b.in, color.Black)
		text(mono, x0+leftW+keyW+diagramPad, y0+diagramBoxH*0.25, b.out, color.Black)

		if i == len(boxes)-1 {
			continue
		}
		// Arrow from this box's bottom to the next box's top.
		cx := x0 + leftW/2
		tip := y0 - diagramGap
		c.SetColor(color.Black)
		var shaft vg.Path
		shaft.Move(vg.Point{X: cx, Y: y0})
		shaft.Line(vg.Point{X: cx, Y: tip + 6})
		c.Stroke(shaft)
		var head vg.Path
		head.Move(vg.Point{X: cx, Y: tip})
		head.Line(vg.Point{X: cx - 4, Y: tip + 7})
		head.Line(vg.Point{X: cx + 4, Y: tip + 7})
		head.Close()
		c.Fill(head)
	}
	return c.Image(), nil
}

// WriteDiagram writes the model's [Model.Diagram] to w as a PNG.
func (m *Model) WriteDiagram(w io.Writer) error {
	img, err := m.Diagram()
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("model %s: encode diagram PNG: %w", m.Name, err)
	}
	return nil
}
