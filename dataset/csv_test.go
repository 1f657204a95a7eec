package dataset

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// replaceLine returns data with its 1-based line n replaced by line.
func replaceLine(data []byte, n int, line string) []byte {
	lines := bytes.Split(data, []byte{'\n'})
	lines[n-1] = []byte(line)
	return bytes.Join(lines, []byte{'\n'})
}

// row returns an image row of cols values v, joined by commas.
func row(cols int, v string) string {
	return strings.TrimSuffix(strings.Repeat(v+",", cols), ",")
}

// rowWith returns a valid image row with column col (1-based) set to v.
func rowWith(col int, v string) string {
	f := strings.Split(row(Pixels, "7"), ",")
	f[col-1] = v
	return strings.Join(f, ",")
}

func TestReadCSVImagesBad(t *testing.T) {
	good := imagesCSV(5) // header + 5 rows, trailing newline
	cases := []struct {
		name string
		data []byte
		want string // what the error must say after the path
	}{
		{"empty file", []byte{}, ": empty file"},
		{"only newlines", []byte("\n\r\n\n"), ": empty file"},
		{"header only", append(slices.Clone(imagesHeader), '\n'), ": no data rows after the header line"},
		{"missing header", good[len(imagesHeader)+1:], " line 1: missing header: the first line holds data"},
		{"header of decimals", []byte(row(Pixels, "0.0") + "\n" + row(Pixels, "1") + "\n"), " line 1: missing header"},
		{"index column header", []byte("," + string(imagesHeader) + "\n" + row(Pixels, "1") + "\n"), " line 1: header has 785 columns, want 784 (an index column? write the file with to_csv(index=False))"},
		{"short header", []byte("0,1,2\n" + row(Pixels, "1") + "\n"), " line 1: header has 3 columns, want 784"},
		{"empty first line", append([]byte("\n"), good...), " line 1: empty line, want the header row 0,1,...,783"},
		{"783 columns", replaceLine(good, 3, row(783, "1")), " line 3: 783 columns, want 784"},
		{"785 columns", replaceLine(good, 6, row(785, "1")), " line 6: 785 columns, want 784"},
		{"one column", replaceLine(good, 2, "5"), " line 2: 1 columns, want 784"},
		{"trailing comma", replaceLine(good, 2, row(Pixels, "1")+","), " line 2: 785 columns, want 784"},
		{"non-integer", replaceLine(good, 4, rowWith(5, "abc")), ` line 4: column 5: "abc" is not an integer 0-255`},
		{"decimal", replaceLine(good, 4, rowWith(784, "12.0")), ` line 4: column 784: "12.0" is not an integer 0-255`},
		{"space", replaceLine(good, 4, rowWith(2, " 12")), ` line 4: column 2: " 12" is not an integer 0-255`},
		{"quoted", replaceLine(good, 4, rowWith(1, `"12"`)), ` line 4: column 1: "\"12\"" is not an integer 0-255`},
		{"sign", replaceLine(good, 4, rowWith(1, "+12")), ` line 4: column 1: "+12" is not an integer 0-255`},
		{"value 256", replaceLine(good, 5, rowWith(100, "256")), " line 5: column 100: value 256 outside 0-255"},
		{"value 1000", replaceLine(good, 5, rowWith(1, "1000")), " line 5: column 1: value 1000 outside 0-255"},
		{"negative", replaceLine(good, 5, rowWith(3, "-1")), " line 5: column 3: value -1 outside 0-255"},
		{"huge", replaceLine(good, 5, rowWith(3, "99999999999999999999999")), " line 5: column 3: value 99999999999999999999999 outside 0-255"},
		{"empty value", replaceLine(good, 2, rowWith(9, "")), " line 2: column 9: empty value, want an integer 0-255"},
		{"empty line inside", replaceLine(good, 3, ""), " line 3: empty line"},
		{"stray carriage return", replaceLine(good, 3, rowWith(10, "1\r2")), ` line 3: column 10: "1\r2" is not an integer 0-255`},
		{"first of two bad lines", replaceLine(replaceLine(good, 6, "x"), 4, row(10, "1")), " line 4: 10 columns, want 784"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "x_train.csv", c.data)
			pix, n, err := ReadCSVImages(path)
			if err == nil {
				t.Fatalf("no error; read %d images", n)
			}
			if pix != nil || n != 0 {
				t.Errorf("returned %d pixels, n = %d with the error", len(pix), n)
			}
			if want := path + c.want; !strings.Contains(err.Error(), want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Path != path {
				t.Errorf("error %#v is not a *FormatError for %s", err, path)
			}
		})
	}
}

func TestReadCSVMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x_train.csv")
	if _, _, err := ReadCSVImages(path); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadCSVImages: %v, want a not-exist error naming %s", err, path)
	}
	if _, err := ReadCSVLabels(path); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadCSVLabels: %v, want a not-exist error naming %s", err, path)
	}
}

func TestReadCSVImagesTolerates(t *testing.T) {
	good := imagesCSV(3)
	want, _, err := parseCSVImages("good", good, 1)
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Split(row(Pixels, "p"), ",")
	for i := range names {
		names[i] = "pixel" + string(rune('a'+i%26))
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"pandas file", good},
		{"no final newline", bytes.TrimSuffix(good, []byte{'\n'})},
		{"several final newlines", append(slices.Clone(good), "\n\n\r\n"...)},
		{"CRLF", bytes.ReplaceAll(good, []byte{'\n'}, []byte("\r\n"))},
		{"byte order mark", append([]byte{0xEF, 0xBB, 0xBF}, good...)},
		{"named header", replaceLine(good, 1, strings.Join(names, ","))},
		{"leading zeros", append(slices.Clone(good[:len(imagesHeader)]), bytes.ReplaceAll(good[len(imagesHeader):], []byte(",7,"), []byte(",0007,"))...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "x.csv", c.data)
			pix, n, err := ReadCSVImages(path)
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 || !bytes.Equal(pix, want) {
				t.Errorf("read %d images, want the 3 of the pandas file", n)
			}
		})
	}
}

// TestReadCSVImagesParallel checks that any number of chunks gives the same
// images and reports the same first bad line.
func TestReadCSVImagesParallel(t *testing.T) {
	good := imagesCSV(200)
	bad := replaceLine(replaceLine(replaceLine(good, 190, "1,2"), 151, rowWith(7, "300")), 120, rowWith(784, "x"))
	want, _, err := parseCSVImages("x.csv", good, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range []int{1, 2, 3, 7, 64, 500} {
		pix, n, err := parseCSVImages("x.csv", good, parts)
		if err != nil || n != 200 || !bytes.Equal(pix, want) {
			t.Errorf("%d parts: n = %d, err = %v, equal = %t", parts, n, err, bytes.Equal(pix, want))
		}
		_, _, err = parseCSVImages("x.csv", bad, parts)
		if w := `x.csv line 120: column 784: "x" is not an integer 0-255`; err == nil || err.Error() != w {
			t.Errorf("%d parts: error %v, want %s", parts, err, w)
		}
	}
}

func TestReadCSVLabelsBad(t *testing.T) {
	cases := []struct {
		name string
		data string
		want string
	}{
		{"empty file", "", ": empty file"},
		{"header only", "0\n", ": no data rows after the header line"},
		{"missing header", "3\n1\n", " line 1: missing header: the first line holds data, want the header row 0"},
		{"two-column header", ",0\n0,1\n", " line 1: header has 2 columns, want 1 (an index column?"},
		{"two columns", "0\n1\n2\n0,3\n", " line 4: 2 columns, want 1"},
		{"non-integer", "0\n1\nx\n", ` line 3: "x" is not an integer label`},
		{"decimal", "0\n1.0\n", ` line 2: "1.0" is not an integer label`},
		{"empty line", "0\n1\n\n2\n", " line 3: empty line"},
		{"too large", "0\n12345678901\n", " line 2: label 12345678901 is out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "y_train.csv", []byte(c.data))
			labels, err := ReadCSVLabels(path)
			if err == nil {
				t.Fatalf("no error; read %v", labels)
			}
			if want := path + c.want; !strings.Contains(err.Error(), want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, want)
			}
		})
	}
}

func TestReadCSVLabels(t *testing.T) {
	for _, data := range []string{"0\n4\n0\n3\n", "label\r\n4\r\n0\r\n3", "0\n4\n0\n3\n\n"} {
		path := writeFile(t, t.TempDir(), "y.csv", []byte(data))
		labels, err := ReadCSVLabels(path)
		if err != nil || !slices.Equal(labels, []int{4, 0, 3}) {
			t.Errorf("%q: %v, %v; want [4 0 3]", data, labels, err)
		}
	}
}
