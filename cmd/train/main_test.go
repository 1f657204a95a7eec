package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fmnist/dataset"
	"fmnist/tfrunner"
	"fmnist/tfrunner/tboard"
)

func runTrain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSummaryParamCounts(t *testing.T) {
	code, out, errs := runTrain(t, "-summary")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Total params: 40,933", "Total params: 174,629", "Total params: 1,092,945"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-epochs", "-1"}, 2, "-epochs -1"},
		{[]string{"-epochs", "0"}, 2, "-epochs 0"},
		{[]string{"-batch", "0"}, 2, "-batch 0"},
		{[]string{"-limit", "-5"}, 2, "-limit -5"},
		{[]string{"-classes", "7"}, 2, "-classes 7"},
		{[]string{"-threads", "-2"}, 2, "-threads -2"},
		{[]string{"-log-steps", "-1"}, 2, "-log-steps -1"},
		{[]string{"-models", "A,C"}, 2, "unknown model \"C\""},
		{[]string{"-engine", "pytorch"}, 2, "unknown engine \"pytorch\""},
		{[]string{"-nonsense"}, 2, "flag provided but not defined"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"-data", filepath.Join(dir, "missing"), "-out", dir}, 1, "missing"},
		{[]string{"-data", "../../testdata/dataset/csv", "-limit", "100000000", "-out", dir}, 1, "limit 100000000"},
	}
	if !slices.Contains(tfrunner.Engines(), "tensorflow") {
		// Only a build without the tag refuses the engine.
		tests = append(tests, struct {
			args []string
			code int
			want string
		}{[]string{"-engine", "tensorflow"}, 2, "-tags tensorflow"})
	}
	for _, tt := range tests {
		// Every case writes, if anything, into the test's own directory.
		args := tt.args
		if !slices.Contains(args, "-out") {
			args = append(slices.Clone(args), "-out", dir)
		}
		code, _, errs := runTrain(t, args...)
		if code != tt.code || !strings.Contains(errs, tt.want) || strings.Contains(errs, "panic") {
			t.Errorf("train %v: exit %d, stderr %q; want exit %d and %q", tt.args, code, errs, tt.code, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs left %d files in the output directory", len(entries))
	}
}

// TestQuickRun trains model A for one epoch on the first 2,000 real training
// images and checks every artifact.
func TestQuickRun(t *testing.T) {
	if _, _, err := dataset.Locate(""); err != nil {
		t.Fatalf("the real dataset is needed (apt-get install dataset-fashion-mnist): %v", err)
	}
	out := t.TempDir()
	code, stdout, errs := runTrain(t, "-models", "A", "-limit", "2000", "-epochs", "1", "-log-steps", "7", "-out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	dir := filepath.Join(out, "A")
	// -log-steps 7: the batch loss of every 7th of the 50 steps.
	scalars, err := tboard.ReadScalars(filepath.Join(dir, tfrunner.TrainLog))
	if err != nil {
		t.Fatal(err)
	}
	var steps []int64
	for _, s := range scalars {
		if s.Tag == tfrunner.TagBatchLoss {
			steps = append(steps, s.Step)
		}
	}
	if want := []int64{7, 14, 21, 28, 35, 42, 49}; !slices.Equal(steps, want) {
		t.Errorf("-log-steps 7: batch loss logged at steps %v, want %v", steps, want)
	}
	for _, f := range []string{tfrunner.ModelFile, tfrunner.SummaryFile, tfrunner.DiagramFile, tfrunner.HistoryFile,
		tfrunner.RunFile, tfrunner.WeightsFile, tfrunner.EncodingFile, tfrunner.PredictionsFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	var r tfrunner.Run
	data, _ := os.ReadFile(filepath.Join(dir, tfrunner.RunFile))
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.TrainExamples != 1600 || r.ValExamples != 400 || r.TestExamples != 10000 || r.Params != 174629 {
		t.Errorf("run.json: %d/%d/%d examples, %d params", r.TrainExamples, r.ValExamples, r.TestExamples, r.Params)
	}
	if r.TestAccuracy < 0.6 {
		t.Errorf("test accuracy %.3f after one epoch on 1,600 images, want >= 0.6", r.TestAccuracy)
	}
	if !strings.Contains(stdout, "Epoch 1/1") || !strings.Contains(stdout, "val_accuracy") {
		t.Errorf("no progress lines in output:\n%s", stdout)
	}
	enc, _ := os.ReadFile(filepath.Join(dir, tfrunner.EncodingFile))
	lines := strings.Split(strings.TrimSpace(string(enc)), "\n")
	if len(lines) != 10001 || len(strings.Split(lines[1], ",")) != 32 {
		t.Errorf("encoding_test.csv: %d lines, %d columns", len(lines), len(strings.Split(lines[1], ",")))
	}
}
