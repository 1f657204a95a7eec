package report

import (
	"fmt"
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
	// "-out ." names the working directory: written twice, file by file,
	// never exchanged away from under the process.
	parent := t.TempDir()
	dir := filepath.Join(parent, "here")
	must(t, os.Mkdir(dir, 0o755))
	t.Chdir(dir)
	for _, content := range []string{"1", "2"} {
		if err := writeOutputs(".", []outFile{{"index.html", []byte(content)}}, nil); err != nil {
			t.Fatal(err)
		}
		if data, err := os.ReadFile(filepath.Join(dir, "index.html")); err != nil || string(data) != content {
			t.Errorf("index.html: %q, %v; want %q", data, err, content)
		}
	}
	if wd, err := os.Getwd(); err != nil || filepath.Base(wd) != "here" {
		t.Errorf("working directory %q, %v after the reports", wd, err)
	}
	if _, err := os.Stat("index.html"); err != nil {
		t.Errorf("the working directory lost the report: %v", err)
	}
	for _, e := range entries(t, parent) {
		if strings.Contains(e, "staging") {
			t.Errorf("staging %s left beside", e)
		}
	}
}

func TestWriteOutputsSymlink(t *testing.T) {
	// -out naming a symbolic link to a folder writes into the folder and
	// leaves the link as it is.
	root := t.TempDir()
	target := filepath.Join(root, "target")
	link := filepath.Join(root, "link")
	must(t, os.Mkdir(target, 0o755))
	must(t, os.Symlink(target, link))
	for _, content := range []string{"1", "2"} {
		if err := writeOutputs(link, []outFile{{"index.html", []byte(content)}}, nil); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(filepath.Join(target, "index.html")); string(data) != content {
			t.Errorf("target/index.html %q, want %q", data, content)
		}
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link: %v", link, err)
	}
}

func TestWriteOutputsExchangeIsWhole(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the exchange is Linux's renameat2; elsewhere the files go in one by one")
	}
	dir := filepath.Join(t.TempDir(), "report")
	if err := writeOutputs(dir, []outFile{{"a.png", []byte("old")}, {"index.html", []byte("old")}}, nil); err != nil {
		t.Fatal(err)
	}
	// Right after the exchange, before the old report is removed, dir
	// holds the whole new report and nothing of the old; a file another
	// process writes into the old folder then is moved into the new.
	called := false
	testHookExchanged = func(old string) {
		called = true
		if got, want := entries(t, dir), []string{ContentsFile, "b.png", "index.html"}; !slices.Equal(got, want) {
			t.Errorf("after the exchange: %v, want %v", got, want)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "index.html")); string(data) != "new" {
			t.Errorf("after the exchange: index.html %q", data)
		}
		must(t, os.WriteFile(filepath.Join(old, "late.txt"), []byte("late"), 0o644))
	}
	defer func() { testHookExchanged = nil }()
	if err := writeOutputs(dir, []outFile{{"b.png", []byte("new")}, {"index.html", []byte("new")}}, nil); err != nil {
		t.Fatal(err)
	}
	if !called {
		t.Fatal("no exchange: the folder was written file by file")
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "late.txt")); string(data) != "late" {
		t.Errorf("late.txt %q: lost with the old folder", data)
	}
}

func TestRemoveStagingOnlyOwn(t *testing.T) {
	// Names with glob characters are taken as they are.
	root := t.TempDir()
	for _, d := range []string{"a[12]/.report.staging-1", "a1/.report.staging-2", "out/.report.staging-x", "out/.report.staging.staging-3"} {
		must(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	if err := RemoveStaging(filepath.Join(root, "a[12]", "report")); err != nil {
		t.Fatal(err)
	}
	if err := RemoveStaging(filepath.Join(root, "out", "report")); err != nil {
		t.Fatal(err)
	}
	for d, gone := range map[string]bool{
		"a[12]/.report.staging-1":       true,
		"a1/.report.staging-2":          false, // another folder's
		"out/.report.staging-x":         false, // not a staging name
		"out/.report.staging.staging-3": false, // -out out/report.staging's
	} {
		_, err := os.Stat(filepath.Join(root, d))
		if os.IsNotExist(err) != gone {
			t.Errorf("%s: removed %v, want %v", d, os.IsNotExist(err), gone)
		}
	}
}

func TestInterrupted(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	must(t, os.MkdirAll(filepath.Join(parent, ".report.staging-7"), 0o755))
	Interrupted(dir)
	defer renaming.Unlock()
	if renaming.TryLock() {
		t.Error("Interrupted let later moves start")
	}
	if got := entries(t, parent); len(got) != 0 {
		t.Errorf("left beside: %v", got)
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

func TestWriteOutputsMode(t *testing.T) {
	// A new folder has the mode os.Mkdir gives (the umask's), not
	// MkdirTemp's 0700; a replaced one keeps its mode.
	root := t.TempDir()
	dir := filepath.Join(root, "report")
	if err := writeOutputs(dir, []outFile{{"index.html", []byte("1")}}, nil); err != nil {
		t.Fatal(err)
	}
	must(t, os.Mkdir(filepath.Join(root, "plain"), 0o777))
	plain, _ := os.Stat(filepath.Join(root, "plain"))
	if st, _ := os.Stat(dir); st.Mode() != plain.Mode() {
		t.Errorf("new folder mode %v, want %v as os.Mkdir makes", st.Mode(), plain.Mode())
	}
	must(t, os.Chmod(dir, 0o750|os.ModeSetgid))
	if err := writeOutputs(dir, []outFile{{"index.html", []byte("2")}}, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode()&(os.ModePerm|os.ModeSetgid) != 0o750|os.ModeSetgid {
		t.Errorf("replaced folder mode %v, want 0750 and setgid kept", st.Mode())
	}
}

func TestWriteOutputsLateFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the exchange is Linux's renameat2")
	}
	for _, tt := range []struct {
		name string
		late func(old string)
		want map[string]string // files of the new folder
	}{
		{"a late file named as a new one does not replace it", func(old string) {
			must(t, os.WriteFile(filepath.Join(old, "b.png"), []byte("stray"), 0o644))
		}, map[string]string{"b.png": "new", "index.html": "new"}},
		{"without the old list nothing moves", func(old string) {
			must(t, os.Remove(filepath.Join(old, ContentsFile)))
		}, map[string]string{"b.png": "new", "index.html": "new"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "report")
			if err := writeOutputs(dir, []outFile{{"a.png", []byte("old")}, {"index.html", []byte("old")}}, nil); err != nil {
				t.Fatal(err)
			}
			testHookExchanged = tt.late
			defer func() { testHookExchanged = nil }()
			if err := writeOutputs(dir, []outFile{{"b.png", []byte("new")}, {"index.html", []byte("new")}}, nil); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, name := range entries(t, dir) {
				if name != ContentsFile {
					data, _ := os.ReadFile(filepath.Join(dir, name))
					got[name] = string(data)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("new folder %v, want %v", got, tt.want)
			}
			// The old folder, holding what could not be moved, is kept
			// aside, not deleted.
			aside := 0
			for _, e := range entries(t, filepath.Dir(dir)) {
				if strings.HasPrefix(e, ".report.replaced") {
					aside++
				}
			}
			if aside != 1 {
				t.Errorf("%d old folders kept aside, want 1", aside)
			}
		})
	}
}
