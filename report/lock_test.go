package report

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLockOutDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	unlock, err := LockOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("LockOutDir did not create %s: %v", dir, err)
	}
	// A second report is refused at once, naming the directory.
	var inUse *InUseError
	if _, err := LockOutDir(dir); !errors.As(err, &inUse) || inUse.Dir != dir {
		t.Fatalf("second lock: %v, want an *InUseError for %s", err, dir)
	}
	// Unlocking removes the directory it created while it is empty...
	unlock()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s left behind after a report that wrote nothing: %v", dir, err)
	}
	// ... but never one that holds files, nor one it did not create.
	for _, create := range []bool{true, false} {
		if !create {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		unlock, err := LockOutDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if create {
			if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		unlock()
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("created %v: %s removed: %v", create, dir, err)
		}
		os.RemoveAll(dir)
	}
	// A path that cannot be a directory is a clear error.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LockOutDir(file); err == nil {
		t.Errorf("LockOutDir(%s), a file: no error", file)
	}
}
