package tfrunner

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/internal/textfile"
)

// ErrIncomplete is wrapped by the error of [ReadArtifacts] when a run
// directory has no run.json: the run is missing or still training.
var ErrIncomplete = errors.New("run is incomplete")

// Dir is a run directory runs/<model>/ opened for reading. Its readers are
// the only ones of the files TrainModel writes (weights.ckpt excepted,
// which [ReadCheckpoint] reads); each validates what it reads and names the
// file, and the line of a CSV file, in its errors.
type Dir struct {
	// FS holds the directory's files at its root.
	FS fs.FS
	// Path is the directory's path, naming its files in messages.
	Path string
	// SkipValues makes ReadArtifacts check encoding_test.csv and
	// hidden_test.csv (shape and every value) without keeping their values
	// (Encoding.Values stays nil): all a reader that does not analyse the
	// run needs, and the default model's 6,272-wide encoding alone would
	// otherwise hold 500 MB.
	SkipValues bool
}

// OpenDir opens the run directory path of the operating system's file
// system.
func OpenDir(path string) Dir {
	return Dir{FS: os.DirFS(path), Path: path}
}

// File returns the path of the file name of the directory, as messages
// give it.
func (d Dir) File(name string) string {
	return filepath.Join(d.Path, name)
}

// open opens the file name, naming it by its path in an error (which wraps
// fs.ErrNotExist for a missing file).
func (d Dir) open(name string) (fs.File, error) {
	f, err := d.FS.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("read %s: %w", d.File(name), err)
	}
	return f, nil
}

// readFile reads the whole file name.
func (d Dir) readFile(name string) ([]byte, error) {
	f, err := d.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.File(name), err)
	}
	return data, nil
}

// readJSON decodes the file name into v: one JSON value and nothing after
// it, naming the file in any error.
func (d Dir) readJSON(name string, v any) error {
	data, err := d.readFile(name)
	if err != nil {
		return err
	}
	return textfile.DecodeJSON(d.File(name), data, v)
}

// ReadRun reads and validates run.json: a model name, at least two
// classes, finite scores and times in range, and a confusion matrix of
// classes × classes non-negative counts summing to the test set.
func (d Dir) ReadRun() (*Run, error) {
	var r Run
	if err := d.readJSON(RunFile, &r); err != nil {
		return nil, err
	}
	if err := validateRun(d.File(RunFile), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func validateRun(path string, r *Run) error {
	if r.Model == "" {
		return fmt.Errorf("%s: no model name", path)
	}
	if r.Classes < 2 {
		return fmt.Errorf("%s: %d classes", path, r.Classes)
	}
	if r.Batch < 1 || r.Epochs < 1 || r.TestExamples < 1 {
		return fmt.Errorf("%s: batch %d, epochs %d or test examples %d below 1", path, r.Batch, r.Epochs, r.TestExamples)
	}
	if !finite(r.TestLoss, r.TestAccuracy, r.TrainSeconds, r.PredictSeconds) || r.TestAccuracy < 0 || r.TestAccuracy > 1 ||
		r.TestLoss < 0 || r.TrainSeconds < 0 || r.PredictSeconds < 0 {
		return fmt.Errorf("%s: test accuracy %v, loss %v or times %v/%v out of range", path, r.TestAccuracy, r.TestLoss, r.TrainSeconds, r.PredictSeconds)
	}
	if len(r.Confusion) != r.Classes {
		return fmt.Errorf("%s: confusion matrix has %d rows for %d classes", path, len(r.Confusion), r.Classes)
	}
	total := 0
	for i, row := range r.Confusion {
		if len(row) != r.Classes {
			return fmt.Errorf("%s: confusion row %d has %d columns for %d classes", path, i, len(row), r.Classes)
		}
		for _, v := range row {
			if v < 0 {
				return fmt.Errorf("%s: negative count in confusion row %d", path, i)
			}
			total += v
		}
	}
	if total != r.TestExamples {
		return fmt.Errorf("%s: confusion matrix counts %d images, test set has %d", path, total, r.TestExamples)
	}
	correct := 0
	for i := range r.Confusion {
		correct += r.Confusion[i][i]
	}
	if acc := float64(correct) / float64(max(total, 1)); math.Abs(acc-r.TestAccuracy) > 1e-9 {
		return fmt.Errorf("%s: test accuracy %v, but its confusion matrix gives %d/%d = %v", path, r.TestAccuracy, correct, total, acc)
	}
	return nil
}

// readHistory reads and validates history.json: epochs numbered from 1,
// finite values, accuracies in 0..1.
func (d Dir) readHistory() (*History, error) {
	var h History
	if err := d.readJSON(HistoryFile, &h); err != nil {
		return nil, err
	}
	path := d.File(HistoryFile)
	if len(h.Epochs) == 0 {
		return nil, fmt.Errorf("%s: no epochs", path)
	}
	for i, e := range h.Epochs {
		if e.Epoch != i+1 {
			return nil, fmt.Errorf("%s: entry %d is epoch %d, want %d", path, i, e.Epoch, i+1)
		}
		if !finite(e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy, e.Seconds) ||
			e.Accuracy < 0 || e.Accuracy > 1 || e.ValAccuracy < 0 || e.ValAccuracy > 1 || e.Seconds < 0 {
			return nil, fmt.Errorf("%s: epoch %d has values out of range", path, e.Epoch)
		}
	}
	return &h, nil
}

// readModel reads model.json, which graphs validates as it decodes it.
func (d Dir) readModel() (*graphs.Model, error) {
	m := new(graphs.Model)
	if err := d.readJSON(ModelFile, m); err != nil {
		return nil, err
	}
	return m, nil
}

// readSummary reads summary.txt.
func (d Dir) readSummary() (string, error) {
	data, err := d.readFile(SummaryFile)
	return string(data), err
}

// readDiagram reads architecture.png; bad is set (with err nil) when the
// file is not a PNG.
func (d Dir) readDiagram() (data []byte, bad error, err error) {
	data, err = d.readFile(DiagramFile)
	if err != nil {
		return nil, nil, err
	}
	if _, derr := png.DecodeConfig(bytes.NewReader(data)); derr != nil {
		return nil, derr, nil
	}
	return data, nil, nil
}

// Encoding is the content of encoding_test.csv: the encoding layer's
// output for each test image.
type Encoding struct {
	// Rows is the number of test images encoded.
	Rows int
	// Columns is the width of the encoding.
	Columns int
	// Values holds Rows × Columns values, row after row; nil when read
	// with Dir.SkipValues.
	Values []float64
}

// readMatrix reads encoding_test.csv or hidden_test.csv (name), of rows
// rows if all is well (0: unknown), keeping its values unless
// d.SkipValues: a header
// row, then at least one row of as many finite numbers, each within
// float32's range (the files are written from float32 tensors: a larger
// value is not one, and could overflow the squared distances of the
// clustering and t-SNE).
func (d Dir) readMatrix(name string, rows int) (*Encoding, error) {
	f, err := d.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	path := d.File(name)
	r := textfile.NewReader(f, path)
	header, err := r.Header()
	if err != nil {
		return nil, err
	}
	e := &Encoding{Columns: bytes.Count(header, []byte{','}) + 1}
	if !d.SkipValues && rows > 0 {
		e.Values = make([]float64, 0, rows*e.Columns) // rows, the expected count, spares append's copies
	}
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if n := bytes.Count(line, []byte{','}) + 1; n != e.Columns {
			return nil, fmt.Errorf("%s line %d: %d fields, header has %d", path, r.Line(), n, e.Columns)
		}
		for j, field := range bytes.Split(line, []byte{','}) {
			v, err := r.Finite(field, j, nil)
			if err != nil {
				return nil, err
			}
			if math.IsInf(float64(float32(v)), 0) {
				return nil, fmt.Errorf("%s line %d, column %d: %q is out of range (beyond float32)", path, r.Line(), j+1, field)
			}
			if !d.SkipValues {
				e.Values = append(e.Values, v)
			}
		}
		e.Rows++
	}
	if e.Rows == 0 {
		return nil, fmt.Errorf("%s: 0 rows: no data rows after the header", path)
	}
	return e, nil
}

// Predictions is the content of predictions_test.csv.
type Predictions struct {
	Labels    []int       // true labels of the test images
	Original  []int       // original 10-class labels; nil when unknown
	Predicted []int       // predicted labels
	Probs     [][]float64 // one row of class probabilities per test image
}

// ReadPredictions reads predictions_test.csv of a run with the given
// number of classes: a header label[,original],predicted,p0..p<classes-1>,
// then one row per test image with classes in range and probabilities in
// 0..1.
func (d Dir) ReadPredictions(classes int) (*Predictions, error) {
	f, err := d.open(PredictionsFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	path := d.File(PredictionsFile)
	r := textfile.NewReader(f, path)
	header, err := r.Header()
	if err != nil {
		return nil, err
	}
	want := []string{"label", "predicted"}
	hasOrig := bytes.HasPrefix(header, []byte("label,original,"))
	if hasOrig {
		want = []string{"label", "original", "predicted"}
	}
	first := len(want) // the first probability column
	for k := range classes {
		want = append(want, "p"+strconv.Itoa(k))
	}
	if string(header) != strings.Join(want, ",") {
		return nil, fmt.Errorf("%s line 1: header %q, want %q", path, header, strings.Join(want, ","))
	}
	p := &Predictions{}
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		fields := bytes.Split(line, []byte{','})
		if len(fields) != len(want) {
			return nil, fmt.Errorf("%s line %d: %d columns, want %d", path, r.Line(), len(fields), len(want))
		}
		class := func(j, n int) (int, error) {
			v, err := strconv.Atoi(string(fields[j]))
			if err != nil || v < 0 || v >= n {
				return 0, fmt.Errorf("%s line %d, column %d: %q is not a class 0..%d", path, r.Line(), j+1, fields[j], n-1)
			}
			return v, nil
		}
		label, err := class(0, classes)
		if err != nil {
			return nil, err
		}
		predicted, err := class(first-1, classes)
		if err != nil {
			return nil, err
		}
		if hasOrig {
			orig, err := class(1, 10)
			if err != nil {
				return nil, err
			}
			p.Original = append(p.Original, orig)
		}
		probs := make([]float64, classes)
		for k, f := range fields[first:] {
			v, err := r.Finite(f, first+k, nil)
			if err != nil {
				return nil, err
			}
			if v < 0 || v > 1.0001 {
				return nil, fmt.Errorf("%s line %d, column %d: probability %v outside 0..1", path, r.Line(), first+k+1, v)
			}
			probs[k] = v
		}
		p.Labels = append(p.Labels, label)
		p.Predicted = append(p.Predicted, predicted)
		p.Probs = append(p.Probs, probs)
	}
	if len(p.Labels) == 0 {
		return nil, fmt.Errorf("%s: 0 rows: no data rows after the header", path)
	}
	return p, nil
}

// Artifacts is one run directory runs/<model>/, read and validated.
type Artifacts struct {
	// Name is the model's name, as run.json gives it.
	Name string
	// Dir is the run directory's path.
	Dir string
	// Model is model.json.
	Model *graphs.Model
	// Summary is summary.txt, or the summary made from model.json when the
	// file is missing.
	Summary string
	// Diagram is architecture.png, or the diagram drawn from model.json
	// when the file is missing or unreadable.
	Diagram []byte
	// History is history.json.
	History History
	// Run is run.json.
	Run Run
	// Predictions is predictions_test.csv, nil when the file is missing.
	Predictions *Predictions
	// Encoding is encoding_test.csv, nil when the file is missing.
	Encoding *Encoding
	// Hidden is hidden_test.csv (the Dense layer before the encoding), nil
	// when the file is missing (the default model has none).
	Hidden *Encoding
	// Notes say which optional parts were missing and what was done instead.
	Notes []string
}

// CheckData refuses a dataset other than the one the run was trained and
// tested on, by the fingerprint its run.json records (runs written before
// fingerprints were recorded are not checked).
func (a *Artifacts) CheckData(d *dataset.Data) error {
	want := a.Run.DataFingerprint
	if want == "" || want == d.Fingerprint {
		return nil
	}
	return fmt.Errorf("dataset %s (fingerprint %s) is not the one model %s was trained and tested on (%s records fingerprint %s, from %s): "+
		"its pictures would not be the run's images; give the run's dataset with -data DIR",
		d.Dir, d.Fingerprint, a.Name, filepath.Join(a.Dir, RunFile), want, a.Run.DataDir)
}

// ReadArtifacts reads and validates the run directory d, each file once
// (weights.ckpt is not read). A missing run.json gives an error wrapping
// [ErrIncomplete]; a missing or corrupt required file (run.json,
// history.json, model.json) gives an error naming it. Missing optional files
// (summary.txt, architecture.png, encoding_test.csv, predictions_test.csv)
// are noted in Artifacts.Notes (hidden_test.csv, which only a model with a
// Dense layer before its encoding has, without a note); corrupt CSV files,
// or CSV files that disagree with run.json or model.json, are errors.
func ReadArtifacts(d Dir) (*Artifacts, error) {
	a := &Artifacts{Dir: d.Path}
	runPath := d.File(RunFile)
	run, err := d.ReadRun()
	if errors.Is(err, fs.ErrNotExist) {
		if _, derr := fs.Stat(d.FS, "."); errors.Is(derr, fs.ErrNotExist) {
			return nil, fmt.Errorf("run %s: %w: the directory does not exist", d.Path, ErrIncomplete)
		}
		return nil, fmt.Errorf("run %s: %w: %s is missing (training not finished?)", d.Path, ErrIncomplete, runPath)
	}
	if err != nil {
		return nil, err
	}
	a.Run = *run
	a.Name = a.Run.Model

	h, err := d.readHistory()
	if err != nil {
		return nil, err
	}
	a.History = *h

	modelPath := d.File(ModelFile)
	if a.Model, err = d.readModel(); err != nil {
		return nil, err
	}
	if a.Model.Classes() != a.Run.Classes {
		return nil, fmt.Errorf("%s: model has %d outputs but %s says %d classes", modelPath, a.Model.Classes(), runPath, a.Run.Classes)
	}
	if a.Run.Params != 0 && a.Model.ParamCount() != a.Run.Params {
		a.note("%s has %d parameters but %s says %d", modelPath, a.Model.ParamCount(), runPath, a.Run.Params)
	}

	summaryPath := d.File(SummaryFile)
	switch s, err := d.readSummary(); {
	case err == nil:
		a.Summary = s
	case errors.Is(err, fs.ErrNotExist):
		a.Summary = a.Model.Summary()
		a.note("%s is missing: summary made from %s", summaryPath, ModelFile)
	default:
		return nil, err
	}

	diagramPath := d.File(DiagramFile)
	data, bad, err := d.readDiagram()
	switch {
	case bad != nil:
		a.note("%s is not a PNG (%v): diagram drawn again from %s", diagramPath, bad, ModelFile)
	case errors.Is(err, fs.ErrNotExist):
		a.note("%s is missing: diagram drawn from %s", diagramPath, ModelFile)
	case err != nil:
		return nil, err
	}
	if data == nil {
		var buf bytes.Buffer
		if err := a.Model.WriteDiagram(&buf); err != nil {
			return nil, fmt.Errorf("%s: %w", modelPath, err)
		}
		data = buf.Bytes()
	}
	a.Diagram = data

	encPath := d.File(EncodingFile)
	enc, err := d.readMatrix(EncodingFile, a.Run.TestExamples)
	switch {
	case err == nil:
		if a.Run.TestExamples > 0 && enc.Rows != a.Run.TestExamples {
			return nil, fmt.Errorf("%s: %d rows, but %s says %d test images", encPath, enc.Rows, runPath, a.Run.TestExamples)
		}
		if i := a.Model.LayerIndex(a.Model.Encoding); i >= 0 {
			shapes, _ := a.Model.Shapes()
			if want := shapes[i].Size(); enc.Columns != want {
				return nil, fmt.Errorf("%s: %d columns, but the encoding layer %s of %s has %d outputs", encPath, enc.Columns, a.Model.Encoding, modelPath, want)
			}
		}
		a.Encoding = enc
	case errors.Is(err, fs.ErrNotExist):
		a.note("%s is missing: the encoding of this model cannot be analysed", encPath)
	default:
		return nil, err
	}

	hidPath := d.File(HiddenFile)
	switch hid, err := d.readMatrix(HiddenFile, a.Run.TestExamples); {
	case err == nil:
		if a.Run.TestExamples > 0 && hid.Rows != a.Run.TestExamples {
			return nil, fmt.Errorf("%s: %d rows, but %s says %d test images", hidPath, hid.Rows, runPath, a.Run.TestExamples)
		}
		a.Hidden = hid
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, err
	}

	predPath := d.File(PredictionsFile)
	p, err := d.ReadPredictions(a.Run.Classes)
	switch {
	case err == nil:
		if a.Run.TestExamples > 0 && len(p.Labels) != a.Run.TestExamples {
			return nil, fmt.Errorf("%s: %d rows, but %s says %d test images", predPath, len(p.Labels), runPath, a.Run.TestExamples)
		}
		a.Predictions = p
		if !sameConfusion(p, a.Run.Confusion) {
			a.note("%s and the confusion matrix of %s disagree: the report shows run.json's", predPath, runPath)
		}
	case errors.Is(err, fs.ErrNotExist):
		a.note("%s is missing: test labels are taken from the dataset", predPath)
	default:
		return nil, err
	}
	return a, nil
}

func (a *Artifacts) note(format string, args ...any) {
	a.Notes = append(a.Notes, fmt.Sprintf(format, args...))
}

// sameConfusion reports whether the predictions give the confusion matrix.
func sameConfusion(p *Predictions, conf [][]int) bool {
	k := len(conf)
	got := make([][]int, k)
	for i := range got {
		got[i] = make([]int, k)
	}
	for i, y := range p.Labels {
		got[y][p.Predicted[i]]++
	}
	return fmt.Sprint(got) == fmt.Sprint(conf)
}
