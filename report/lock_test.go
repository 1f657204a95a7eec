package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fmnist/internal/flock"
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

func TestLockOutDirBoth(t *testing.T) {
	// An existing folder is locked twice, by the file beside it and by
	// itself: a report holding either one keeps another out.
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	must(t, os.Mkdir(dir, 0o755))
	for _, path := range []string{filepath.Join(parent, ".report.lock"), dir} {
		f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
		if err != nil {
			f, err = os.Open(path)
		}
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := flock.TryLock(f); !ok || err != nil {
			t.Fatalf("%s: %v %v", path, ok, err)
		}
		var inUse *InUseError
		if _, err := LockOutDir(dir); !errors.As(err, &inUse) {
			t.Errorf("%s held by another: LockOutDir %v, want an *InUseError", path, err)
		}
		f.Close()
	}
	unlock, err := LockOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestLockOutDirRefusesEarly(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	must(t, os.Mkdir(src, 0o755))
	must(t, os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n"), 0o644))
	dangling := filepath.Join(root, "dangling")
	must(t, os.Symlink(filepath.Join(root, "nothing"), dangling))
	for path, want := range map[string]string{src: "Go source files", dangling: "symbolic link to nothing"} {
		if _, err := LockOutDir(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LockOutDir(%s): %v, want %q", path, err, want)
		}
	}
}
