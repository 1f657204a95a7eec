package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"fmnist/analysis"
	"fmnist/report"
)

// countingFS counts the files opened through it.
type countingFS struct {
	fs.FS
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.FS.Open(name)
}

// TestReportReadsEachRunFileOnce renders the fixture through a file system
// that counts opens: from the reading of the runs through the analysis to
// the rendering, every file of every run is opened exactly once, and no
// name (a missing run's directory or file included) more than once.
func TestReportReadsEachRunFileOnce(t *testing.T) {
	runsDir := fixture + "/runs"
	c := &countingFS{FS: os.DirFS(runsDir), opens: map[string]int{}}
	out := filepath.Join(t.TempDir(), "report")
	opts := report.Options{RunsDir: runsDir, OutDir: out, DataDir: fixture + "/dataset", Model: "A", WriteAnalysis: true}
	if _, err := build(c, opts, analysis.Options{Model: "A", Seed: 5}, false); err != nil {
		t.Fatal(err)
	}
	var files []string
	err := fs.WalkDir(os.DirFS(runsDir), ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if c.opens[f] != 1 {
			t.Errorf("%s opened %d times, want once", f, c.opens[f])
		}
	}
	var opened []string
	for name, n := range c.opens {
		opened = append(opened, name)
		if n != 1 {
			t.Errorf("%s opened %d times", name, n)
		}
	}
	sort.Strings(opened)
	t.Logf("opened: %v", opened)
	if len(files) < 10 {
		t.Errorf("only %d files in the fixture's runs: %v", len(files), files)
	}
}
