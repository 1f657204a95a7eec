package report

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// entries lists the names in dir, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteOutputsReplacesReport(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	// A fresh directory: the staged report is renamed into place.
	if err := writeOutputs(dir, []outFile{{"a.png", []byte("1")}, {"index.html", []byte("1")}}, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := entries(t, dir), []string{ContentsFile, "a.png", "index.html"}; !slices.Equal(got, want) {
		t.Fatalf("first report: %v, want %v", got, want)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"report"}) {
		t.Errorf("beside the report: %v, want no staging left", got)
	}
	// A directory holding only a report: replaced whole, so a file the new
	// report does not write (a.png) goes with the old one.
	if err := writeOutputs(dir, []outFile{{"b.png", []byte("2")}, {"index.html", []byte("2")}}, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{ContentsFile, "b.png", "index.html"}
	if runtime.GOOS != "linux" {
		want = []string{ContentsFile, "a.png", "b.png", "index.html"} // file by file
	}
	if got := entries(t, dir); !slices.Equal(got, want) {
		t.Errorf("second report: %v, want %v", got, want)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "index.html")); string(data) != "2" {
		t.Errorf("index.html %q, want the new one", data)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ContentsFile)); string(data) != "b.png\nindex.html\n" {
		t.Errorf("%s: %q", ContentsFile, data)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"report"}) {
		t.Errorf("beside the report: %v, want neither staging nor the old report left", got)
	}
}

func TestWriteOutputsKeepsOtherFiles(t *testing.T) {
	// A directory holding a file the report did not write is never
	// replaced whole: the report's files are renamed in one by one.
	for _, setup := range []struct {
		name  string
		files map[string]string
	}{
		{"no contents file", map[string]string{"notes.txt": "mine", "index.html": "old"}},
		{"a file not listed", map[string]string{ContentsFile: "index.html\n", "notes.txt": "mine", "index.html": "old"}},
	} {
		t.Run(setup.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "report")
			must(t, os.Mkdir(dir, 0o755))
			for name, data := range setup.files {
				must(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
			}
			if err := writeOutputs(dir, []outFile{{"index.html", []byte("new")}}, nil); err != nil {
				t.Fatal(err)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(data) != "mine" {
				t.Errorf("notes.txt: %q, want it kept", data)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, "index.html")); string(data) != "new" {
				t.Errorf("index.html: %q, want the new one", data)
			}
			if got := entries(t, filepath.Dir(dir)); !slices.Equal(got, []string{"report"}) {
				t.Errorf("beside the report: %v, want no staging left", got)
			}
		})
	}
}

func TestRemoveStaging(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	must(t, os.MkdirAll(filepath.Join(dir, insideStagingPrefix+"1"), 0o755))     // an older version's, inside
	must(t, os.MkdirAll(filepath.Join(parent, ".report.staging-2", "x"), 0o755)) // a killed report's, beside
	must(t, os.MkdirAll(filepath.Join(parent, ".other.staging-3"), 0o755))       // another output directory's
	must(t, os.WriteFile(filepath.Join(dir, "index.html"), nil, 0o644))
	if err := RemoveStaging(dir); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"index.html"}) {
		t.Errorf("inside: %v", got)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{".other.staging-3", "report"}) {
		t.Errorf("beside: %v", got)
	}
	if err := RemoveStaging(filepath.Join(parent, "missing")); err != nil {
		t.Errorf("missing directory: %v", err)
	}
}

func TestWriteOutputsDot(t *testing.T) {
	// "-out ." names the working directory by its absolute path.
	parent := t.TempDir()
	dir := filepath.Join(parent, "here")
	must(t, os.Mkdir(dir, 0o755))
	t.Chdir(dir)
	if err := writeOutputs(".", []outFile{{"index.html", []byte("x")}}, nil); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "index.html")); err != nil || string(data) != "x" {
		t.Errorf("index.html: %q, %v", data, err)
	}
	for _, e := range entries(t, parent) {
		if strings.Contains(e, "staging") {
			t.Errorf("staging %s left beside", e)
		}
	}
}

func TestWriteOutputsKeeps(t *testing.T) {
	// A report made from an earlier analysis (-skip-analysis) does not
	// rewrite the analysis files; they stay, even when the folder is
	// replaced whole.
	dir := filepath.Join(t.TempDir(), "report")
	if err := writeOutputs(dir, []outFile{{"analysis.json", []byte("{}")}, {"pca.csv", []byte("p")}, {"old.png", []byte("1")}, {"index.html", []byte("1")}}, nil); err != nil {
		t.Fatal(err)
	}
	keep := []string{"analysis.json", "pca.csv", "tsne.csv"} // tsne.csv: not there, not listed
	if err := writeOutputs(dir, []outFile{{"index.html", []byte("2")}}, keep); err != nil {
		t.Fatal(err)
	}
	want := []string{ContentsFile, "analysis.json", "index.html", "pca.csv"}
	if runtime.GOOS != "linux" {
		want = []string{ContentsFile, "analysis.json", "index.html", "old.png", "pca.csv"}
	}
	if got := entries(t, dir); !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "analysis.json")); string(data) != "{}" {
		t.Errorf("analysis.json: %q, want the kept one", data)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ContentsFile)); string(data) != "index.html\nanalysis.json\npca.csv\n" {
		t.Errorf("%s: %q, want the kept files listed", ContentsFile, data)
	}
	// Listed, the kept files let the next report replace the folder whole.
	if runtime.GOOS == "linux" && !onlyReport(dir) {
		t.Error("the folder no longer counts as a report's")
	}
}
