package analysis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fmnist/tfrunner"
)

const fixtureRuns = "../testdata/report/runs"

// readFixture reads the fixture's run of model A.
func readFixture(t *testing.T) *tfrunner.Artifacts {
	t.Helper()
	run, err := tfrunner.ReadArtifacts(tfrunner.OpenDir(filepath.Join(fixtureRuns, "A")))
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// writeFiles writes the analysis files of r into a temporary directory.
func writeFiles(t *testing.T, r *Result) string {
	t.Helper()
	out := t.TempDir()
	files, err := r.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(out, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestAnalyseOnFixture(t *testing.T) {
	res, err := Analyse(readFixture(t), Options{Model: "A", Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	a := &res.Analysis
	out := writeFiles(t, res)
	if a.Rows != 200 || !a.HasClasses || len(a.PCA.ExplainedVarianceRatio) != 2 {
		t.Errorf("rows %d, classes %v, pca %v", a.Rows, a.HasClasses, a.PCA.ExplainedVarianceRatio)
	}
	if a.KMeans.K != 5 || sum(a.KMeans.Sizes) != 200 || a.DBSCAN.Eps != 2.8 || a.DBSCAN.MinSamples != 4 {
		t.Errorf("kmeans %+v dbscan %+v", a.KMeans, a.DBSCAN)
	}
	if sum(a.DBSCAN.Sizes)+a.DBSCAN.Noise != 200 || a.DBSCAN.SuggestedEps <= 0 {
		t.Errorf("dbscan sizes %v noise %d suggested %v", a.DBSCAN.Sizes, a.DBSCAN.Noise, a.DBSCAN.SuggestedEps)
	}
	if a.TSNE.Iterations != 1000 || a.TSNE.KL <= 0 {
		t.Errorf("tsne %+v", a.TSNE)
	}
	if len(a.Subclasses) != 5 {
		t.Fatalf("%d labels with sub-classes, want 5", len(a.Subclasses))
	}
	for _, s := range a.Subclasses {
		if s.K < 1 || s.K > 4 || len(s.Members) != s.K || len(s.Purity) != s.K || len(s.Representatives) != s.K {
			t.Errorf("label %d: %+v", s.Label, s)
		}
	}
	for _, m := range []string{"labels", "kmeans", "dbscan", "subclasses"} {
		if _, ok := a.Scores[m]; !ok {
			t.Errorf("no scores for %s", m)
		}
	}
	if a.Scores["labels"].ARI5 != 1 {
		t.Errorf("ARI of the labels with themselves = %v", a.Scores["labels"].ARI5)
	}
	// The JSON keys are a contract with the report and with users.
	raw, err := os.ReadFile(filepath.Join(out, File))
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	json.Unmarshal(raw, &generic)
	for _, path := range []string{"pca.explained_variance_ratio", "kmeans.k", "kmeans.inertia", "kmeans.sizes",
		"dbscan.eps", "dbscan.min_samples", "dbscan.clusters", "dbscan.noise", "dbscan.suggested_eps",
		"tsne.kl", "tsne.iterations", "scores.kmeans.ari5", "scores.kmeans.nmi5", "scores.kmeans.ari10",
		"scores.kmeans.nmi10", "scores.kmeans.silhouette5", "subclasses_ari10",
		"seconds.pca", "seconds.kmeans", "seconds.dbscan", "seconds.tsne", "seconds.subclasses"} {
		var v any = generic
		for _, k := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if v == nil {
			t.Errorf("analysis.json lacks %s", path)
		}
	}
	for file, header := range map[string]string{PCAFile: "pc1,pc2", TSNEFile: "x,y", KMeansFile: "cluster", DBSCANFile: "cluster"} {
		data, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if lines[0] != header || len(lines) != 201 {
			t.Errorf("%s: header %q, %d lines", file, lines[0], len(lines))
		}
	}
}

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}

// TestAnalyseRoundTrip checks that Read gives back what Files encoded.
func TestAnalyseRoundTrip(t *testing.T) {
	res, err := Analyse(readFixture(t), Options{Model: "A", Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(writeFiles(t, res))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, res) {
		t.Errorf("Read(Files()) differs from the result of Analyse")
	}
}

func TestAnalyseErrors(t *testing.T) {
	copyRun := func(t *testing.T, edit func(dir string)) string {
		dst := filepath.Join(t.TempDir(), "A")
		os.MkdirAll(dst, 0o755)
		entries, _ := os.ReadDir(filepath.Join(fixtureRuns, "A"))
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(fixtureRuns, "A", e.Name()))
			os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644)
		}
		edit(dst)
		return dst
	}
	remove := func(file string) func(string) {
		return func(dir string) { os.Remove(filepath.Join(dir, file)) }
	}
	tests := []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"no encoding", remove(tfrunner.EncodingFile), tfrunner.EncodingFile + " is missing"},
		{"no predictions", remove(tfrunner.PredictionsFile), tfrunner.PredictionsFile + " is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := tfrunner.ReadArtifacts(tfrunner.OpenDir(copyRun(t, tt.edit)))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Analyse(run, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	run := readFixture(t)
	run.Predictions.Labels = run.Predictions.Labels[1:]
	if _, err := Analyse(run, Options{}); err == nil || !strings.Contains(err.Error(), "rows") {
		t.Errorf("row counts differ: err = %v", err)
	}
	if _, err := Analyse(readFixture(t), Options{K: 1}); err == nil {
		t.Error("k = 1: no error")
	}
}

func TestFileNamesListsEveryFile(t *testing.T) {
	// FileNames (what a report made without the analysis keeps) must name
	// every file Result.Files can write.
	r := &Result{PCA: [][2]float64{{1, 2}}, TSNE: [][2]float64{{3, 4}}, KMeans: []int{0}, DBSCAN: []int{-1},
		SubclassLabels: []int{0}, Subclass: []int{0}}
	r.Analysis.Rows = 1
	r.Analysis.Subclasses = []Subclasses{{Label: 0, K: 1, Members: []int{1}}}
	files, err := r.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !slices.Contains(FileNames, f.Name) {
			t.Errorf("%s is written but not in FileNames", f.Name)
		}
	}
	if len(files) != len(FileNames) {
		t.Errorf("only %d files written: the test does not reach them all", len(files))
	}
}
