package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fmnist/analysis"
	"fmnist/report"
)

const fixture = "../../testdata/report"

func runReport(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestReportFromFixture(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := runReport("-runs", fixture+"/runs", "-out", out, "-data", fixture+"/dataset", "-model", "A")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"index.html", "REPORT.md", "analysis.json", "pca.csv", "tsne.csv", "kmeans.csv", "dbscan.csv", "cm4_tsne_labels.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(stdout, "t-SNE in") || !strings.Contains(stdout, "index.html") {
		t.Errorf("stdout lacks the analysis timings or the report path:\n%s", stdout)
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-runs", filepath.Join(dir, "none")}, 1, filepath.Join(dir, "none", "A", "run.json")},
		{[]string{"-runs", fixture + "/runs", "-model", "B"}, 1, "run.json"},
		{[]string{"-runs", fixture + "/runs", "-model", "default"}, 1, "encoding_test.csv"},
		{[]string{"-k", "1"}, 2, "-k 1"},
		{[]string{"-eps", "-2"}, 2, "-eps"},
		{[]string{"-min-samples", "0"}, 2, "must be positive"},
		{[]string{"-perplexity", "-1"}, 2, "-perplexity"},
		{[]string{"-bogus"}, 2, "flag provided but not defined"},
		{[]string{"stray"}, 2, "unexpected argument"},
	}
	for _, tt := range tests {
		out := filepath.Join(dir, "out")
		code, _, stderr := runReport(append(tt.args, "-out", out, "-quiet")...)
		if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "panic") {
			t.Errorf("report %v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("report %v: created %s", tt.args, out)
		}
	}
}

func TestReportOutDirInUse(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	unlock, err := report.LockOutDir(out) // another report writing there
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	code, _, stderr := runReport("-runs", fixture+"/runs", "-out", out, "-data", fixture+"/dataset", "-model", "A", "-quiet")
	if code != 1 || !strings.Contains(stderr, out) || !strings.Contains(stderr, "in use by another report") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming %s as in use", code, stderr, out)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the refused report wrote into %s: %v", out, entries)
	}
}

func TestReportSkipAnalysisKeepsAnalysis(t *testing.T) {
	// A report from the analysis already in the folder replaces the folder
	// whole, and must carry the analysis files it did not rewrite.
	out := filepath.Join(t.TempDir(), "report")
	args := []string{"-runs", fixture + "/runs", "-out", out, "-data", fixture + "/dataset", "-model", "A", "-quiet"}
	if code, _, stderr := runReport(args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := map[string][]byte{}
	for _, name := range analysis.FileNames {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		before[name] = data
	}
	for range 2 { // the second time from a folder the first one wrote
		if code, _, stderr := runReport(append(args, "-skip-analysis")...); code != 0 {
			t.Fatalf("-skip-analysis: exit %d: %s", code, stderr)
		}
		for name, data := range before {
			if got, err := os.ReadFile(filepath.Join(out, name)); err != nil || !bytes.Equal(got, data) {
				t.Errorf("-skip-analysis: %s changed or gone: %v", name, err)
			}
		}
	}
}
