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

	"fmnist/tfrunner"
)

// series is one curve of a chart.
type series struct {
	name   string
	values []float64 // one per epoch, epoch 1 first
	color  color.Color
	dashed bool
	shape  draw.GlyphDrawer
}

// curveChart draws value-per-epoch curves, each point annotated with its
// value when annotate is set, as the study's charts were.
func curveChart(title, yLabel string, ss []series, annotate bool) ([]byte, error) {
	p := newPlot(title, "Epoch", yLabel)
	leg := newLegend()
	p.X.Tick.Marker = intTicks{}
	p.Y.Tick.Marker = niceTicks{}
	lo, hi := math.Inf(1), math.Inf(-1)
	n := 0
	for _, s := range ss {
		n = max(n, len(s.values))
		for _, v := range s.values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("chart %q: no data", title)
	}
	// Leave room above and below for the annotations.
	span := hi - lo
	if span < 1e-9 {
		span = math.Max(math.Abs(hi)*0.1, 0.01)
	}
	p.Y.Min, p.Y.Max = lo-0.14*span, hi+0.14*span
	p.X.Min, p.X.Max = 0.6, float64(n)+0.4
	p.Add(plotter.NewGrid())

	for si, s := range ss {
		xys := make(plotter.XYs, len(s.values))
		for i, v := range s.values {
			xys[i] = plotter.XY{X: float64(i + 1), Y: v}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("chart %q: %w", title, err)
		}
		line.Color = s.color
		line.Width = vg.Points(1.8)
		if s.dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		points.Color = s.color
		points.Radius = vg.Points(3)
		points.Shape = s.shape
		p.Add(line, points)
		leg.Add(s.name, line, points)
		if !annotate {
			continue
		}
		// Each value goes above its point when it is the highest of the
		// curves at that epoch, below otherwise, so that the annotations
		// of two curves never face each other.
		for i, xy := range xys {
			above := true
			for sj, o := range ss {
				if sj != si && i < len(o.values) && (o.values[i] > xy.Y || (o.values[i] == xy.Y && sj < si)) {
					above = false
				}
			}
			sty := text.Style{
				Color:   s.color,
				Font:    font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, 10),
				XAlign:  draw.XCenter,
				YAlign:  draw.YBottom,
				Handler: plot.DefaultTextHandler,
			}
			off := vg.Point{Y: 5}
			if !above {
				sty.YAlign, off = draw.YTop, vg.Point{Y: -5}
			}
			label := &plotter.Labels{XYs: plotter.XYs{xy}, Labels: []string{fmt.Sprintf("%.3f", xy.Y)}, TextStyle: []text.Style{sty}, Offset: off}
			p.Add(label)
		}
	}
	return renderPNG(p, leg, chartWidth, chartHeight)
}

// accuracyChart draws a run's training and validation accuracy per epoch.
func accuracyChart(name string, h tfrunner.History) ([]byte, error) {
	train, val := historySeries(h, func(e tfrunner.Epoch) (float64, float64) { return e.Accuracy, e.ValAccuracy })
	return curveChart(fmt.Sprintf("Model %s: accuracy per epoch", name), "Accuracy", []series{
		{name: "training", values: train, color: palette[0], shape: draw.CircleGlyph{}},
		{name: "validation", values: val, color: palette[3], dashed: true, shape: draw.TriangleGlyph{}},
	}, true)
}

// lossChart draws a run's training and validation loss per epoch.
func lossChart(name string, h tfrunner.History) ([]byte, error) {
	train, val := historySeries(h, func(e tfrunner.Epoch) (float64, float64) { return e.Loss, e.ValLoss })
	return curveChart(fmt.Sprintf("Model %s: loss per epoch", name), "Loss (cross-entropy)", []series{
		{name: "training", values: train, color: palette[0], shape: draw.CircleGlyph{}},
		{name: "validation", values: val, color: palette[3], dashed: true, shape: draw.TriangleGlyph{}},
	}, true)
}

// validationOverlay draws every run's validation accuracy on one chart.
func validationOverlay(runs []*RunArtifacts) ([]byte, error) {
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}}
	var ss []series
	for i, r := range runs {
		_, val := historySeries(r.History, func(e tfrunner.Epoch) (float64, float64) { return e.Accuracy, e.ValAccuracy })
		ss = append(ss, series{name: "model " + r.Name, values: val, color: colorOf(i), shape: shapes[i%len(shapes)], dashed: i%2 == 1})
	}
	return curveChart("Validation accuracy of every model", "Validation accuracy", ss, false)
}

func historySeries(h tfrunner.History, f func(tfrunner.Epoch) (float64, float64)) (a, b []float64) {
	for _, e := range h.Epochs {
		x, y := f(e)
		a, b = append(a, x), append(b, y)
	}
	return a, b
}
