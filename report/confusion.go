package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// confusionGrid adapts a [true][predicted] matrix to plotter.GridXYZ with
// the predicted class on x and the first true class at the top.
type confusionGrid [][]int

func (g confusionGrid) Dims() (c, r int) { return len(g), len(g) }
func (g confusionGrid) Z(c, r int) float64 {
	return float64(g[len(g)-1-r][c])
}
func (g confusionGrid) X(c int) float64 { return float64(c) }
func (g confusionGrid) Y(r int) float64 { return float64(r) }

// blues is a white-to-dark-blue sequential palette (ColorBrewer Blues).
type blues int

// Colors implements palette.Palette.
func (n blues) Colors() []color.Color {
	stops := [][3]float64{{247, 251, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}}
	out := make([]color.Color, int(n))
	for i := range out {
		t := float64(i) / float64(int(n)-1) * float64(len(stops)-1)
		k := min(int(t), len(stops)-2)
		f := t - float64(k)
		var c [3]uint8
		for j := range c {
			c[j] = uint8(math.Round(stops[k][j]*(1-f) + stops[k+1][j]*f))
		}
		out[i] = color.RGBA{c[0], c[1], c[2], 0xff}
	}
	return out
}

// nameTicks labels the integer positions of an axis with names; reversed
// puts the first name at the highest position.
type nameTicks struct {
	names    []string
	reversed bool
}

// Ticks implements plot.Ticker.
func (t nameTicks) Ticks(min, max float64) []plot.Tick {
	out := make([]plot.Tick, len(t.names))
	for i, n := range t.names {
		v := float64(i)
		if t.reversed {
			v = float64(len(t.names) - 1 - i)
		}
		out[i] = plot.Tick{Value: v, Label: n}
	}
	return out
}

// confusionChart draws a confusion matrix as a heat map with the count in
// every cell and the class names on the axes.
func confusionChart(title string, conf [][]int, names []string) ([]byte, error) {
	k := len(conf)
	if k == 0 {
		return nil, fmt.Errorf("chart %q: empty confusion matrix", title)
	}
	if len(names) != k {
		names = make([]string, k)
		for i := range names {
			names[i] = fmt.Sprint(i)
		}
	}
	p := newPlot(title, "Predicted label", "True label")
	hm := plotter.NewHeatMap(confusionGrid(conf), blues(64))
	hm.Min = 0
	if hm.Max <= 0 {
		hm.Max = 1
	}
	p.Add(hm)
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	size := vg.Length(11)
	if k > 6 {
		size = 8.5
	}
	labels := &plotter.Labels{}
	for r, row := range conf {
		for c, v := range row {
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(k - 1 - r)})
			labels.Labels = append(labels.Labels, fmt.Sprint(v))
			clr := color.Color(color.Black)
			if float64(v) > 0.55*hm.Max {
				clr = color.White
			}
			labels.TextStyle = append(labels.TextStyle, text.Style{
				Color: clr, Font: font.From(sans, size), XAlign: draw.XCenter, YAlign: draw.YCenter,
				Handler: plot.DefaultTextHandler,
			})
		}
	}
	p.Add(labels)
	p.X.Tick.Marker = nameTicks{names: names}
	p.Y.Tick.Marker = nameTicks{names: names, reversed: true}
	p.X.Tick.Label.Rotation = math.Pi / 7
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Padding, p.Y.Padding = 0, 0
	w := 6.6 * vg.Inch
	h := 5.6 * vg.Inch
	if k > 6 {
		w, h = 8*vg.Inch, 7*vg.Inch
	}
	return renderPNG(p, nil, w, h)
}
