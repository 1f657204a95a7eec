package flock

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTryLock(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{file, dir} { // a file, and a directory itself
		a, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := TryLock(a); !ok || err != nil {
			t.Fatalf("%s: first lock: %v, %v; want it held", path, ok, err)
		}
		if ok, err := TryLock(b); ok || err != nil {
			t.Fatalf("%s: second open's lock: %v, %v; want refused without error", path, ok, err)
		}
		a.Close() // closing releases the lock
		if ok, err := TryLock(b); !ok || err != nil {
			t.Fatalf("%s: lock after the holder closed: %v, %v; want it held", path, ok, err)
		}
		b.Close()
	}
}
