package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart geometry.
const (
	chartDPI    = 110
	chartWidth  = 7 * vg.Inch
	chartHeight = 4.4 * vg.Inch
)

// palette is a qualitative palette that stays distinguishable for
// colour-blind readers: Okabe and Ito's eight colours (yellow moved late, as
// it is faint on white) followed by four of Paul Tol's muted colours.
var palette = []color.Color{
	rgb(0x00, 0x72, 0xB2), // blue
	rgb(0xE6, 0x9F, 0x00), // orange
	rgb(0x00, 0x9E, 0x73), // bluish green
	rgb(0xD5, 0x5E, 0x00), // vermillion
	rgb(0xCC, 0x79, 0xA7), // reddish purple
	rgb(0x56, 0xB4, 0xE9), // sky blue
	rgb(0x00, 0x00, 0x00), // black
	rgb(0xF0, 0xE4, 0x42), // yellow
	rgb(0x88, 0x22, 0x55), // Tol wine
	rgb(0x99, 0x99, 0x33), // Tol olive
	rgb(0x33, 0x22, 0x88), // Tol indigo
	rgb(0x44, 0xAA, 0x99), // Tol teal
}

// noiseColor draws DBSCAN noise and lumped small clusters.
var noiseColor = rgb(0xBB, 0xBB, 0xBB)

func rgb(r, g, b uint8) color.Color { return color.RGBA{r, g, b, 0xff} }

// colorOf returns the palette colour of group i, cycling when needed.
func colorOf(i int) color.Color { return palette[i%len(palette)] }

// newPlot makes a plot with a title and axis labels in the sans-serif
// Liberation font embedded in gonum/plot.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 14)
	p.Title.Padding = 6
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 12.5)
		a.Tick.Label.Font = font.From(sans, 11)
	}
	p.Legend.TextStyle.Font = font.From(sans, 11)
	return p
}

// sideLegend is a legend drawn in a column beside the plot rather than over
// its data; it tracks the width its entries need.
type sideLegend struct {
	plot.Legend
	width vg.Length
}

// newLegend makes an empty side legend.
func newLegend() *sideLegend {
	l := &sideLegend{Legend: plot.NewLegend()}
	l.TextStyle.Font = font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, 11)
	l.Top = true
	l.Left = true
	l.ThumbnailWidth = 18
	l.Padding = 3
	return l
}

// Add adds an entry, widening the legend's column as its name needs.
func (l *sideLegend) Add(name string, thumbs ...plot.Thumbnailer) {
	l.Legend.Add(name, thumbs...)
	l.width = max(l.width, l.TextStyle.Width(name)+l.ThumbnailWidth+l.Padding+16)
}

// renderPNG draws p, with leg (if not nil) in a column on its right, into a
// PNG of w (plus the legend's width) by h.
func renderPNG(p *plot.Plot, leg *sideLegend, w, h vg.Length) (png []byte, err error) {
	defer func() {
		// gonum/plot panics on some impossible geometry; make it an error.
		if r := recover(); r != nil {
			png, err = nil, fmt.Errorf("draw chart %q: %v", p.Title.Text, r)
		}
	}()
	legW := vg.Length(0)
	if leg != nil {
		legW = leg.width
	}
	c := vgimg.NewWith(vgimg.UseWH(w+legW, h), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	if leg != nil {
		p.Draw(draw.Crop(dc, 4, -legW, 4, -6))
		top := p.Title.TextStyle.Height(p.Title.Text) + p.Title.Padding + 10
		leg.Draw(draw.Crop(dc, w+8, 0, 0, -top))
	} else {
		p.Draw(draw.Crop(dc, 4, -12, 4, -6))
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode chart %q: %w", p.Title.Text, err)
	}
	return buf.Bytes(), nil
}

// intTicks marks every integer of the axis range (or every n-th when there
// are many), as epochs are.
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := int(math.Ceil(min)), int(math.Floor(max))
	step := 1
	for (hi-lo)/step > 12 {
		step++
	}
	var out []plot.Tick
	for v := lo; v <= hi; v++ {
		t := plot.Tick{Value: float64(v)}
		if (v-lo)%step == 0 {
			t.Label = fmt.Sprint(v)
		}
		out = append(out, t)
	}
	return out
}

// dot is a legend thumbnail: a filled circle larger than the plot's glyphs,
// so that small scatter points still have a readable key.
type dot struct{ color color.Color }

// Thumbnail implements plot.Thumbnailer.
func (d dot) Thumbnail(c *draw.Canvas) {
	center := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	c.DrawGlyph(draw.GlyphStyle{Color: d.color, Radius: 4, Shape: draw.CircleGlyph{}}, center)
}

// niceTicks labels about six round values of the axis range, more than
// gonum's default, so that curves can be read off the axis.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	decimals := max(int(-math.Floor(math.Log10(step)+1e-9)), 0)
	if s := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9)); s == 2.5 {
		decimals++
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		// A minor tick half-way.
		if h := v + step/2; h <= hi {
			out = append(out, plot.Tick{Value: h})
		}
	}
	return out
}
