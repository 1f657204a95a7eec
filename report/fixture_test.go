package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
)

var update = flag.Bool("update", false, "rewrite the fixture in ../testdata/report")

// committedFixture is the checked-in copy of the fixture.
const committedFixture = "../testdata/report"

// Fixture sizes: small, but shaped like a real run.
const (
	fixtureTrain = 60
	fixtureTest  = 200
)

// fixture locates a fabricated study under one root directory.
type fixture struct {
	Root     string
	Runs     string // runs/<model>/
	Analysis string // analysis.json and its CSV files
	Data     string // x_train.csv, y_train.csv, x_test.csv, y_test.csv
}

// writeFixture fabricates, with the real types of graphs, tfrunner,
// analysis and dataset, two complete runs ("A" with every file, "default"
// without encoding_test.csv, as its 6,272-wide encoding is too big for a
// fixture), the analysis of A and a tiny CSV dataset of 60 training and 200
// test images. dataDirInRun is the dataset path recorded in run.json.
func writeFixture(t testing.TB, root, dataDirInRun string) fixture {
	t.Helper()
	fx := fixture{Root: root, Runs: filepath.Join(root, "runs"), Analysis: filepath.Join(root, "analysis"), Data: filepath.Join(root, "dataset")}
	for _, d := range []string{fx.Data, fx.Analysis} {
		must(t, os.MkdirAll(d, 0o755))
	}
	r := rand.New(rand.NewPCG(7, 11))

	// Dataset: original classes cycle through 0..9 in a shuffled order.
	classesOf := func(n int) []int {
		c := make([]int, n)
		for i := range c {
			c[i] = i % 10
		}
		r.Shuffle(n, func(i, j int) { c[i], c[j] = c[j], c[i] })
		return c
	}
	trainClasses, testClasses := classesOf(fixtureTrain), classesOf(fixtureTest)
	group := func(c []int) []int {
		g := make([]int, len(c))
		for i, v := range c {
			g[i] = dataset.Grouping[v]
		}
		return g
	}
	trainLabels, testLabels := group(trainClasses), group(testClasses)
	must(t, dataset.WriteCSVImages(filepath.Join(fx.Data, "x_train.csv"), drawClothes(r, trainClasses), fixtureTrain))
	must(t, dataset.WriteCSVLabels(filepath.Join(fx.Data, "y_train.csv"), trainLabels))
	must(t, dataset.WriteCSVImages(filepath.Join(fx.Data, "x_test.csv"), drawClothes(r, testClasses), fixtureTest))
	must(t, dataset.WriteCSVLabels(filepath.Join(fx.Data, "y_test.csv"), testLabels))

	// Runs.
	histories := map[string][][4]float64{ // loss, acc, val_loss, val_acc
		"A":       {{0.452, 0.842, 0.331, 0.881}, {0.268, 0.903, 0.262, 0.905}, {0.214, 0.921, 0.279, 0.902}},
		"default": {{0.521, 0.815, 0.402, 0.858}, {0.331, 0.882, 0.318, 0.889}, {0.276, 0.901, 0.291, 0.897}, {0.238, 0.914, 0.270, 0.906}},
	}
	accuracy := map[string]float64{"A": 0.9, "default": 0.88}
	for _, name := range []string{"A", "default"} {
		m, err := graphs.ByName(name, 5)
		must(t, err)
		dir := filepath.Join(fx.Runs, name)
		must(t, os.MkdirAll(dir, 0o755))
		writeJSONFile(t, filepath.Join(dir, tfrunner.ModelFile), m)
		must(t, os.WriteFile(filepath.Join(dir, tfrunner.SummaryFile), []byte(m.Summary()), 0o644))
		var png bytes.Buffer
		must(t, m.WriteDiagram(&png))
		must(t, os.WriteFile(filepath.Join(dir, tfrunner.DiagramFile), png.Bytes(), 0o644))

		h := tfrunner.History{Model: name}
		for i, v := range histories[name] {
			h.Epochs = append(h.Epochs, tfrunner.Epoch{Epoch: i + 1, Loss: v[0], Accuracy: v[1], ValLoss: v[2], ValAccuracy: v[3], Seconds: 9.5 + float64(i)})
		}
		writeJSONFile(t, filepath.Join(dir, tfrunner.HistoryFile), h)

		// Predictions: right with the model's accuracy, wrong towards a
		// confusable label otherwise.
		confusable := []int{2, 3, 4, 1, 2}
		var pred bytes.Buffer
		pred.WriteString("label,original,predicted,p0,p1,p2,p3,p4\n")
		conf := make([][]int, 5)
		for i := range conf {
			conf[i] = make([]int, 5)
		}
		loss := 0.0
		for i, y := range testLabels {
			p := y
			if r.Float64() > accuracy[name] {
				p = confusable[y]
			}
			// The true label is the runner-up of a mistake.
			probs := make([]float64, 5)
			top := 0.55 + 0.44*r.Float64()
			rest := 1 - top
			probs[p] = top
			for k := range probs {
				switch {
				case k == p:
				case p != y && k == y:
					probs[k] = rest * 0.8
				case p != y:
					probs[k] = rest * 0.2 / 3
				default:
					probs[k] = rest / 4
				}
			}
			loss -= math.Log(probs[y])
			conf[y][p]++
			fmt.Fprintf(&pred, "%d,%d,%d", y, testClasses[i], p)
			for _, v := range probs {
				fmt.Fprintf(&pred, ",%.6g", v)
			}
			pred.WriteString("\n")
		}
		must(t, os.WriteFile(filepath.Join(dir, tfrunner.PredictionsFile), pred.Bytes(), 0o644))
		if name == "A" {
			writeEncoding(t, filepath.Join(dir, tfrunner.EncodingFile), r, testClasses, 32)
		}
		correct := 0
		prec, rec := make([]float64, 5), make([]float64, 5)
		for c := 0; c < 5; c++ {
			correct += conf[c][c]
			col, row := 0, 0
			for k := 0; k < 5; k++ {
				col += conf[k][c]
				row += conf[c][k]
			}
			if col > 0 {
				prec[c] = float64(conf[c][c]) / float64(col)
			}
			if row > 0 {
				rec[c] = float64(conf[c][c]) / float64(row)
			}
		}
		run := tfrunner.Run{
			Model: name, Engine: "go", EngineVersion: "fixture", Device: "cpu", Params: m.ParamCount(),
			Batch: m.Batch, Epochs: len(h.Epochs), Seed: 42, Classes: 5, Threads: 2,
			TrainExamples: 54, ValExamples: 6, TestExamples: fixtureTest, DataDir: dataDirInRun, DataFormat: "csv",
			TrainSeconds: 9.5*float64(len(h.Epochs)) + 3, PredictSeconds: 0.42,
			TestLoss: loss / fixtureTest, TestAccuracy: float64(correct) / fixtureTest,
			Confusion: conf, Precision: prec, Recall: rec, Adam: tfrunner.KerasAdam,
			GoVersion: "go1.26", HostCPU: "Fixture CPU (2 cores)", Started: "2025-01-01T10:00:00Z", Finished: "2025-01-01T10:01:00Z",
		}
		writeJSONFile(t, filepath.Join(dir, tfrunner.RunFile), run)
	}

	writeAnalysis(t, fx.Analysis, r, testClasses, testLabels)
	return fx
}

// writeAnalysis fabricates analysis.json and its four CSV files for model A.
func writeAnalysis(t testing.TB, dir string, r *rand.Rand, classes, labels []int) {
	n := len(classes)
	// Class centres on a circle, sub-structure inside each group.
	centre := func(c int, scale float64) (float64, float64) {
		a := 2 * math.Pi * float64(c) / 10
		return scale * math.Cos(a), scale * math.Sin(a)
	}
	var pca, tsne bytes.Buffer
	pca.WriteString("pc1,pc2\n")
	tsne.WriteString("x,y\n")
	kmeans := make([]int, n)
	dbscan := make([]int, n)
	for i, c := range classes {
		x, y := centre(c, 4)
		fmt.Fprintf(&pca, "%.5g,%.5g\n", x+r.NormFloat64()*0.9, y+r.NormFloat64()*0.9)
		x, y = centre(c, 30)
		fmt.Fprintf(&tsne, "%.5g,%.5g\n", x+r.NormFloat64()*3, y+r.NormFloat64()*3)
		kmeans[i] = labels[i]
		if r.Float64() < 0.12 {
			kmeans[i] = (labels[i] + 1) % 5
		}
		dbscan[i] = c
		if r.Float64() < 0.08 {
			dbscan[i] = -1
		}
	}
	writeInts := func(name string, v []int) {
		var b bytes.Buffer
		b.WriteString("cluster\n")
		for _, x := range v {
			fmt.Fprintf(&b, "%d\n", x)
		}
		must(t, os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644))
	}
	must(t, os.WriteFile(filepath.Join(dir, analysis.PCAFile), pca.Bytes(), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, analysis.TSNEFile), tsne.Bytes(), 0o644))
	writeInts(analysis.KMeansFile, kmeans)
	writeInts(analysis.DBSCANFile, dbscan)

	a := analysis.Analysis{Model: "A", Rows: n, Dims: 32, HasClasses: true,
		PCA:    analysis.PCA{ExplainedVarianceRatio: []float64{0.412, 0.187}},
		KMeans: analysis.KMeans{K: 5, Inertia: 1234.5, Sizes: make([]int, 5)},
		DBSCAN: analysis.DBSCAN{Eps: 1.25, MinSamples: 5, SuggestedEps: 1.3},
		TSNE:   analysis.TSNE{KL: 0.61, Iterations: 1000, Perplexity: 30},
		Scores: map[string]analysis.Scores{
			"labels":     {ARI5: 1, NMI5: 1, ARI10: 0.71, NMI10: 0.83, Silhouette5: 0.21},
			"kmeans":     {ARI5: 0.74, NMI5: 0.77, ARI10: 0.55, NMI10: 0.69, Silhouette5: 0.26},
			"dbscan":     {ARI5: 0.58, NMI5: 0.66, ARI10: 0.79, NMI10: 0.85, Silhouette5: 0.12},
			"subclasses": {ARI5: 0.69, NMI5: 0.8, ARI10: 0.88, NMI10: 0.9, Silhouette5: 0.18},
		},
		SubclassesARI10: 0.88,
		Seconds:         analysis.Seconds{PCA: 0.01, KMeans: 0.05, DBSCAN: 0.02, TSNE: 1.5, Subclasses: 0.1},
	}
	a.KMeans.Contingency5 = make([][]int, 5)
	a.KMeans.Contingency10 = make([][]int, 10)
	for i := range a.KMeans.Contingency5 {
		a.KMeans.Contingency5[i] = make([]int, 5)
	}
	for i := range a.KMeans.Contingency10 {
		a.KMeans.Contingency10[i] = make([]int, 5)
	}
	for i, k := range kmeans {
		a.KMeans.Sizes[k]++
		a.KMeans.Contingency5[labels[i]][k]++
		a.KMeans.Contingency10[classes[i]][k]++
	}
	seen := map[int]bool{}
	for _, c := range dbscan {
		if c < 0 {
			a.DBSCAN.Noise++
		} else if !seen[c] {
			seen[c] = true
			a.DBSCAN.Clusters++
		}
	}
	a.DBSCAN.Sizes = make([]int, a.DBSCAN.Clusters)
	for _, c := range dbscan {
		if c >= 0 {
			a.DBSCAN.Sizes[c]++
		}
	}
	// Sub-classes: one per original class of the group, Sandal split in two.
	for label, name := range dataset.GroupNames {
		var members []int
		for c := 0; c < 10; c++ {
			if dataset.Grouping[c] == label {
				members = append(members, c)
			}
		}
		if len(members) == 1 {
			members = append(members, members[0])
		}
		s := analysis.Subclasses{Label: label, Name: name, K: len(members)}
		for k, c := range members {
			counts := make([]int, 10)
			var reps []int
			size := 0
			for i, cl := range classes {
				// Sandal's two sub-classes split its images by parity.
				if cl != c || (members[0] == members[len(members)-1] && i%2 != k) {
					continue
				}
				size++
				counts[cl]++
				if len(reps) < 8 {
					reps = append(reps, i)
				}
			}
			// A little impurity from the neighbouring class of the group.
			if other := members[(k+1)%len(members)]; other != c {
				counts[other] += k + 1
				size += k + 1
			}
			s.Members = append(s.Members, size)
			s.Classes = append(s.Classes, counts)
			s.Purity = append(s.Purity, float64(counts[c])/float64(max(size, 1)))
			s.Majority = append(s.Majority, dataset.ClassNames[c])
			s.Representatives = append(s.Representatives, reps)
		}
		a.Subclasses = append(a.Subclasses, s)
	}
	writeJSONFile(t, filepath.Join(dir, analysis.File), a)
}

// writeEncoding writes an encoding CSV of width columns: each class has
// its own pattern of active units.
func writeEncoding(t testing.TB, path string, r *rand.Rand, classes []int, width int) {
	var b bytes.Buffer
	for c := 0; c < width; c++ {
		if c > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "e%d", c)
	}
	b.WriteByte('\n')
	for _, cl := range classes {
		for c := 0; c < width; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			v := r.NormFloat64() * 0.3
			if (c+cl)%3 == 0 {
				v += 2
			}
			if v <= 0 {
				b.WriteByte('0')
			} else {
				fmt.Fprintf(&b, "%.4g", v)
			}
		}
		b.WriteByte('\n')
	}
	must(t, os.WriteFile(path, b.Bytes(), 0o644))
}

// drawClothes draws one crude 28×28 silhouette per original class, with
// texture, so that the picture grids look like Fashion-MNIST.
func drawClothes(r *rand.Rand, classes []int) []uint8 {
	pix := make([]uint8, len(classes)*dataset.Pixels)
	for i, c := range classes {
		img := pix[i*dataset.Pixels : (i+1)*dataset.Pixels]
		base := 120 + r.IntN(100)
		shift := r.IntN(3) - 1
		set := func(x, y int) {
			x += shift
			if x >= 0 && x < 28 && y >= 0 && y < 28 {
				v := base + r.IntN(50) - 25 + (y%4)*6
				img[y*28+x] = uint8(min(max(v, 1), 255))
			}
		}
		rect := func(x0, y0, x1, y1 int) {
			for y := y0; y <= y1; y++ {
				for x := x0; x <= x1; x++ {
					set(x, y)
				}
			}
		}
		switch c {
		case 0: // T-shirt/top: body and short sleeves
			rect(8, 4, 19, 25)
			rect(3, 4, 24, 10)
		case 1: // Trouser: waist and two legs
			rect(8, 2, 19, 6)
			rect(8, 7, 12, 26)
			rect(15, 7, 19, 26)
		case 2: // Pullover: body and long sleeves
			rect(8, 3, 19, 24)
			rect(3, 4, 7, 24)
			rect(20, 4, 24, 24)
		case 3: // Dress: widening downwards
			for y := 2; y <= 26; y++ {
				w := 3 + y/3
				rect(14-w, y, 13+w, y)
			}
		case 4: // Coat: long body, long sleeves, open front
			rect(7, 2, 20, 26)
			rect(2, 3, 6, 25)
			rect(21, 3, 25, 25)
			for y := 6; y <= 26; y++ {
				img[y*28+13] = 30
			}
		case 5: // Sandal: straps over a sole
			rect(2, 21, 25, 23)
			for x := 4; x < 24; x += 4 {
				rect(x, 14, x+1, 20)
			}
		case 6: // Shirt: long sleeves, collar, buttons
			rect(8, 3, 19, 25)
			rect(3, 5, 7, 23)
			rect(20, 5, 24, 23)
			for y := 5; y < 25; y += 3 {
				img[y*28+14] = 250
			}
		case 7: // Sneaker: low shoe
			rect(2, 17, 25, 23)
			rect(12, 12, 25, 16)
		case 8: // Bag: box and handle
			rect(4, 10, 23, 25)
			rect(9, 4, 10, 9)
			rect(17, 4, 18, 9)
			rect(9, 4, 18, 5)
		case 9: // Ankle boot: shaft and foot
			rect(12, 4, 22, 23)
			rect(2, 16, 22, 24)
		}
	}
	return pix
}

func writeJSONFile(t testing.TB, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	must(t, err)
	must(t, os.WriteFile(path, append(data, '\n'), 0o644))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixtureReadme documents the committed fixture.
const fixtureReadme = `# Report fixture

A small fabricated study for package report's tests and for previewing the
report without training: two runs (runs/A with every artifact,
runs/default without encoding_test.csv), the analysis of model A
(analysis/) and a tiny CSV dataset of 60 training and 200 test images
(dataset/, crude drawn silhouettes, not Fashion-MNIST).

It is generated by report/fixture_test.go with the real Go types; do not
edit it by hand. Regenerate it with

    go test ./report -run TestCommittedFixture -update

Preview the report from the repository root with

    go test ./report -run TestPreview -preview /tmp/report-preview
`

// TestCommittedFixture checks that testdata/report is what writeFixture
// makes today, so that it stays in sync with the Go types; -update
// rewrites it.
func TestCommittedFixture(t *testing.T) {
	if *update {
		must(t, os.RemoveAll(committedFixture))
		writeFixture(t, committedFixture, "testdata/report/dataset")
		must(t, os.WriteFile(filepath.Join(committedFixture, "README.md"), []byte(fixtureReadme), 0o644))
		return
	}
	fresh := t.TempDir()
	writeFixture(t, fresh, "testdata/report/dataset")
	must(t, os.WriteFile(filepath.Join(fresh, "README.md"), []byte(fixtureReadme), 0o644))
	want := listFiles(t, fresh)
	got := listFiles(t, committedFixture)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Fatalf("%s is stale (files %v, want %v): run go test ./report -run TestCommittedFixture -update", committedFixture, got, want)
	}
	for _, f := range want {
		a, err1 := os.ReadFile(filepath.Join(fresh, f))
		b, err2 := os.ReadFile(filepath.Join(committedFixture, f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s is stale: run go test ./report -run TestCommittedFixture -update", filepath.Join(committedFixture, f))
		}
	}
}

func listFiles(t testing.TB, root string) []string {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	must(t, err)
	sort.Strings(out)
	return out
}
