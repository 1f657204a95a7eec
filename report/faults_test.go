package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fmnist/dataset"
	"fmnist/tfrunner"
)

// editJSON rewrites the JSON file at path through edit.
func editJSON(t *testing.T, path string, edit func(v map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	var v map[string]any
	must(t, json.Unmarshal(data, &v))
	edit(v)
	out, err := json.Marshal(v)
	must(t, err)
	must(t, os.WriteFile(path, out, 0o644))
}

// TestRenderRefusesOtherDataset records the fixture dataset's fingerprint in
// run A's run.json, then gives the report a dataset of the same size with
// one pixel changed: the report refuses it.
func TestRenderRefusesOtherDataset(t *testing.T) {
	_, _, _, err := renderFixture(t, func(fx fixture) {
		d, err := dataset.Load(dataset.Options{Dir: fx.Data, ValidationFraction: -1})
		must(t, err)
		editJSON(t, filepath.Join(fx.Runs, "A", tfrunner.RunFile), func(v map[string]any) { v["data_fingerprint"] = d.Fingerprint })
	})
	if err != nil {
		t.Fatalf("the run's own dataset: %v", err)
	}
	_, out, _, err := renderFixture(t, func(fx fixture) {
		d, err := dataset.Load(dataset.Options{Dir: fx.Data, ValidationFraction: -1})
		must(t, err)
		editJSON(t, filepath.Join(fx.Runs, "A", tfrunner.RunFile), func(v map[string]any) { v["data_fingerprint"] = d.Fingerprint })
		p := filepath.Join(fx.Data, "x_test.csv")
		data, err := os.ReadFile(p)
		must(t, err)
		i := bytes.IndexByte(data, '\n') + 1
		data[i] = map[byte]byte{'0': '1'}[data[i]] | '0'
		must(t, os.WriteFile(p, data, 0o644))
	})
	if err == nil || !strings.Contains(err.Error(), "is not the one model A was trained and tested on") {
		t.Fatalf("another dataset of the same size: err = %v, want a refusal", err)
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Error("the refused report wrote its output directory")
	}
}

// TestRenderInconsistentArtifacts checks that run.json and analysis.json
// that contradict themselves are refused with a clear error.
func TestRenderInconsistentArtifacts(t *testing.T) {
	cases := []struct {
		name, file string
		edit       func(v map[string]any)
		want       string
	}{
		{"accuracy against the confusion matrix", "runs/A/run.json", func(v map[string]any) { v["test_accuracy"] = 0.123 },
			"test accuracy 0.123, but its confusion matrix gives"},
		{"negative loss", "runs/A/run.json", func(v map[string]any) { v["test_loss"] = -0.5 }, "loss -0.5"},
		{"k-means sizes", "analysis/analysis.json", func(v map[string]any) {
			km := v["kmeans"].(map[string]any)
			sizes := km["sizes"].([]any)
			sizes[0] = sizes[0].(float64) + 7
		}, "k-means cluster sizes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := renderFixture(t, func(fx fixture) { editJSON(t, filepath.Join(fx.Root, c.file), c.edit) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}
