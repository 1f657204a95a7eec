package analysis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fmnist/tfrunner"
)

const fixtureRuns = "../testdata/report/runs"

func TestRunOnFixture(t *testing.T) {
	out := t.TempDir()
	a, err := Run(Options{RunsDir: fixtureRuns, OutDir: out, Model: "A", Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
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
		if s.K < 1 || s.K > 4 || len(s.Members) != s.K || len(s.Purity) != s.K || len(s.Represents) != s.K {
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

func TestRunErrors(t *testing.T) {
	copyRun := func(t *testing.T, edit func(dir string)) string {
		runs := t.TempDir()
		dst := filepath.Join(runs, "A")
		os.MkdirAll(dst, 0o755)
		for _, f := range []string{tfrunner.RunFile, tfrunner.EncodingFile, tfrunner.PredictionsFile} {
			data, _ := os.ReadFile(filepath.Join(fixtureRuns, "A", f))
			os.WriteFile(filepath.Join(dst, f), data, 0o644)
		}
		edit(dst)
		return runs
	}
	replaceLine := func(file string, line int, text string) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, file)
			data, _ := os.ReadFile(p)
			lines := strings.Split(string(data), "\n")
			lines[line-1] = text
			os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)
		}
	}
	tests := []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"no run.json", func(d string) { os.Remove(filepath.Join(d, tfrunner.RunFile)) }, "incomplete"},
		{"no encoding", func(d string) { os.Remove(filepath.Join(d, tfrunner.EncodingFile)) }, tfrunner.EncodingFile},
		{"short row", replaceLine(tfrunner.EncodingFile, 7, "1,2"), tfrunner.EncodingFile + " line 7"},
		{"not a number", replaceLine(tfrunner.EncodingFile, 9, strings.Repeat("x,", 31)+"x"), tfrunner.EncodingFile + " line 9"},
		{"bad class", replaceLine(tfrunner.PredictionsFile, 4, "12,1,2,0.1,0.1,0.6,0.1,0.1"), tfrunner.PredictionsFile + " line 4"},
		{"row counts differ", replaceLine(tfrunner.PredictionsFile, 201, ""), "rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, err := Run(Options{RunsDir: copyRun(t, tt.edit), OutDir: out})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("left %d files behind", len(entries))
			}
		})
	}
	if _, err := Run(Options{RunsDir: fixtureRuns, OutDir: t.TempDir(), K: 1}); err == nil {
		t.Error("k = 1: no error")
	}
}
