package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badDataset copies the CSV fixture into a temporary directory and applies
// edit to it.
func badDataset(t *testing.T, edit func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"x_train.csv", "y_train.csv", "x_test.csv", "y_test.csv"} {
		data, err := os.ReadFile(filepath.Join("../../testdata/dataset/csv", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	edit(dir)
	return dir
}

// badIDX copies the IDX fixture (gunzipped) and applies edit to it.
func badIDX(t *testing.T, edit func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		raw, err := os.ReadFile(filepath.Join("../../testdata/dataset/idx", f+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		out.ReadFrom(zr)
		os.WriteFile(filepath.Join(dir, f), out.Bytes(), 0o644)
	}
	edit(dir)
	return dir
}

func editLine(file string, line int, f func(string) string) func(string) {
	return func(dir string) {
		p := filepath.Join(dir, file)
		data, _ := os.ReadFile(p)
		lines := strings.Split(string(data), "\n")
		lines[line-1] = f(lines[line-1])
		os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)
	}
}

func setField(i int, v string) func(string) string {
	return func(s string) string {
		f := strings.Split(s, ",")
		f[i] = v
		return strings.Join(f, ",")
	}
}

// TestBadInput gives cmd/train every kind of malformed dataset: each must
// end in an error naming the file and the line (or byte offset), exit 1,
// print no panic and leave no file behind.
func TestBadInput(t *testing.T) {
	truncate := func(file string, keep int) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, file)
			data, _ := os.ReadFile(p)
			os.WriteFile(p, data[:keep], 0o644)
		}
	}
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		want []string
	}{
		{"missing file", func(t *testing.T) string {
			return badDataset(t, func(d string) { os.Remove(filepath.Join(d, "y_test.csv")) })
		}, []string{"y_test.csv"}},
		{"empty file", func(t *testing.T) string {
			return badDataset(t, func(d string) { os.WriteFile(filepath.Join(d, "x_test.csv"), nil, 0o644) })
		}, []string{"x_test.csv", "empty"}},
		{"missing header", func(t *testing.T) string {
			return badDataset(t, editLine("x_train.csv", 1, func(string) string { return strings.TrimSuffix(strings.Repeat("0,", 784), ",") }))
		}, []string{"x_train.csv", "line 1", "header"}},
		{"783 columns", func(t *testing.T) string {
			return badDataset(t, editLine("x_train.csv", 17, func(s string) string { return s[:strings.LastIndex(s, ",")] }))
		}, []string{"x_train.csv", "line 17", "783"}},
		{"785 columns", func(t *testing.T) string {
			return badDataset(t, editLine("x_test.csv", 5, func(s string) string { return s + ",0" }))
		}, []string{"x_test.csv", "line 5", "785"}},
		{"not an integer", func(t *testing.T) string {
			return badDataset(t, editLine("x_train.csv", 30, setField(100, "1.5")))
		}, []string{"x_train.csv", "line 30"}},
		{"pixel out of range", func(t *testing.T) string {
			return badDataset(t, editLine("x_train.csv", 31, setField(5, "256")))
		}, []string{"x_train.csv", "line 31", "256"}},
		{"label out of range", func(t *testing.T) string {
			return badDataset(t, editLine("y_train.csv", 12, func(string) string { return "5" }))
		}, []string{"y_train.csv", "line 12", "5"}},
		{"lengths differ", func(t *testing.T) string {
			return badDataset(t, func(d string) {
				p := filepath.Join(d, "y_test.csv")
				data, _ := os.ReadFile(p)
				os.WriteFile(p, data[:len(data)-2], 0o644)
			})
		}, []string{"y_test.csv", "x_test.csv"}},
		{"truncated IDX", func(t *testing.T) string {
			return badIDX(t, truncate("train-images-idx3-ubyte", 5000))
		}, []string{"train-images-idx3-ubyte", "byte"}},
		{"wrong magic IDX", func(t *testing.T) string {
			return badIDX(t, func(d string) {
				p := filepath.Join(d, "t10k-labels-idx1-ubyte")
				data, _ := os.ReadFile(p)
				data[3] = 7
				os.WriteFile(p, data, 0o644)
			})
		}, []string{"t10k-labels-idx1-ubyte", "magic"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "runs")
			code, _, errs := runTrain(t, "-data", tt.dir(t), "-out", out, "-models", "A", "-epochs", "1", "-quiet")
			if code != 1 || strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine") {
				t.Errorf("exit %d, stderr %q; want exit 1 and no panic", code, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q lacks %q", errs, w)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed run created %s", out)
			}
		})
	}
}
