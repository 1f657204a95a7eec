package tfrunner

import (
	"os"
	"path/filepath"
	"testing"

	"fmnist/graphs"
)

// BenchmarkCheckpoint times writing and reading model B's checkpoint: its
// 1,092,945 weights and Adam's two moments (about 13 MB) in the
// benchmark's temporary directory. Saving includes atomicfile's fsync;
// loading reads from the page cache. MB/s counts the checkpoint file's
// bytes.
func BenchmarkCheckpoint(b *testing.B) {
	m := graphs.B(5)
	if n := m.ParamCount(); n != 1092945 {
		b.Fatalf("model B has %d parameters, want 1,092,945", n)
	}
	ck := testCheckpoint(m)
	path := filepath.Join(b.TempDir(), WeightsFile)
	if err := WriteCheckpoint(path, ck); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	size := info.Size()

	b.Run("save", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			if err := WriteCheckpoint(path, ck); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for range b.N {
			if _, err := ReadCheckpoint(path, m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
