package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
)

// ErrIncomplete is wrapped by the error of [ReadRun] when a run directory
// has no run.json: the run is missing or still training.
var ErrIncomplete = errors.New("run is incomplete")

// RunArtifacts is one run directory runs/<model>/, read and validated.
type RunArtifacts struct {
	// Name is the model's name, as run.json gives it.
	Name string
	// Dir is the run directory.
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
	History tfrunner.History
	// Run is run.json.
	Run tfrunner.Run
	// Predictions is predictions_test.csv, nil when the file is missing.
	Predictions *Predictions
	// Encoding describes encoding_test.csv, nil when the file is missing.
	Encoding *Encoding
	// Notes say which optional parts were missing and what was done instead.
	Notes []string
}

// Predictions is the content of predictions_test.csv.
type Predictions = analysis.Predictions

// Encoding describes encoding_test.csv without holding its values.
type Encoding struct {
	// Columns is the width of the encoding.
	Columns int
	// Rows is the number of test images encoded.
	Rows int
}

// ReadRun reads and validates the run directory dir. A missing run.json
// gives an error wrapping [ErrIncomplete]; a missing or corrupt required file
// (run.json, history.json, model.json) gives an error naming it. Missing
// optional files (summary.txt, architecture.png, encoding_test.csv,
// predictions_test.csv) are noted in RunArtifacts.Notes; corrupt CSV files
// are errors.
func ReadRun(dir string) (*RunArtifacts, error) {
	a := &RunArtifacts{Dir: dir}
	runPath := filepath.Join(dir, tfrunner.RunFile)
	if _, err := os.Stat(runPath); errors.Is(err, os.ErrNotExist) {
		if _, derr := os.Stat(dir); errors.Is(derr, os.ErrNotExist) {
			return nil, fmt.Errorf("run %s: %w: the directory does not exist", dir, ErrIncomplete)
		}
		return nil, fmt.Errorf("run %s: %w: %s is missing (training not finished?)", dir, ErrIncomplete, runPath)
	}
	if err := readJSON(runPath, &a.Run); err != nil {
		return nil, err
	}
	if err := validateRun(runPath, &a.Run); err != nil {
		return nil, err
	}
	a.Name = a.Run.Model

	histPath := filepath.Join(dir, tfrunner.HistoryFile)
	if err := readJSON(histPath, &a.History); err != nil {
		return nil, err
	}
	if err := validateHistory(histPath, &a.History); err != nil {
		return nil, err
	}

	modelPath := filepath.Join(dir, tfrunner.ModelFile)
	a.Model = new(graphs.Model)
	if err := readJSON(modelPath, a.Model); err != nil {
		return nil, err
	}
	if a.Model.Classes() != a.Run.Classes {
		return nil, fmt.Errorf("%s: model has %d outputs but %s says %d classes", modelPath, a.Model.Classes(), runPath, a.Run.Classes)
	}
	if a.Run.Params != 0 && a.Model.ParamCount() != a.Run.Params {
		a.note("%s has %d parameters but %s says %d", modelPath, a.Model.ParamCount(), runPath, a.Run.Params)
	}

	summaryPath := filepath.Join(dir, tfrunner.SummaryFile)
	if data, err := os.ReadFile(summaryPath); err == nil {
		a.Summary = string(data)
	} else if errors.Is(err, os.ErrNotExist) {
		a.Summary = a.Model.Summary()
		a.note("%s is missing: summary made from %s", summaryPath, tfrunner.ModelFile)
	} else {
		return nil, fmt.Errorf("read %s: %w", summaryPath, err)
	}

	diagramPath := filepath.Join(dir, tfrunner.DiagramFile)
	data, err := os.ReadFile(diagramPath)
	switch {
	case err == nil:
		if _, derr := png.DecodeConfig(bytes.NewReader(data)); derr != nil {
			a.note("%s is not a PNG (%v): diagram drawn again from %s", diagramPath, derr, tfrunner.ModelFile)
			data = nil
		}
	case errors.Is(err, os.ErrNotExist):
		a.note("%s is missing: diagram drawn from %s", diagramPath, tfrunner.ModelFile)
	default:
		return nil, fmt.Errorf("read %s: %w", diagramPath, err)
	}
	if data == nil {
		var buf bytes.Buffer
		if err := a.Model.WriteDiagram(&buf); err != nil {
			return nil, fmt.Errorf("%s: %w", modelPath, err)
		}
		data = buf.Bytes()
	}
	a.Diagram = data

	encPath := filepath.Join(dir, tfrunner.EncodingFile)
	cols, rows, err := csvShape(encPath)
	switch {
	case err == nil:
		if a.Run.TestExamples > 0 && rows != a.Run.TestExamples {
			return nil, fmt.Errorf("%s: %d rows, but %s says %d test images", encPath, rows, runPath, a.Run.TestExamples)
		}
		if i := a.Model.LayerIndex(a.Model.Encoding); i >= 0 {
			shapes, _ := a.Model.Shapes()
			if want := shapes[i].Size(); cols != want {
				return nil, fmt.Errorf("%s: %d columns, but the encoding layer %s of %s has %d outputs", encPath, cols, a.Model.Encoding, modelPath, want)
			}
		}
		a.Encoding = &Encoding{Columns: cols, Rows: rows}
	case errors.Is(err, os.ErrNotExist):
		a.note("%s is missing: the encoding of this model cannot be analysed", encPath)
	default:
		return nil, err
	}

	predPath := filepath.Join(dir, tfrunner.PredictionsFile)
	p, err := analysis.ReadPredictions(predPath, a.Run.Classes)
	switch {
	case err == nil:
		if a.Run.TestExamples > 0 && len(p.Labels) != a.Run.TestExamples {
			return nil, fmt.Errorf("%s: %d rows, but %s says %d test images", predPath, len(p.Labels), runPath, a.Run.TestExamples)
		}
		a.Predictions = p
		if !sameConfusion(p, a.Run.Confusion) {
			a.note("%s and the confusion matrix of %s disagree: the report shows run.json's", predPath, runPath)
		}
	case errors.Is(err, os.ErrNotExist):
		a.note("%s is missing: test labels are taken from the dataset", predPath)
	default:
		return nil, err
	}
	return a, nil
}

// CheckData refuses a dataset other than the one the run was trained and
// tested on, by the fingerprint its run.json records (runs written before
// fingerprints were recorded are not checked).
func (a *RunArtifacts) CheckData(d *dataset.Data) error {
	want := a.Run.DataFingerprint
	if want == "" || want == d.Fingerprint {
		return nil
	}
	return fmt.Errorf("dataset %s (fingerprint %s) is not the one model %s was trained and tested on (%s records fingerprint %s, from %s): "+
		"its pictures would not be the run's images; give the run's dataset with -data DIR",
		d.Dir, d.Fingerprint, a.Name, filepath.Join(a.Dir, tfrunner.RunFile), want, a.Run.DataDir)
}

func (a *RunArtifacts) note(format string, args ...any) {
	a.Notes = append(a.Notes, fmt.Sprintf(format, args...))
}

// readJSON decodes path into v, naming the file in any error.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: corrupt JSON: %w", path, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: corrupt JSON: data after the value", path)
	}
	return nil
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func validateRun(path string, r *tfrunner.Run) error {
	if r.Model == "" {
		return fmt.Errorf("%s: no model name", path)
	}
	if r.Classes < 2 {
		return fmt.Errorf("%s: %d classes", path, r.Classes)
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
	if r.TestExamples > 0 && total != r.TestExamples {
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

func validateHistory(path string, h *tfrunner.History) error {
	if len(h.Epochs) == 0 {
		return fmt.Errorf("%s: no epochs", path)
	}
	for i, e := range h.Epochs {
		if e.Epoch != i+1 {
			return fmt.Errorf("%s: entry %d is epoch %d, want %d", path, i, e.Epoch, i+1)
		}
		if !finite(e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy, e.Seconds) ||
			e.Accuracy < 0 || e.Accuracy > 1 || e.ValAccuracy < 0 || e.ValAccuracy > 1 || e.Seconds < 0 {
			return fmt.Errorf("%s: epoch %d has values out of range", path, e.Epoch)
		}
	}
	return nil
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
