package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// testSplit makes n images whose pixel (0, 0) is i/n and the rest 0 (the
// ground), except pixel (1, 1), which is 1 (garment).
func testSplit(n int) dataset.Split {
	s := dataset.Split{X: make([]float32, n*dataset.Pixels), Labels: make([]int, n), N: n}
	for i := 0; i < n; i++ {
		px := s.Image(i)
		px[0] = float32(i) / float32(n)
		px[dataset.Width+1] = 1
	}
	return s
}

func TestSpritePNG(t *testing.T) {
	tests := []struct {
		name string
		s    dataset.Split
		n    int
		w, h int    // wanted size; 0 = an error
		err  string // in the error
	}{
		{"one row", testSplit(7), 7, 7 * 28, 28, ""},
		{"exactly one full row", testSplit(100), 100, 2800, 28, ""},
		{"second row started", testSplit(101), 101, 2800, 56, ""},
		{"first images only", testSplit(250), 120, 2800, 56, ""},
		{"no images", testSplit(3), 0, 0, 0, "0 images"},
		{"more than the split", testSplit(3), 4, 0, 0, "4 images wanted, the split has 3"},
		{"pixels missing", dataset.Split{X: make([]float32, 10), N: 2}, 2, 0, 0, "(10 pixel values)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := spritePNG(tt.s, tt.n)
			if tt.w == 0 {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			g, ok := img.(*image.Gray)
			if !ok {
				t.Fatalf("sprite is a %T, want grey", img)
			}
			if b := g.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("sprite is %v, want %dx%d", b, tt.w, tt.h)
			}
			// Tile i sits at column i%100, row i/100: ground white,
			// garment black, pixel (0,0) 255 - round(255 i/n).
			for _, i := range []int{0, tt.n / 2, tt.n - 1} {
				x0, y0 := (i%spriteCols)*28, (i/spriteCols)*28
				want := 255 - uint8(float32(i)/float32(tt.s.N)*255+0.5)
				if got := g.GrayAt(x0, y0).Y; got != want {
					t.Errorf("tile %d pixel (0,0) = %d, want %d", i, got, want)
				}
				if got := g.GrayAt(x0+1, y0+1).Y; got != 0 {
					t.Errorf("tile %d garment pixel = %d, want 0 (black)", i, got)
				}
				if got := g.GrayAt(x0+27, y0+27).Y; got != 255 {
					t.Errorf("tile %d ground pixel = %d, want 255 (white)", i, got)
				}
			}
			// Past the last tile the sprite is white.
			if tt.n%spriteCols != 0 {
				if got := g.GrayAt(tt.w-1, tt.h-1).Y; got != 255 {
					t.Errorf("empty tile pixel = %d, want 255", got)
				}
			}
		})
	}
}

func TestBinaryGray(t *testing.T) {
	for _, tt := range []struct {
		v    float32
		want uint8
	}{{0, 255}, {1, 0}, {0.5, 127}, {-1, 255}, {2, 0}} {
		if got := binaryGray(tt.v); got != tt.want {
			t.Errorf("binaryGray(%v) = %d, want %d", tt.v, got, tt.want)
		}
	}
}

// smallInput is an explorer input of 4 test images with everything known.
func smallInput() explorerInput {
	return explorerInput{
		Model: "A", Rows: 4,
		PCA:        [][2]float64{{0, 0}, {1, 1}, {2, 0.123456}, {-1, 3}},
		TSNE:       [][2]float64{{5, 5}, {6, 6}, {7, 7}, {8, 8}},
		LabelNames: dataset.GroupNames[:],
		Labels:     []int{0, 0, 1, 4},
		Original:   []int{0, 6, 5, 9},
		Predicted:  []int{0, 1, 1, 4},
		Probs:      [][]float64{{0.9, 0.1, 0, 0, 0}, {0.4, 0.6, 0, 0, 0}, {0, 0.77777, 0, 0, 0.22223}, {0, 0, 0, 0, 1}},
		KMeans:     []int{0, 1, 1, 0},
		DBSCAN:     []int{0, -1, 1, 1},
		Subclass:   []int{0, 1, 0, 0},
		Subclasses: []analysis.Subclasses{
			{Label: 0, Name: "T-shirt/Shirt", K: 2, Members: []int{1, 1}, Majority: []string{"T-shirt/top", "Shirt"}},
			{Label: 1, Name: "Sandal", K: 1, Members: []int{1}},
			{Label: 4, Name: "Shoe", K: 1, Members: []int{1}},
		},
		Sprite: true,
		EVR:    []float64{0.4, 0.2},
	}
}

func TestExplorerJSON(t *testing.T) {
	raw, err := explorerJSON(smallInput())
	if err != nil {
		t.Fatal(err)
	}
	var d explorerData
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, raw)
	}
	if d.N != 4 || len(d.Projections) != 2 || d.Projections[0].Key != "pca" || d.Projections[1].Key != "tsne" {
		t.Fatalf("n %d, projections %+v", d.N, d.Projections)
	}
	if got := d.Projections[0].XY; len(got) != 8 || got[5] != 0.1235 || d.Projections[0].XLabel != "PC 1 (40% of variance)" {
		t.Errorf("PCA xy %v (4 significant digits), x label %q", got, d.Projections[0].XLabel)
	}
	var keys []string
	for _, c := range d.Colourings {
		keys = append(keys, c.Key)
		total := 0
		for _, g := range c.Groups {
			total += g.Count
			if !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(g.Colour) {
				t.Errorf("%s group %q colour %q", c.Key, g.Name, g.Colour)
			}
		}
		if total != 4 || len(c.Of) != 4 {
			t.Errorf("%s: counts add to %d over %d points", c.Key, total, len(c.Of))
		}
	}
	if strings.Join(keys, ",") != "label,original,kmeans,dbscan,subclass,predicted" {
		t.Errorf("colourings %v", keys)
	}
	db := d.Colourings[3]
	if last := db.Groups[len(db.Groups)-1]; last.Name != "noise" || last.Colour != "#bbbbbb" || db.Of[1] != 2 {
		t.Errorf("DBSCAN noise: groups %+v, of %v", db.Groups, db.Of)
	}
	sub := d.Colourings[4]
	if sub.Groups[1].Name != "T-shirt/Shirt 1: Shirt" || sub.Groups[2].Name != "Sandal 0" || sub.Of[1] != 1 || sub.Of[3] != 3 {
		t.Errorf("sub-classes: groups %+v, of %v", sub.Groups, sub.Of)
	}
	if d.Colourings[0].Groups[1].Name != "1 Sandal" {
		t.Errorf("label group 1 is %q", d.Colourings[0].Groups[1].Name)
	}
	if len(d.Prob) != 4 || d.Prob[1] != 0.6 || d.Prob[2] != 0.7778 {
		t.Errorf("probabilities of the predicted labels %v", d.Prob)
	}
	if d.Sprite == nil || d.Sprite.File != SpriteFile || d.Sprite.Cols != 100 || d.Sprite.Tile != 28 || len(d.ClassNames) != 10 {
		t.Errorf("sprite %+v, class names %v", d.Sprite, d.ClassNames)
	}
	// Safe inside a <script> element.
	if bytes.Contains(raw, []byte("<")) {
		t.Errorf("the JSON holds a '<': %s", raw)
	}
}

func TestExplorerJSONPartial(t *testing.T) {
	in := smallInput()
	in.TSNE, in.Original, in.Predicted, in.Probs, in.Subclass, in.Sprite = nil, nil, nil, nil, nil, false
	raw, err := explorerJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	var d explorerData
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range d.Colourings {
		keys = append(keys, c.Key)
	}
	if len(d.Projections) != 1 || strings.Join(keys, ",") != "label,kmeans,dbscan" || d.Sprite != nil || d.Prob != nil || d.Original != nil {
		t.Errorf("projections %d, colourings %v, sprite %v, prob %v", len(d.Projections), keys, d.Sprite, d.Prob)
	}
}

func TestExplorerJSONBadInput(t *testing.T) {
	tests := []struct {
		name string
		edit func(*explorerInput)
		want string
	}{
		{"no rows", func(in *explorerInput) { in.Rows = 0 }, "0 test images"},
		{"no coordinates", func(in *explorerInput) { in.PCA, in.TSNE = nil, nil }, "neither PCA nor t-SNE"},
		{"short t-SNE", func(in *explorerInput) { in.TSNE = in.TSNE[:3] }, "3 t-SNE coordinates for 4 test images"},
		{"long labels", func(in *explorerInput) { in.Labels = append(in.Labels, 0) }, "5 labels for 4"},
		{"NaN coordinate", func(in *explorerInput) { in.PCA[2][1] = math.NaN() }, "PCA point 2"},
		{"infinite coordinate", func(in *explorerInput) { in.TSNE[0][0] = math.Inf(1) }, "t-SNE point 0"},
		{"negative label", func(in *explorerInput) { in.Labels[1] = -2 }, "True label of test image 1 is -2"},
		{"original class 10", func(in *explorerInput) { in.Original[3] = 10 }, "Original class of test image 3 is 10"},
		{"negative k-means cluster", func(in *explorerInput) { in.KMeans[0] = -1 }, "k-means cluster of test image 0 is -1"},
		{"DBSCAN below noise", func(in *explorerInput) { in.DBSCAN[2] = -3 }, "DBSCAN cluster of test image 2 is -3"},
		{"predictions without probabilities", func(in *explorerInput) { in.Probs = nil }, "must come together"},
		{"prediction beyond the probabilities", func(in *explorerInput) { in.Probs[3] = in.Probs[3][:2] }, "test image 3 is predicted 4 but has 2 probabilities"},
		{"sub-class out of range", func(in *explorerInput) { in.Subclass[2] = 1 }, "test image 2 of label 1 is in sub-class 1"},
		{"label without sub-classes", func(in *explorerInput) { in.Subclasses = in.Subclasses[:2] }, "test image 3 of label 4"},
		{"sub-classes without labels", func(in *explorerInput) { in.Labels = nil }, "sub-classes without labels"},
		{"nothing to colour by", func(in *explorerInput) {
			in.Labels, in.Original, in.Predicted, in.Probs, in.KMeans, in.DBSCAN, in.Subclass = nil, nil, nil, nil, nil, nil, nil
		}, "nothing to colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := smallInput()
			tt.edit(&in)
			_, err := explorerJSON(in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestExplorerScriptTags checks that the embedded script holds nothing a
// parser of the page's tags would take for an element.
func TestExplorerScriptTags(t *testing.T) {
	if m := regexp.MustCompile(`<[/a-zA-Z!]`).FindString(explorerScript); m != "" {
		t.Errorf("explorer.js holds %q: write comparisons as a < b", m)
	}
}

// TestRenderExplorerDegrades renders without the dataset and without
// subclasses.csv: the page still has the explorer, with notes, and no
// sprite.
func TestRenderExplorerDegrades(t *testing.T) {
	fx := writeFixture(t, t.TempDir(), "")
	out := t.TempDir()
	res, err := renderDirs(Options{RunsDir: fx.Runs, OutDir: out}, fx.Analysis, nil)
	if err != nil {
		t.Fatal(err)
	}
	html := readString(t, res.HTML)
	for _, want := range []string{`id="ex-canvas"`, "window.fmnistExplorerData = {", "the cards show no image", "No subclasses.csv"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if strings.Contains(html, SpriteFile) {
		t.Errorf("index.html refers to %s without a dataset", SpriteFile)
	}
	checkBalanced(t, html)
}

func TestRenderExplorerWithoutAnalysis(t *testing.T) {
	fx := writeFixture(t, t.TempDir(), "")
	res, err := renderDirs(Options{RunsDir: fx.Runs, OutDir: t.TempDir(), DataDir: fx.Data}, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	html := readString(t, res.HTML)
	if !strings.Contains(html, "there is no encoding to explore") || strings.Contains(html, "fmnistExplorerData") {
		t.Error("without analysis.json the explorer section should hold only a note")
	}
	checkBalanced(t, html)
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeFixtureSubclasses writes the fixture's subclasses.csv, as the
// fixture's analysis.json describes its sub-classes: one per original
// class of each label, Sandal's two split by the parity of the image.
func writeFixtureSubclasses(t *testing.T, fx fixture) {
	t.Helper()
	p, err := tfrunner.OpenDir(filepath.Join(fx.Runs, "A")).ReadPredictions(5)
	if err != nil {
		t.Fatal(err)
	}
	csv := []byte("label,subclass\n")
	for i, c := range p.Original {
		k := 0
		for d := 0; d < c; d++ {
			if dataset.Grouping[d] == dataset.Grouping[c] {
				k++
			}
		}
		if p.Labels[i] == 1 { // Sandal, the one class of its label
			k = i % 2
		}
		csv = fmt.Appendf(csv, "%d,%d\n", p.Labels[i], k)
	}
	must(t, os.WriteFile(filepath.Join(fx.Analysis, analysis.SubclassesFile), csv, 0o644))
}
