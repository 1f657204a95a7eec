package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strconv"

	"fmnist/analysis"
	"fmnist/dataset"
)

// SpriteFile is the explorer's sprite: the analysed test images, 28×28
// each, spriteCols to a row, in test-set order, dark garment on light
// ground.
const SpriteFile = "explorer_sprite.png"

// spriteCols is the number of tiles in a row of the sprite (100 rows of 100
// for the 10,000 test images: 2,800×2,800 pixels).
const spriteCols = 100

//go:embed explorer.js
var explorerScript string

// explorerView is what the page's explorer section shows.
type explorerView struct {
	// Notes say what the explorer lacks (no images, no classes...).
	Notes []string
	// Data is the explorer's data as a JavaScript object literal (JSON);
	// empty when there is nothing to explore.
	Data template.JS
	// Script is the explorer's code.
	Script template.JS
	// Sprite is the sprite image; nil without one.
	Sprite *figure
}

// explorerInput gathers what the explorer shows of each of Rows test
// images. Nil slices are unknown; non-nil ones must have Rows entries.
type explorerInput struct {
	Model      string
	Rows       int
	PCA, TSNE  [][2]float64
	LabelNames []string
	Labels     []int // true labels
	Original   []int // original 10 classes
	Predicted  []int
	Probs      [][]float64 // class probabilities of each image
	KMeans     []int
	DBSCAN     []int // -1 = noise
	Subclass   []int // index of the sub-class within the image's label
	Subclasses []analysis.Subclasses
	Sprite     bool // a sprite of the Rows images is written
	// EVR is the explained variance ratio of the two principal components.
	EVR []float64
}

// explorerData is the JSON the explorer script reads.
type explorerData struct {
	Model       string       `json:"model"`
	N           int          `json:"n"`
	Projections []projection `json:"projections"`
	Colourings  []colouring  `json:"colourings"`
	LabelNames  []string     `json:"labelNames"`
	Labels      []int        `json:"labels"`
	Original    []int        `json:"original"`
	Predicted   []int        `json:"predicted"`
	Prob        rounded      `json:"prob"` // probability of the predicted label
	Sprite      *spriteInfo  `json:"sprite"`
	ClassNames  []string     `json:"classNames"`
}

// projection is one 2-D view of the encoding.
type projection struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	XLabel string  `json:"xLabel"`
	YLabel string  `json:"yLabel"`
	XY     rounded `json:"xy"` // x0, y0, x1, y1, ...
}

// colouring groups the points one way.
type colouring struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Groups []group `json:"groups"`
	Of     []int   `json:"of"` // group index of each point
}

// group is one entry of a colouring's legend.
type group struct {
	Name   string `json:"name"`
	Colour string `json:"colour"`
	Count  int    `json:"count"`
}

// spriteInfo locates the tiles in the sprite.
type spriteInfo struct {
	File string `json:"file"`
	Cols int    `json:"cols"`
	Tile int    `json:"tile"`
}

// rounded is a list of numbers written with 4 significant digits, enough
// for a screen and a third of the size of full precision.
type rounded []float64

// MarshalJSON writes the numbers with 4 significant digits.
func (r rounded) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	buf := make([]byte, 0, 8*len(r)+2)
	buf = append(buf, '[')
	for i, v := range r {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendFloat(buf, v, 'g', 4, 64)
	}
	return append(buf, ']'), nil
}

// explorerPalette extends the report's palette with eight more colours
// (Tol's light and pale ones, then greys) for colourings of many groups.
var explorerPalette = func() []string {
	var out []string
	for _, c := range palette {
		out = append(out, hexColour(c))
	}
	return append(out, "#aa4499", "#117733", "#ddcc77", "#661100", "#6699cc", "#882255", "#999999", "#44bb99")
}()

func hexColour(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// explorerJSON checks the input and encodes the explorer's data.
func explorerJSON(in explorerInput) ([]byte, error) {
	n := in.Rows
	if n <= 0 {
		return nil, fmt.Errorf("explorer: %d test images", n)
	}
	if in.PCA == nil && in.TSNE == nil {
		return nil, fmt.Errorf("explorer: neither PCA nor t-SNE coordinates")
	}
	for _, c := range []struct {
		name string
		len  int
		set  bool
	}{
		{"PCA coordinates", len(in.PCA), in.PCA != nil}, {"t-SNE coordinates", len(in.TSNE), in.TSNE != nil},
		{"labels", len(in.Labels), in.Labels != nil}, {"original classes", len(in.Original), in.Original != nil},
		{"predicted labels", len(in.Predicted), in.Predicted != nil}, {"probabilities", len(in.Probs), in.Probs != nil},
		{"k-means clusters", len(in.KMeans), in.KMeans != nil}, {"DBSCAN clusters", len(in.DBSCAN), in.DBSCAN != nil},
		{"sub-classes", len(in.Subclass), in.Subclass != nil},
	} {
		if c.set && c.len != n {
			return nil, fmt.Errorf("explorer: %d %s for %d test images", c.len, c.name, n)
		}
	}
	if (in.Predicted == nil) != (in.Probs == nil) {
		return nil, fmt.Errorf("explorer: predicted labels and probabilities must come together")
	}
	if in.Subclass != nil && in.Labels == nil {
		return nil, fmt.Errorf("explorer: sub-classes without labels")
	}
	d := explorerData{Model: in.Model, N: n, LabelNames: in.LabelNames, Labels: in.Labels, Original: in.Original, Predicted: in.Predicted}
	if in.Original != nil {
		d.ClassNames = dataset.ClassNames[:]
	}
	if in.Sprite {
		d.Sprite = &spriteInfo{File: SpriteFile, Cols: spriteCols, Tile: dataset.Width}
	}
	addProjection := func(key, name, xl, yl string, pts [][2]float64) error {
		if pts == nil {
			return nil
		}
		xy := make(rounded, 0, 2*n)
		for i, p := range pts {
			if !finite(p[0]) || !finite(p[1]) {
				return fmt.Errorf("explorer: %s point %d is (%v, %v)", name, i, p[0], p[1])
			}
			xy = append(xy, p[0], p[1])
		}
		d.Projections = append(d.Projections, projection{Key: key, Name: name, XLabel: xl, YLabel: yl, XY: xy})
		return nil
	}
	pc1, pc2 := "PC 1", "PC 2"
	if len(in.EVR) >= 2 {
		pc1, pc2 = fmt.Sprintf("PC 1 (%.0f%% of variance)", 100*in.EVR[0]), fmt.Sprintf("PC 2 (%.0f%%)", 100*in.EVR[1])
	}
	if err := addProjection("pca", "PCA", pc1, pc2, in.PCA); err != nil {
		return nil, err
	}
	if err := addProjection("tsne", "t-SNE", "t-SNE 1", "t-SNE 2", in.TSNE); err != nil {
		return nil, err
	}

	labelCount := max(len(in.LabelNames), maxInt(in.Labels)+1, maxInt(in.Predicted)+1)
	labelName := func(g int) string { return fmt.Sprintf("%d %s", g, nameOf(in.LabelNames, g)) }
	if in.Labels != nil {
		c, err := byGroup("label", "True label", in.Labels, labelCount, labelName)
		if err != nil {
			return nil, err
		}
		d.Colourings = append(d.Colourings, c)
	}
	if in.Original != nil {
		c, err := byGroup("original", "Original class", in.Original, len(dataset.ClassNames), func(g int) string { return nameOf(dataset.ClassNames[:], g) })
		if err != nil {
			return nil, err
		}
		d.Colourings = append(d.Colourings, c)
	}
	if in.KMeans != nil {
		c, err := byGroup("kmeans", "k-means cluster", in.KMeans, maxInt(in.KMeans)+1, func(g int) string { return fmt.Sprintf("cluster %d", g) })
		if err != nil {
			return nil, err
		}
		d.Colourings = append(d.Colourings, c)
	}
	if in.DBSCAN != nil {
		c, err := dbscanColouring(in.DBSCAN)
		if err != nil {
			return nil, err
		}
		d.Colourings = append(d.Colourings, c)
	}
	if in.Subclass != nil {
		c, err := subclassColouring(in)
		if err != nil {
			return nil, err
		}
		d.Colourings = append(d.Colourings, c)
	}
	if in.Predicted != nil {
		c, err := byGroup("predicted", "Predicted label", in.Predicted, labelCount, labelName)
		if err != nil {
			return nil, err
		}
		d.Colourings = append(d.Colourings, c)
		d.Prob = make(rounded, n)
		for i, p := range in.Predicted {
			if p >= len(in.Probs[i]) {
				return nil, fmt.Errorf("explorer: test image %d is predicted %d but has %d probabilities", i, p, len(in.Probs[i]))
			}
			d.Prob[i] = in.Probs[i][p]
		}
	}
	if len(d.Colourings) == 0 {
		return nil, fmt.Errorf("explorer: nothing to colour the points by")
	}
	return json.Marshal(d)
}

// byGroup makes a colouring of groups 0..count-1 named by name.
func byGroup(key, title string, of []int, count int, name func(int) string) (colouring, error) {
	c := colouring{Key: key, Name: title, Of: of, Groups: make([]group, count)}
	for g := range c.Groups {
		c.Groups[g] = group{Name: name(g), Colour: explorerPalette[g%len(explorerPalette)]}
	}
	for i, g := range of {
		if g < 0 || g >= count {
			return c, fmt.Errorf("explorer: %s of test image %d is %d, outside 0..%d", title, i, g, count-1)
		}
		c.Groups[g].Count++
	}
	return c, nil
}

// dbscanColouring groups by DBSCAN cluster, noise (-1) last and grey.
func dbscanColouring(db []int) (colouring, error) {
	clusters := maxInt(db) + 1
	of := make([]int, len(db))
	for i, c := range db {
		if c < -1 {
			return colouring{}, fmt.Errorf("explorer: DBSCAN cluster of test image %d is %d", i, c)
		}
		of[i] = c
		if c == -1 {
			of[i] = clusters
		}
	}
	c, err := byGroup("dbscan", "DBSCAN cluster", of, clusters+1, func(g int) string {
		if g == clusters {
			return "noise"
		}
		return fmt.Sprintf("cluster %d", g)
	})
	if err == nil {
		c.Groups[clusters].Colour = hexColour(noiseColor)
	}
	return c, err
}

// subclassColouring groups by (label, sub-class), label after label.
func subclassColouring(in explorerInput) (colouring, error) {
	first := map[int]int{} // label -> group of its sub-class 0
	k := map[int]int{}
	var groups []group
	for _, s := range in.Subclasses {
		first[s.Label], k[s.Label] = len(groups), s.K
		name := s.Name
		if name == "" {
			name = nameOf(in.LabelNames, s.Label)
		}
		for j := 0; j < s.K; j++ {
			g := group{Name: fmt.Sprintf("%s %d", name, j), Colour: explorerPalette[len(groups)%len(explorerPalette)]}
			if j < len(s.Majority) {
				g.Name += ": " + s.Majority[j]
			}
			groups = append(groups, g)
		}
	}
	of := make([]int, len(in.Subclass))
	for i, s := range in.Subclass {
		l := in.Labels[i]
		kl, ok := k[l]
		if !ok || s < 0 || s >= kl {
			return colouring{}, fmt.Errorf("explorer: test image %d of label %d is in sub-class %d, which the analysis does not have", i, l, s)
		}
		of[i] = first[l] + s
		groups[of[i]].Count++
	}
	return colouring{Key: "subclass", Name: "Sub-class", Groups: groups, Of: of}, nil
}

func maxInt(v []int) int {
	m := -1
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// spritePNG draws the first n images of s as 28×28 tiles, spriteCols to a
// row, dark garment on light ground, and encodes them as a grey PNG.
func spritePNG(s dataset.Split, n int) ([]byte, error) {
	if n <= 0 {
		return nil, fmt.Errorf("sprite: %d images", n)
	}
	if n > s.N || len(s.X) < n*dataset.Pixels {
		return nil, fmt.Errorf("sprite: %d images wanted, the split has %d (%d pixel values)", n, s.N, len(s.X))
	}
	cols := min(n, spriteCols)
	rows := (n + spriteCols - 1) / spriteCols
	w, h := dataset.Width, dataset.Height
	img := image.NewGray(image.Rect(0, 0, cols*w, rows*h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for i := 0; i < n; i++ {
		px := s.Image(i)
		x0, y0 := (i%spriteCols)*w, (i/spriteCols)*h
		for y := 0; y < h; y++ {
			row := img.Pix[(y0+y)*img.Stride+x0:]
			for x := 0; x < w; x++ {
				row[x] = binaryGray(px[y*w+x])
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("sprite: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// buildExplorer fills the page's explorer from the analysis, the analysed
// run's predictions and the dataset's test images, leaving out with a note
// whatever is missing.
func (b *builder) buildExplorer(names []string) {
	v := &b.page.Explorer
	v.Script = template.JS(explorerScript)
	if b.an == nil {
		v.Notes = append(v.Notes, "No analysis.json: there is no encoding to explore.")
		return
	}
	a := &b.an.Analysis
	in := explorerInput{Model: a.Model, Rows: a.Rows, PCA: b.an.PCA, TSNE: b.an.TSNE, LabelNames: names,
		KMeans: b.an.KMeans, DBSCAN: b.an.DBSCAN, Subclasses: a.Subclasses, EVR: a.PCA.ExplainedVarianceRatio}
	if in.PCA == nil && in.TSNE == nil {
		v.Notes = append(v.Notes, "Neither pca.csv nor tsne.csv is there: no coordinates to explore.")
		return
	}
	switch {
	case b.analysed != nil && b.analysed.Predictions != nil && len(b.analysed.Predictions.Labels) == a.Rows:
		p := b.analysed.Predictions
		in.Labels, in.Original, in.Predicted, in.Probs = p.Labels, p.Original, p.Predicted, p.Probs
	case b.data != nil && b.data.Test.N == a.Rows:
		in.Labels, in.Original = b.data.Test.Labels, b.data.Test.Original
		v.Notes = append(v.Notes, "No predictions_test.csv of the analysed model: the cards show no prediction and misclassified points cannot be picked out.")
	case b.an.SubclassLabels != nil:
		in.Labels = b.an.SubclassLabels
		v.Notes = append(v.Notes, "No predictions_test.csv of the analysed model and no dataset: the labels come from subclasses.csv; no predictions.")
	default:
		v.Notes = append(v.Notes, "The true labels of the test images are unknown (no predictions_test.csv of the analysed model, no dataset): the points are coloured by cluster only.")
	}
	if in.Original == nil {
		v.Notes = append(v.Notes, "The 10 original classes are unknown (CSV dataset): no colouring by original class.")
	}
	switch {
	case b.an.Subclass == nil:
		v.Notes = append(v.Notes, "No subclasses.csv: no colouring by sub-class.")
	case in.Labels == nil || !slices.Equal(b.an.SubclassLabels, in.Labels):
		v.Notes = append(v.Notes, "The labels in subclasses.csv are not the test labels of the analysed run: no colouring by sub-class.")
	default:
		in.Subclass = b.an.Subclass
	}
	in.Sprite = b.data != nil && b.data.Test.N == a.Rows
	if !in.Sprite {
		v.Notes = append(v.Notes, "The dataset's test images could not be read (or are not the analysed ones): the cards show no image.")
	}
	data, err := explorerJSON(in)
	if err != nil {
		v.Notes = append(v.Notes, fmt.Sprintf("The explorer is left out: %v.", err))
		return
	}
	v.Data = template.JS(data)
	if in.Sprite {
		test, rows := b.data.Test, a.Rows
		f := b.add(SpriteFile, "", func() ([]byte, error) { return spritePNG(test, rows) })
		f.Width, f.Height = min(rows, spriteCols)*dataset.Width, (rows+spriteCols-1)/spriteCols*dataset.Height
		v.Sprite = &f
	}
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}
