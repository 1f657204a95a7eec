package dataset

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	empty := t.TempDir()
	both := copyDir(t, fixtureCSVDir)
	for _, name := range idxNames {
		writeFile(t, both, name+".gz", readFile(t, filepath.Join(fixtureIDXDir, name+".gz")))
	}
	partialCSV := copyDir(t, fixtureCSVDir)
	os.Remove(filepath.Join(partialCSV, "y_test.csv"))
	partialIDX := copyDir(t, fixtureIDXDir)
	os.Remove(filepath.Join(partialIDX, "t10k-labels-idx1-ubyte.gz"))
	plainIDX := t.TempDir()
	for _, name := range idxNames {
		raw, err := gunzip(readFile(t, filepath.Join(fixtureIDXDir, name+".gz")))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, plainIDX, name, raw)
	}
	file := writeFile(t, t.TempDir(), "file", []byte("x"))

	cases := []struct {
		name   string
		dir    string
		format Format
		want   string // error substring, "" for success
		noData bool   // the error wraps ErrNoDataset
	}{
		{"CSV", fixtureCSVDir, FormatCSV, "", false},
		{"gzipped IDX", fixtureIDXDir, FormatIDX, "", false},
		{"plain IDX", plainIDX, FormatIDX, "", false},
		{"both prefers CSV", both, FormatCSV, "", false},
		{"empty directory", empty, "", empty + ": want x_train.csv, y_train.csv, x_test.csv, y_test.csv, or the IDX files", true},
		{"missing directory", filepath.Join(empty, "nope"), "", "the directory does not exist; install the original files with `apt-get install dataset-fashion-mnist`", true},
		{"not a directory", file, "", file + ": not a directory", false},
		{"incomplete CSV", partialCSV, "", "incomplete CSV dataset in " + partialCSV + ": missing " + filepath.Join(partialCSV, "y_test.csv"), false},
		{"incomplete IDX", partialIDX, "", "incomplete IDX dataset in " + partialIDX + ": missing " + filepath.Join(partialIDX, "t10k-labels-idx1-ubyte"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, format, err := Locate(c.dir)
			if c.want == "" {
				abs, _ := filepath.Abs(c.dir)
				if err != nil || dir != abs || format != c.format {
					t.Errorf("Locate = %q, %q, %v; want %q, %q", dir, format, err, abs, c.format)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, c.want)
			}
			if errors.Is(err, ErrNoDataset) != c.noData {
				t.Errorf("errors.Is(err, ErrNoDataset) = %t, want %t", !c.noData, c.noData)
			}
		})
	}
}

func TestLocateDefault(t *testing.T) {
	empty := t.TempDir()
	partial := copyDir(t, fixtureCSVDir)
	os.Remove(filepath.Join(partial, "x_test.csv"))
	idxAbs, _ := filepath.Abs(fixtureIDXDir)
	cases := []struct {
		name   string
		search []string
		dir    string
		want   string
	}{
		{"first holds nothing", []string{empty, fixtureIDXDir}, idxAbs, ""},
		{"first is missing", []string{filepath.Join(empty, "data"), fixtureIDXDir}, idxAbs, ""},
		{"first is incomplete", []string{partial, fixtureIDXDir}, "", "incomplete CSV dataset"},
		{"none", []string{filepath.Join(empty, "data"), empty}, "", "no Fashion-MNIST dataset in " + filepath.Join(empty, "data") + " or " + empty +
			": install the original files with `apt-get install dataset-fashion-mnist`, or give a directory holding one with -data DIR"},
	}
	saved := searchDirs
	defer func() { searchDirs = saved }()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			searchDirs = c.search
			dir, _, err := Locate("")
			if c.want == "" {
				if err != nil || dir != c.dir {
					t.Errorf("Locate = %q, %v; want %q", dir, err, c.dir)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, c.want)
			}
		})
	}
	searchDirs = []string{empty}
	if _, err := Load(Options{}); err == nil || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") || !strings.Contains(err.Error(), "-data DIR") {
		t.Errorf("Load with no dataset: %v", err)
	}
}

func TestLoadFixtures(t *testing.T) {
	cases := []struct {
		name              string
		opts              Options
		format            Format
		train, validation int
		test              int
		classes           int
	}{
		{"CSV", Options{Dir: fixtureCSVDir}, FormatCSV, 160, 40, 50, 5},
		{"IDX grouped", Options{Dir: fixtureIDXDir}, FormatIDX, 240, 60, 100, 5},
		{"IDX 10 classes", Options{Dir: fixtureIDXDir, Classes: 10}, FormatIDX, 240, 60, 100, 10},
		{"limit then split", Options{Dir: fixtureIDXDir, Limit: 100}, FormatIDX, 80, 20, 100, 5},
		{"limit all", Options{Dir: fixtureCSVDir, Limit: 200}, FormatCSV, 160, 40, 50, 5},
		{"fraction 0.25", Options{Dir: fixtureIDXDir, Limit: 10, ValidationFraction: 0.25}, FormatIDX, 7, 3, 100, 5},
		{"Keras rounding", Options{Dir: fixtureIDXDir, Limit: 50, ValidationFraction: 0.8}, FormatIDX, 9, 41, 100, 5}, // int(50*0.19999999999999996) = 9
		{"no validation", Options{Dir: fixtureCSVDir, ValidationFraction: -1}, FormatCSV, 200, 0, 50, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Load(c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != c.format || d.Classes != c.classes || d.Train.N != c.train || d.Validation.N != c.validation || d.Test.N != c.test {
				t.Fatalf("got %s, %d classes, %d/%d/%d rows; want %s, %d classes, %d/%d/%d",
					d.Format, d.Classes, d.Train.N, d.Validation.N, d.Test.N, c.format, c.classes, c.train, c.validation, c.test)
			}
			// Validation is the rows after Train in file order.
			var pix []uint8
			var labels []int
			if c.format == FormatCSV {
				pix, _, err = ReadCSVImages(filepath.Join(d.Dir, "x_train.csv"))
				if err == nil {
					labels, err = ReadCSVLabels(filepath.Join(d.Dir, "y_train.csv"))
				}
			} else {
				pix, _, err = ReadIDXImages(filepath.Join(d.Dir, idxNames[0]+".gz"))
				if err == nil {
					labels, err = readIDXLabelsChecked(filepath.Join(d.Dir, idxNames[1]+".gz"))
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range []Split{d.Train, d.Validation} {
				if len(s.X) != s.N*Pixels || len(s.Labels) != s.N {
					t.Fatalf("split %d: %d values, %d labels for %d rows", i, len(s.X), len(s.Labels), s.N)
				}
				if (s.Original != nil) != (c.format == FormatIDX) {
					t.Errorf("split %d: Original is %v", i, s.Original)
				}
				for r := range s.N {
					fileRow := r + i*d.Train.N
					want := labels[fileRow]
					if c.format == FormatIDX {
						if s.Original[r] != want {
							t.Fatalf("split %d row %d: original label %d, want %d", i, r, s.Original[r], want)
						}
						if c.classes == 5 {
							want = Grouping[want]
						}
					}
					if s.Labels[r] != want {
						t.Fatalf("split %d row %d: label %d, want %d", i, r, s.Labels[r], want)
					}
					img := s.Image(r)
					for p, v := range pix[fileRow*Pixels : (fileRow+1)*Pixels] {
						if img[p] != float32(v)/255 {
							t.Fatalf("split %d row %d pixel %d: %v, want %v/255", i, r, p, img[p], v)
						}
					}
				}
			}
		})
	}
}

func TestLoadBad(t *testing.T) {
	// corrupt copies a fixture directory and changes one file.
	corrupt := func(src, name string, change func([]byte) []byte) string {
		dir := copyDir(t, src)
		path := filepath.Join(dir, name)
		writeFile(t, dir, name, change(readFile(t, path)))
		return dir
	}
	csvLabel := corrupt(fixtureCSVDir, "y_train.csv", func(b []byte) []byte { return replaceLine(b, 17, "7") })
	csvNegative := corrupt(fixtureCSVDir, "y_test.csv", func(b []byte) []byte { return replaceLine(b, 3, "-1") })
	csvShort := corrupt(fixtureCSVDir, "y_train.csv", func(b []byte) []byte { return b[:len(b)-2] })
	csvBadRow := corrupt(fixtureCSVDir, "x_test.csv", func(b []byte) []byte { return replaceLine(b, 17, row(785, "0")) })
	idxLabel := corrupt(fixtureIDXDir, "train-labels-idx1-ubyte.gz", func(b []byte) []byte {
		raw, err := gunzip(b)
		if err != nil {
			t.Fatal(err)
		}
		raw[8+41] = 10
		return gzipBytes(t, raw)
	})
	idxCount := corrupt(fixtureIDXDir, "t10k-labels-idx1-ubyte.gz", func([]byte) []byte {
		return gzipBytes(t, encodeIDX(idxLabelsMagic, []int{99}, make([]byte, 99)))
	})
	idxTruncated := corrupt(fixtureIDXDir, "train-images-idx3-ubyte.gz", func(b []byte) []byte { return b[:len(b)/2] })
	missing := copyDir(t, fixtureCSVDir)
	os.Remove(filepath.Join(missing, "y_test.csv"))

	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"CSV label outside 0-4", Options{Dir: csvLabel}, filepath.Join(csvLabel, "y_train.csv") + " line 17: label 7 outside 0-4 (CSV files hold the 5 grouped labels)"},
		{"CSV negative label", Options{Dir: csvNegative}, filepath.Join(csvNegative, "y_test.csv") + " line 3: label -1 outside 0-4"},
		{"CSV x and y lengths differ", Options{Dir: csvShort}, filepath.Join(csvShort, "y_train.csv") + ": 199 labels, but " + filepath.Join(csvShort, "x_train.csv") + " has 200 images"},
		{"CSV bad test row", Options{Dir: csvBadRow}, filepath.Join(csvBadRow, "x_test.csv") + " line 17: 785 columns, want 784"},
		{"CSV missing file", Options{Dir: missing}, "missing " + filepath.Join(missing, "y_test.csv")},
		{"CSV with 10 classes", Options{Dir: fixtureCSVDir, Classes: 10, Originals: "-"}, "10 classes need the original IDX files"},
		{"CSV with 10 classes, foreign IDX", Options{Dir: fixtureCSVDir, Classes: 10, Originals: fixtureIDXDir},
			"no IDX files holding the same images were found in " + fixtureIDXDir},
		{"CSV with 10 classes, corrupt IDX", Options{Dir: fixtureCSVDir, Classes: 10, Originals: idxTruncated},
			"10 classes need the original labels of the CSV files in "},
		{"CSV with 10 classes, corrupt IDX named", Options{Dir: fixtureCSVDir, Classes: 10, Originals: idxTruncated},
			filepath.Join(idxTruncated, "train-images-idx3-ubyte.gz") + ": corrupt gzip data"},
		{"IDX label outside 0-9", Options{Dir: idxLabel}, filepath.Join(idxLabel, "train-labels-idx1-ubyte.gz") + " decompressed byte 49: label 10 outside 0-9"},
		{"IDX x and y lengths differ", Options{Dir: idxCount}, filepath.Join(idxCount, "t10k-labels-idx1-ubyte.gz") + ": 99 labels, but " + filepath.Join(idxCount, "t10k-images-idx3-ubyte.gz") + " has 100 images"},
		{"IDX corrupt gzip", Options{Dir: idxTruncated}, filepath.Join(idxTruncated, "train-images-idx3-ubyte.gz") + ": corrupt gzip data after"},
		{"limit too large", Options{Dir: fixtureCSVDir, Limit: 201}, "limit 201 exceeds the 200 training rows of "},
		{"negative limit", Options{Dir: fixtureCSVDir, Limit: -1}, "negative limit"},
		{"no training rows", Options{Dir: fixtureCSVDir, Limit: 1}, "validation fraction 0.2 of 1 training rows of"},
		{"fraction 1", Options{Dir: fixtureCSVDir, ValidationFraction: 1}, "validation fraction 1: want a value below 1"},
		{"7 classes", Options{Dir: fixtureCSVDir, Classes: 7}, "7 classes: want 5 (grouped) or 10 (original)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Load(c.opts)
			if err == nil || d != nil {
				t.Fatalf("Load = %v, %v; want an error", d, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, c.want)
			}
		})
	}
}

// TestLoadTenClassesPrefersIDX checks that 10 classes read the IDX files of
// a directory holding both formats.
func TestLoadTenClassesPrefersIDX(t *testing.T) {
	dir := copyDir(t, fixtureCSVDir)
	for _, name := range idxNames {
		writeFile(t, dir, name+".gz", readFile(t, filepath.Join(fixtureIDXDir, name+".gz")))
	}
	d, err := Load(Options{Dir: dir, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != FormatIDX || d.Train.N+d.Validation.N != fixtureIDXTrain {
		t.Errorf("read %s with %d training rows", d.Format, d.Train.N+d.Validation.N)
	}
}

// TestRoundTrip writes the IDX fixture as CSV, both with WriteCSV* and
// Prepare, and checks that loading the CSV gives the same tensors.
func TestRoundTrip(t *testing.T) {
	want, err := Load(Options{Dir: fixtureIDXDir})
	if err != nil {
		t.Fatal(err)
	}
	manual := t.TempDir()
	train, test, err := readSource(fixtureIDXDir, FormatIDX)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range []rawSplit{train, test} {
		grouped := make([]int, s.n)
		for j, l := range s.labels {
			grouped[j] = Grouping[l]
		}
		if err := WriteCSVImages(filepath.Join(manual, csvNames[2*i]), s.pix, s.n); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSVLabels(filepath.Join(manual, csvNames[2*i+1]), grouped); err != nil {
			t.Fatal(err)
		}
	}
	prepared := filepath.Join(t.TempDir(), "new", "data")
	if _, err := Prepare(context.Background(), fixtureIDXDir, prepared); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{manual, prepared} {
		got, err := Load(Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if got.Format != FormatCSV {
			t.Errorf("%s: format %s", dir, got.Format)
		}
		for _, c := range []struct {
			name      string
			got, want Split
		}{
			{"train", got.Train, want.Train},
			{"validation", got.Validation, want.Validation},
			{"test", got.Test, want.Test},
		} {
			if c.got.N != c.want.N || !slices.Equal(c.got.X, c.want.X) || !slices.Equal(c.got.Labels, c.want.Labels) {
				t.Errorf("%s %s: CSV round trip differs from IDX", dir, c.name)
			}
			if c.got.Original != nil {
				t.Errorf("%s %s: CSV split has Original labels", dir, c.name)
			}
		}
	}
	// The prepared CSV files start with the committed CSV fixture.
	for _, name := range csvNames {
		got, fixture := readFile(t, filepath.Join(prepared, name)), readFile(t, filepath.Join(fixtureCSVDir, name))
		if !strings.HasPrefix(string(got), string(fixture)) {
			t.Errorf("prepared %s does not start with the fixture", name)
		}
	}
}

// TestOriginalsForCSV checks that CSV data made from IDX files gets their
// original classes, and that any difference keeps them away.
func TestOriginalsForCSV(t *testing.T) {
	idx := "../testdata/dataset/idx"
	csv := t.TempDir()
	if _, err := Prepare(context.Background(), idx, csv); err != nil {
		t.Fatal(err)
	}
	want, err := Load(Options{Dir: idx})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(Options{Dir: csv, Originals: idx})
	if err != nil {
		t.Fatal(err)
	}
	if got.Originals == "" || !slices.Equal(got.Train.Original, want.Train.Original) || !slices.Equal(got.Test.Original, want.Test.Original) ||
		!slices.Equal(got.Train.Labels, want.Train.Labels) {
		t.Errorf("originals not attached from %s: %q", idx, got.Originals)
	}
	ten, err := Load(Options{Dir: csv, Originals: idx, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	if ten.Format != FormatCSV || ten.Classes != 10 || !slices.Equal(ten.Train.Labels, want.Train.Original) || !slices.Equal(ten.Test.Labels, want.Test.Original) {
		t.Errorf("10 classes from CSV with originals: format %s, classes %d, labels not the original classes", ten.Format, ten.Classes)
	}
	none, err := Load(Options{Dir: csv, Originals: "-"})
	if err != nil || none.Train.Original != nil || none.Originals != "" {
		t.Errorf("Originals \"-\": attached %q, err %v", none.Originals, err)
	}
	// One changed pixel in the CSV: the IDX files are not its source. (The
	// edited directory is no longer prepare's, so its manifest goes.)
	os.Remove(filepath.Join(csv, ManifestFile))
	p := filepath.Join(csv, "x_test.csv")
	data, _ := os.ReadFile(p)
	i := bytes.IndexByte(data, '\n') + 1
	if data[i] == '0' {
		data[i] = '1'
	} else {
		data[i] = '0'
	}
	os.WriteFile(p, data, 0o644)
	other, err := Load(Options{Dir: csv, Originals: idx})
	if err != nil || other.Train.Original != nil || other.Originals != "" {
		t.Errorf("changed CSV: attached %q, err %v", other.Originals, err)
	}
}
