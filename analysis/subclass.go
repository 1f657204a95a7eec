package analysis

import (
	"fmt"
	"math"
	"path/filepath"
	"time"

	"gonum.org/v1/gonum/mat"

	"fmnist/cluster"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// Sub-class discovery settings: the bootstrap resamples behind each label's
// stability figure, and the weight and pooling of the pixel block.
const (
	subclassBootstrap = 4
	pixelWeight       = 0.5
	pixelPool         = 4 // 28×28 pixels averaged over 4×4 cells: 7×7 values
)

// Names of the representations sub-class discovery can combine, as listed
// in Analysis.SubclassInputs.
const (
	InputHidden   = "hidden"   // tfrunner.HiddenFile, the Dense layer before the encoding
	InputEncoding = "encoding" // tfrunner.EncodingFile
	InputLogProbs = "logprobs" // the log-probabilities of predictions_test.csv
	InputPixels   = "pixels"   // the test images, 4×4-pooled
)

// subclassInputs gathers, for the n test images of run, the
// representations sub-class discovery searches: the hidden layer before
// the encoding (when the run has one), the encoding x, the network's
// log-probabilities lp, and the pixels of test (when the caller has the
// run's test images). Each block is scaled to unit total variance, the
// pixels then to half of it, and the blocks are put side by side. It returns the combined matrix and the names
// of the blocks used.
func subclassInputs(run *tfrunner.Artifacts, x, lp *mat.Dense, test *dataset.Split) (*mat.Dense, []string, error) {
	n, _ := x.Dims()
	blocks := []*mat.Dense{x, lp}
	weights := []float64{1, 1}
	names := []string{InputEncoding, InputLogProbs}
	if h := run.Hidden; h != nil {
		if h.Rows != n {
			return nil, nil, fmt.Errorf("%s has %d rows, want %d", filepath.Join(run.Dir, tfrunner.HiddenFile), h.Rows, n)
		}
		blocks = append([]*mat.Dense{mat.NewDense(h.Rows, h.Columns, h.Values)}, blocks...)
		weights = append([]float64{1}, weights...)
		names = append([]string{InputHidden}, names...)
	}
	if test != nil {
		if test.N != n {
			return nil, nil, fmt.Errorf("the dataset has %d test images, but %s has %d rows", test.N, filepath.Join(run.Dir, tfrunner.EncodingFile), n)
		}
		blocks = append(blocks, poolPixels(testBytes(test), n, dataset.Height, dataset.Width, pixelPool))
		weights = append(weights, pixelWeight)
		names = append(names, InputPixels)
	}
	return combine(blocks, weights), names, nil
}

// testBytes returns the test images as the bytes they were read from
// (dataset scales each byte by 1/255 in float32, which round-trips).
func testBytes(test *dataset.Split) []uint8 {
	out := make([]uint8, len(test.X))
	for i, v := range test.X {
		out[i] = uint8(math.Round(float64(v) * 255))
	}
	return out
}

// poolPixels averages each n images of h×w bytes over p×p cells (the last
// row and column of cells may be smaller) and scales them to [0, 1].
func poolPixels(raw []uint8, n, h, w, p int) *mat.Dense {
	oh, ow := (h+p-1)/p, (w+p-1)/p
	out := mat.NewDense(n, oh*ow, nil)
	for i := range n {
		img := raw[i*h*w : (i+1)*h*w]
		row := out.RawRowView(i)
		for y := range h {
			for x := range w {
				row[(y/p)*ow+x/p] += float64(img[y*w+x])
			}
		}
		for cy := range oh {
			for cx := range ow {
				cells := (min(h, (cy+1)*p) - cy*p) * (min(w, (cx+1)*p) - cx*p)
				row[cy*ow+cx] /= 255 * float64(cells)
			}
		}
	}
	return out
}

// combine scales each block to unit total variance times its weight and
// puts the blocks side by side. A block without variance is left as it is.
func combine(blocks []*mat.Dense, weights []float64) *mat.Dense {
	n, _ := blocks[0].Dims()
	var cols int
	for _, b := range blocks {
		_, c := b.Dims()
		cols += c
	}
	out := mat.NewDense(n, cols, nil)
	at := 0
	for bi, b := range blocks {
		_, c := b.Dims()
		var total float64
		for j := range c {
			col := mat.Col(nil, j, b)
			var mean float64
			for _, v := range col {
				mean += v
			}
			mean /= float64(n)
			for _, v := range col {
				total += (v - mean) * (v - mean)
			}
		}
		scale := weights[bi]
		if total > 0 {
			scale /= math.Sqrt(total / float64(n))
		}
		for i := range n {
			dst := out.RawRowView(i)[at : at+c]
			for j, v := range b.RawRowView(i) {
				dst[j] = v * scale
			}
		}
		at += c
	}
	return out
}

// logProbs returns the log-probabilities of the predictions, floored at
// 1e-30, as a matrix: the network's evidence for merging sub-classes.
func logProbs(pred *tfrunner.Predictions) *mat.Dense {
	k := len(pred.Probs[0])
	out := mat.NewDense(len(pred.Probs), k, nil)
	for i, p := range pred.Probs {
		row := out.RawRowView(i)
		for j, v := range p {
			row[j] = math.Log(max(v, 1e-30))
		}
	}
	return out
}

// discover runs sub-class discovery on the representations of run (see
// subclassInputs), fills a.Subclasses and a.SubclassInputs, and
// returns the flat (label, sub-class) partition of the rows and the seconds
// spent on the bootstrap stability.
func discover(a *Analysis, run *tfrunner.Artifacts, x *mat.Dense, pred *tfrunner.Predictions, test *dataset.Split, seed uint64) ([]int, float64, error) {
	lp := logProbs(pred)
	in, names, err := subclassInputs(run, x, lp, test)
	if err != nil {
		return nil, 0, err
	}
	a.SubclassInputs = names
	res, err := cluster.DiscoverSubclasses(in, pred.Labels, pred.Original, cluster.SubclassOptions{
		Seed: seed, Evidence: lp, Bootstrap: subclassBootstrap})
	if err != nil {
		return nil, 0, err
	}
	names10 := dataset.Names(maxOf(pred.Labels) + 1)
	for _, l := range res.Labels {
		s := Subclasses{Label: l.Label, K: l.K, Found: l.Found, KeptApart: l.KeptApart}
		if !math.IsNaN(l.Separation) {
			s.Separation = l.Separation
		}
		if l.Stability != nil {
			s.Stability = &Stability{Resamples: l.Stability.Resamples, SameK: l.Stability.SameK, Agreement: l.Stability.Agreement}
		}
		if l.Label < len(names10) {
			s.Name = names10[l.Label]
		}
		for _, sc := range l.Subclasses {
			s.Members = append(s.Members, len(sc.Members))
			s.Representatives = append(s.Representatives, sc.Representatives)
			if pred.Original == nil {
				continue
			}
			counts := make([]int, len(dataset.ClassNames))
			for _, c := range sc.Classes {
				counts[c.Class] = c.Count
			}
			s.Classes = append(s.Classes, counts)
			s.Purity = append(s.Purity, sc.Purity)
			if len(sc.Classes) > 0 {
				s.Majority = append(s.Majority, dataset.ClassNames[sc.Classes[0].Class])
			}
		}
		a.Subclasses = append(a.Subclasses, s)
	}
	return res.Partition, res.StabilitySeconds, nil
}

// SubclassRun is the outcome of SubclassesOfRun.
type SubclassRun struct {
	Result *cluster.SubclassResult
	Inputs []string // the representations searched, as in Analysis.SubclassInputs
	// Seconds times the search alone, as Analysis.Seconds.Subclasses does;
	// ReferenceSeconds times, on the same machine right after, the search
	// on the encoding alone without evidence (the inputs before issue 13, on
	// the same code and defaults).
	Seconds, ReferenceSeconds float64
}

// SubclassesOfRun runs sub-class discovery on the run directory dir
// (runs/<model>) with the test images of its dataset (nil leaves the pixels
// out) exactly as Analyse does, without the bootstrap, and times it against
// the reference search on the encoding alone. tools/subclasses-eval uses
// it.
func SubclassesOfRun(dir string, test *dataset.Split, seed uint64) (*SubclassRun, error) {
	run, err := tfrunner.ReadArtifacts(tfrunner.OpenDir(dir))
	if err != nil {
		return nil, err
	}
	enc, pred := run.Encoding, run.Predictions
	if enc == nil || pred == nil {
		return nil, fmt.Errorf("%s: the run has no %s or no %s", dir, tfrunner.EncodingFile, tfrunner.PredictionsFile)
	}
	if len(pred.Labels) != enc.Rows {
		return nil, fmt.Errorf("%s has %d rows but the predictions have %d", filepath.Join(dir, tfrunner.EncodingFile), enc.Rows, len(pred.Labels))
	}
	x := mat.NewDense(enc.Rows, enc.Columns, enc.Values)
	lp := logProbs(pred)
	in, names, err := subclassInputs(run, x, lp, test)
	if err != nil {
		return nil, err
	}
	out := &SubclassRun{Inputs: names}
	t0 := time.Now()
	if out.Result, err = cluster.DiscoverSubclasses(in, pred.Labels, pred.Original, cluster.SubclassOptions{
		Seed: seed, Evidence: lp}); err != nil {
		return nil, err
	}
	out.Seconds = time.Since(t0).Seconds()
	t0 = time.Now()
	if _, err := cluster.DiscoverSubclasses(x, pred.Labels, pred.Original, cluster.SubclassOptions{Seed: seed}); err != nil {
		return nil, err
	}
	out.ReferenceSeconds = time.Since(t0).Seconds()
	return out, nil
}
