package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x_train.csv")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name  string
		write func() error
		want  string
	}{
		{"cancelled images", func() error { return writeCSVImages(cancelled, path, smallImages(3000), 3000) }, "context canceled"},
		{"cancelled labels", func() error { return writeCSVLabels(cancelled, path, []int{1, 2}) }, "context canceled"},
		{"wrong pixel count", func() error { return WriteCSVImages(path, make([]uint8, 100), 1) }, path + ": 100 pixel values for 1 images, want 784"},
		{"missing directory", func() error { return WriteCSVImages(filepath.Join(dir, "missing", "x.csv"), nil, 0) }, filepath.Join(dir, "missing", "x.csv")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.write(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("left %v behind", entries)
			}
		})
	}
	// A successful write replaces the file, with mode 0644.
	if err := WriteCSVLabels(path, []int{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSVLabels(path, []int{3}); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, path)); got != "0\n3\n" {
		t.Errorf("labels file holds %q", got)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", st.Mode(), err)
	}
}

func TestWriteCSVImagesFormat(t *testing.T) {
	pix := make([]uint8, 2*Pixels)
	pix[0], pix[1], pix[Pixels-1], pix[Pixels] = 255, 10, 7, 128
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := WriteCSVImages(path, pix, 2); err != nil {
		t.Fatal(err)
	}
	want := string(imagesHeader) + "\n" +
		"255,10," + row(Pixels-3, "0") + ",7\n" +
		"128," + row(Pixels-1, "0") + "\n"
	if got := string(readFile(t, path)); got != want {
		t.Errorf("wrote %q...", got[:min(len(got), 100)])
	}
}
