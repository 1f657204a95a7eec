package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLockOutDir(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "out")
	dir := filepath.Join(parent, "report")
	unlock, err := LockOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The lock file lies beside dir, and dir itself is not created.
	if _, err := os.Stat(filepath.Join(parent, ".report.lock")); err != nil {
		t.Errorf("no lock file beside %s: %v", dir, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("LockOutDir created %s: %v", dir, err)
	}
	// A second report is refused at once, naming the directory.
	var inUse *InUseError
	if _, err := LockOutDir(dir); !errors.As(err, &inUse) || inUse.Dir != dir {
		t.Fatalf("second lock: %v, want an *InUseError for %s", err, dir)
	}
	// The lock outlives an exchange of the directory by a report.
	if err := writeOutputs(dir, []outFile{{"a.png", []byte("1")}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := writeOutputs(dir, []outFile{{"a.png", []byte("2")}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := LockOutDir(dir); !errors.As(err, &inUse) {
		t.Fatalf("lock after two reports: %v, want an *InUseError", err)
	}
	unlock()
	unlock, err = LockOutDir(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock()
	// A path that cannot hold a report is a clear error.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LockOutDir(filepath.Join(file, "report")); err == nil {
		t.Errorf("LockOutDir under a file: no error")
	}
	if _, err := LockOutDir(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("LockOutDir of a file: %v, want it refused before any analysis", err)
	}
	if _, err := LockOutDir("/"); err == nil {
		t.Errorf("LockOutDir(/): no error")
	}
}

func TestLockOutDirConcurrent(t *testing.T) {
	// Reports starting at once on a folder that does not exist yet: one
	// holds the lock, every other is refused, and none removes anything.
	for trial := range 20 {
		dir := filepath.Join(t.TempDir(), "out", "report")
		const n = 6
		var wg sync.WaitGroup
		unlocks := make([]func(), n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				unlocks[i], errs[i] = LockOutDir(dir)
			}()
		}
		wg.Wait()
		held := 0
		for i, err := range errs {
			var inUse *InUseError
			switch {
			case err == nil:
				held++
				defer unlocks[i]()
			case !errors.As(err, &inUse):
				t.Fatalf("trial %d: %v, want an *InUseError", trial, err)
			}
		}
		if held != 1 {
			t.Fatalf("trial %d: %d reports hold the lock, want 1", trial, held)
		}
		if err := writeOutputs(dir, []outFile{{"index.html", []byte("x")}}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := LockOutDir(dir); err == nil {
			t.Fatalf("trial %d: the lock is free while its holder writes", trial)
		}
	}
}
