package dataset

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPrepareReal prepares the real dataset and checks that the four files
// have exactly the sizes of the files the study used, then loads them.
func TestPrepareReal(t *testing.T) {
	src := realDataset(t)
	out := t.TempDir()
	written, err := Prepare(context.Background(), src, out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		"x_train.csv": 132891899,
		"y_train.csv": 120002,
		"x_test.csv":  22179097,
		"y_test.csv":  20002,
		ManifestFile:  -1, // any size
	}
	if len(written) != len(want) {
		t.Fatalf("wrote %v, want 4 files and the manifest", written)
	}
	for name, size := range want {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if size >= 0 && st.Size() != size {
			t.Errorf("%s: %d bytes, want %d", name, st.Size(), size)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != len(want) {
		t.Errorf("output directory holds %d entries, want %d", len(entries), len(want))
	}

	fromCSV, err := Load(Options{Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	fromIDX, err := Load(Options{Dir: src})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*Data{fromCSV, fromIDX} {
		if d.Train.N != 48000 || d.Validation.N != 12000 || d.Test.N != 10000 {
			t.Errorf("%s: %d train, %d validation, %d test rows, want 48000, 12000, 10000", d.Format, d.Train.N, d.Validation.N, d.Test.N)
		}
	}
	// Validation is rows 48,000..59,999 of the file, in file order.
	pix, _, err := ReadIDXImages(filepath.Join(src, idxNames[0]+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []int{0, 1, 5000, 11999} {
		img := fromCSV.Validation.Image(r)
		for p, v := range pix[(48000+r)*Pixels : (48001+r)*Pixels] {
			if img[p] != float32(v)/255 {
				t.Fatalf("validation row %d pixel %d = %v, want file row %d's %d/255", r, p, img[p], 48000+r, v)
			}
		}
	}
	for _, c := range []struct {
		name     string
		csv, idx Split
	}{
		{"train", fromCSV.Train, fromIDX.Train},
		{"validation", fromCSV.Validation, fromIDX.Validation},
		{"test", fromCSV.Test, fromIDX.Test},
	} {
		if !slices.Equal(c.csv.X, c.idx.X) || !slices.Equal(c.csv.Labels, c.idx.Labels) {
			t.Errorf("%s: CSV and IDX loads differ", c.name)
		}
	}
}

// realCSV returns the path of a real x_train.csv: ../data/x_train.csv if
// present, else one prepared from the real IDX files into dir.
func realCSV(b *testing.B, dir string) string {
	b.Helper()
	if p := "../data/x_train.csv"; isFile(p) {
		return p
	}
	src := realDataset(b)
	pix, n, err := ReadIDXImages(filepath.Join(src, idxNames[0]+".gz"))
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, "x_train.csv")
	if err := WriteCSVImages(p, pix, n); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkReadCSVImages reads the real x_train.csv (60,000 rows, 133 MB).
func BenchmarkReadCSVImages(b *testing.B) {
	path := realCSV(b, b.TempDir())
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, n, err := ReadCSVImages(path); err != nil || n != 60000 {
			b.Fatalf("n = %d, err = %v", n, err)
		}
	}
}

// BenchmarkReadIDXImages reads the real gzipped training images.
func BenchmarkReadIDXImages(b *testing.B) {
	path := filepath.Join(realDataset(b), idxNames[0]+".gz")
	for b.Loop() {
		if _, n, err := ReadIDXImages(path); err != nil || n != 60000 {
			b.Fatalf("n = %d, err = %v", n, err)
		}
	}
}

// BenchmarkLoadCSV loads a whole real CSV dataset.
func BenchmarkLoadCSV(b *testing.B) {
	dir := b.TempDir()
	if _, err := Prepare(context.Background(), realDataset(b), dir); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(Options{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}
