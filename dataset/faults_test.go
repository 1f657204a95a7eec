package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cutCtx is a context whose Err reports cancellation from its after-th
// call on: it cuts Prepare short at each point where it checks.
type cutCtx struct {
	context.Context
	after, calls int
}

func (c *cutCtx) Err() error {
	c.calls++
	if c.after > 0 && c.calls >= c.after {
		return context.Canceled
	}
	return nil
}

// sameData reports whether a and b hold the same images and labels.
func sameData(a, b *Data) bool {
	return slices.Equal(a.Train.X, b.Train.X) && slices.Equal(a.Train.Labels, b.Train.Labels) &&
		slices.Equal(a.Validation.X, b.Validation.X) && slices.Equal(a.Test.X, b.Test.X) && slices.Equal(a.Test.Labels, b.Test.Labels)
}

// TestPrepareCutShortLeavesWholeDataset cuts Prepare short at every point
// where it can stop, in a directory holding an older dataset: afterwards
// the directory is the old dataset or the new one, never a mix.
func TestPrepareCutShortLeavesWholeDataset(t *testing.T) {
	fresh := t.TempDir()
	counter := &cutCtx{Context: context.Background()}
	if _, err := Prepare(counter, fixtureIDXDir, fresh); err != nil {
		t.Fatal(err)
	}
	newData, err := Load(Options{Dir: fresh, Originals: "-"})
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= counter.calls; k++ {
		out := copyDir(t, fixtureCSVDir) // the older dataset: 200 and 50 rows
		oldData, err := Load(Options{Dir: out, Originals: "-"})
		if err != nil {
			t.Fatal(err)
		}
		_, perr := Prepare(&cutCtx{Context: context.Background(), after: k}, fixtureIDXDir, out)
		d, err := Load(Options{Dir: out, Originals: "-"})
		switch {
		case err != nil:
			t.Logf("cut at check %d (prepare: %v): refused: %v", k, perr, err)
		case sameData(d, oldData) || sameData(d, newData):
		default:
			t.Errorf("cut at check %d (prepare: %v): Load accepts a mix: %d train, %d test images (old %d/%d, new %d/%d)",
				k, perr, d.Train.N+d.Validation.N, d.Test.N, oldData.Train.N+oldData.Validation.N, oldData.Test.N,
				newData.Train.N+newData.Validation.N, newData.Test.N)
		}
	}
}

// TestLoadRefusesMixedDataset replaces one file of a prepared dataset by
// one of the same size from other data: Load refuses the directory, naming
// the file and the manifest.
func TestLoadRefusesMixedDataset(t *testing.T) {
	for _, name := range []string{"x_train.csv", "x_test.csv", "y_test.csv"} {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			if _, err := Prepare(context.Background(), fixtureIDXDir, out); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(out, name)
			data := readFile(t, p)
			i := bytes.IndexByte(data, '\n') + 1
			if data[i] == '0' {
				data[i] = '1'
			} else {
				data[i] = '0'
			}
			writeFile(t, out, name, data)
			_, err := Load(Options{Dir: out, Originals: "-"})
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "manifest.json") {
				t.Fatalf("err = %v, want one naming %s and the manifest", err, p)
			}
		})
	}
}

// TestLoadRefusesInterruptedPrepare checks the state a prepare killed while
// renaming its files leaves: the marker makes Load refuse the directory.
func TestLoadRefusesInterruptedPrepare(t *testing.T) {
	out := t.TempDir()
	if _, err := Prepare(context.Background(), fixtureIDXDir, out); err != nil {
		t.Fatal(err)
	}
	writeFile(t, out, ".prepare-incomplete", nil)
	os.Remove(filepath.Join(out, "manifest.json"))
	_, err := Load(Options{Dir: out, Originals: "-"})
	if err == nil || !strings.Contains(err.Error(), "prepare was cut short") || !strings.Contains(err.Error(), "go run ./cmd/prepare -out "+out) {
		t.Fatalf("err = %v, want a refusal saying prepare was cut short and how to rerun it", err)
	}
}

// TestPrepareRemovesStaleTemps checks that the temporary files a killed
// prepare leaves are removed by the next one.
func TestPrepareRemovesStaleTemps(t *testing.T) {
	out := t.TempDir()
	stale := []string{".x_train.csv.tmp-123", ".y_test.csv.tmp-9", ".manifest.json.tmp-1"}
	for _, n := range stale {
		writeFile(t, out, n, []byte("partial"))
	}
	writeFile(t, out, "notes.txt", []byte("mine"))
	if _, err := Prepare(context.Background(), fixtureIDXDir, out); err != nil {
		t.Fatal(err)
	}
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(out, n)); err == nil {
			t.Errorf("stale %s was not removed", n)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "notes.txt")); err != nil {
		t.Error("prepare removed a file that is not its own")
	}
}

// TestCSVLineEndsCROnly checks that a CSV file with carriage returns only
// says so instead of "no data rows".
func TestCSVLineEndsCROnly(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "y.csv", []byte("0\r1\r2\r3\r"))
	_, err := ReadCSVLabels(p)
	if err == nil || !strings.Contains(err.Error(), "carriage return only") || !strings.Contains(err.Error(), "3 CR") {
		t.Fatalf("err = %v, want one about CR-only line ends", err)
	}
	img := bytes.ReplaceAll(imagesCSV(3), []byte{'\n'}, []byte{'\r'})
	if _, _, err := ReadCSVImages(writeFile(t, dir, "x.csv", img)); err == nil || !strings.Contains(err.Error(), "carriage return only") {
		t.Fatalf("images: err = %v, want one about CR-only line ends", err)
	}
}

// TestCSVPathKinds makes x_train.csv a directory, a FIFO and a dangling
// link: Load says what it is rather than "missing".
func TestCSVPathKinds(t *testing.T) {
	cases := []struct {
		name string
		make func(path string) error
		want string
	}{
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }, "is a directory"},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "is a named pipe (FIFO)"},
		{"dangling link", func(p string) error { return os.Symlink(filepath.Join(filepath.Dir(p), "gone.csv"), p) }, "is a dangling symbolic link"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, fixtureCSVDir)
			p := filepath.Join(dir, "x_train.csv")
			os.Remove(p)
			if err := c.make(p); err != nil {
				t.Fatal(err)
			}
			_, err := Load(Options{Dir: dir, Originals: "-"})
			if err == nil || !strings.Contains(err.Error(), p+" "+c.want) {
				t.Fatalf("err = %v, want %q", err, p+" "+c.want)
			}
			done := make(chan error, 1)
			go func() { _, _, err := ReadCSVImages(p); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("ReadCSVImages: err = %v, want %q", err, c.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("ReadCSVImages blocks")
			}
		})
	}
}

// TestCSVLongLine reads files with one 50 MB line, as a data row and as
// the header: each is refused as too long, without allocating much more
// than the file itself.
func TestCSVLongLine(t *testing.T) {
	long := bytes.Repeat([]byte("0,"), 25<<20)
	long = long[:len(long)-1]
	cases := map[string][]byte{
		"row":    append(append(append([]byte{}, imagesHeader...), '\n'), long...),
		"header": append(append([]byte{}, long...), "\n1\n"...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "x.csv", append(data, '\n'))
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, err := ReadCSVImages(p)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "line of 52428799 bytes") {
				t.Errorf("err = %v, want a line too long", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 150<<20 {
				t.Errorf("reading a 50 MB line allocated %d MB", alloc>>20)
			}
			labels := writeFile(t, t.TempDir(), "y.csv", append([]byte("0\n"), append(long, '\n')...))
			if _, err := ReadCSVLabels(labels); err == nil || !strings.Contains(err.Error(), "line of 52428799 bytes") {
				t.Errorf("labels: err = %v, want a line too long", err)
			}
		})
	}
}

// BenchmarkContentDigests measures the digests Load adds for the manifest
// check and the fingerprint, on the real dataset's size (70,000 images and
// labels); compare with BenchmarkLoadCSV.
func BenchmarkContentDigests(b *testing.B) {
	train := rawSplit{pix: make([]uint8, 60000*Pixels), labels: make([]int, 60000), n: 60000}
	test := rawSplit{pix: make([]uint8, 10000*Pixels), labels: make([]int, 10000), n: 10000}
	b.SetBytes(int64(len(train.pix) + len(test.pix)))
	for b.Loop() {
		for _, s := range []*rawSplit{&train, &test} {
			s.xSum, s.ySum = imagesDigest(s.pix), labelsDigest(s.labels, false)
		}
		_ = fingerprint(train, test)
	}
}
