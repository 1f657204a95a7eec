package report

import (
	"fmt"
	"image/color"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxColouredGroups is how many groups a scatter chart colours one by one;
// the smallest of any others share one colour.
const maxColouredGroups = 11

// otherColor draws the clusters lumped together when there are too many.
var otherColor = rgb(0x77, 0x77, 0x77)

// points is a plotter drawing many small points, each with its own colour,
// in a fixed pseudo-random order so that no group hides another
// systematically. Points of the first `under` entries of order are drawn
// first (noise, lumped clusters).
type points struct {
	xys    plotter.XYs
	colors []color.Color
	order  []int
	radius vg.Length
}

// Plot implements plot.Plotter.
func (p *points) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for _, i := range p.order {
		pt := vg.Point{X: trX(p.xys[i].X), Y: trY(p.xys[i].Y)}
		if !c.Contains(pt) {
			continue
		}
		c.DrawGlyph(draw.GlyphStyle{Color: p.colors[i], Radius: p.radius, Shape: draw.CircleGlyph{}}, pt)
	}
}

// DataRange implements plot.DataRanger.
func (p *points) DataRange() (xmin, xmax, ymin, ymax float64) {
	return plotter.XYRange(p.xys)
}

// scatterChart draws pts coloured by group (group -1 is noise, in light
// grey), with a legend naming each group through name.
func scatterChart(title, xLabel, yLabel string, pts [][2]float64, groups []int, name func(g int) string) ([]byte, error) {
	if len(pts) == 0 || len(pts) != len(groups) {
		return nil, fmt.Errorf("chart %q: %d points and %d groups", title, len(pts), len(groups))
	}
	sizes := map[int]int{}
	for _, g := range groups {
		sizes[g]++
	}
	var ids []int
	for g := range sizes {
		if g >= 0 {
			ids = append(ids, g)
		}
	}
	sort.Ints(ids)
	// Too many groups: colour the largest, lump the rest.
	coloured := map[int]color.Color{}
	keep := ids
	if len(ids) > maxColouredGroups {
		bySize := append([]int(nil), ids...)
		sort.SliceStable(bySize, func(a, b int) bool { return sizes[bySize[a]] > sizes[bySize[b]] })
		keep = append([]int(nil), bySize[:maxColouredGroups-1]...)
		sort.Ints(keep)
	}
	for i, g := range keep {
		coloured[g] = colorOf(i)
	}

	p := newPlot(title, xLabel, yLabel)
	leg := newLegend()
	pl := &points{xys: make(plotter.XYs, len(pts)), colors: make([]color.Color, len(pts)), radius: vg.Points(2.2)}
	if len(pts) > 2000 {
		pl.radius = vg.Points(1.1)
	}
	var under, over []int
	for i, xy := range pts {
		pl.xys[i] = plotter.XY{X: xy[0], Y: xy[1]}
		c, ok := coloured[groups[i]]
		switch {
		case groups[i] < 0:
			c = noiseColor
			under = append(under, i)
		case !ok:
			c = otherColor
			under = append(under, i)
		default:
			over = append(over, i)
		}
		pl.colors[i] = c
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(over), func(a, b int) { over[a], over[b] = over[b], over[a] })
	pl.order = append(under, over...)
	p.Add(pl)

	for _, g := range keep {
		leg.Add(fmt.Sprintf("%s (%d)", name(g), sizes[g]), dot{coloured[g]})
	}
	if lumped := len(ids) - len(keep); lumped > 0 {
		n := 0
		for _, g := range ids {
			if _, ok := coloured[g]; !ok {
				n += sizes[g]
			}
		}
		leg.Add(fmt.Sprintf("%d smaller clusters (%d)", lumped, n), dot{otherColor})
	}
	if n := sizes[-1]; n > 0 {
		leg.Add(fmt.Sprintf("noise (%d)", n), dot{noiseColor})
	}
	return renderPNG(p, leg, chartWidth, chartHeight+0.6*vg.Inch)
}
