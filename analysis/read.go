package analysis

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// ReadMatrixCSV reads a CSV file of floats with a header row (such as
// encoding_test.csv) into a row-major slice. Every line, the last included,
// must end with a newline, so that a file cut short inside a number is an
// error. Errors name the file and the 1-based line.
func ReadMatrixCSV(path string) (data []float64, rows, cols int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, err
	}
	lines := splitLines(raw)
	if len(lines) < 2 {
		return nil, 0, 0, fmt.Errorf("%s: no data rows after the header", path)
	}
	if err := checkTruncated(path, raw, len(lines)); err != nil {
		return nil, 0, 0, err
	}
	cols = bytes.Count(lines[0], []byte{','}) + 1
	data = make([]float64, 0, (len(lines)-1)*cols)
	for i, line := range lines[1:] {
		fields := bytes.Split(line, []byte{','})
		if len(fields) != cols {
			return nil, 0, 0, fmt.Errorf("%s line %d: %d columns, want %d", path, i+2, len(fields), cols)
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(string(f), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, 0, fmt.Errorf("%s line %d, column %d: %q is not a finite number", path, i+2, j+1, f)
			}
			// Encodings are written from float32 tensors: a value that
			// rounds to infinity as a float32 is not one, and could
			// overflow the squared distances of the clustering and t-SNE.
			if math.IsInf(float64(float32(v)), 0) {
				return nil, 0, 0, fmt.Errorf("%s line %d, column %d: %q is out of range (beyond float32)", path, i+2, j+1, f)
			}
			data = append(data, v)
		}
	}
	return data, len(lines) - 1, cols, nil
}

// Predictions is the content of predictions_test.csv.
type Predictions struct {
	Labels    []int       // true labels of the test images
	Original  []int       // original 10-class labels; nil when unknown
	Predicted []int       // predicted labels
	Probs     [][]float64 // one row of class probabilities per test image
}

// ReadPredictions reads predictions_test.csv of a run with the given number
// of classes: a header label[,original],predicted,p0..p<classes-1>, then
// one row per test image. As in ReadMatrixCSV the last line must end with
// a newline. Errors name the file and the 1-based line.
func ReadPredictions(path string, classes int) (*Predictions, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := splitLines(raw)
	if len(lines) < 2 {
		return nil, fmt.Errorf("%s: no data rows after the header", path)
	}
	if err := checkTruncated(path, raw, len(lines)); err != nil {
		return nil, err
	}
	want := []string{"label", "predicted"}
	hasOrig := bytes.HasPrefix(lines[0], []byte("label,original,"))
	if hasOrig {
		want = []string{"label", "original", "predicted"}
	}
	first := len(want) // the first probability column
	for k := range classes {
		want = append(want, "p"+strconv.Itoa(k))
	}
	if string(lines[0]) != strings.Join(want, ",") {
		return nil, fmt.Errorf("%s line 1: header %q, want %q", path, lines[0], strings.Join(want, ","))
	}
	n := len(lines) - 1
	p := &Predictions{Labels: make([]int, n), Predicted: make([]int, n), Probs: make([][]float64, n)}
	if hasOrig {
		p.Original = make([]int, n)
	}
	for i, line := range lines[1:] {
		fields := bytes.Split(line, []byte{','})
		if len(fields) != len(want) {
			return nil, fmt.Errorf("%s line %d: %d columns, want %d", path, i+2, len(fields), len(want))
		}
		class := func(j, n int) (int, error) {
			v, err := strconv.Atoi(string(fields[j]))
			if err != nil || v < 0 || v >= n {
				return 0, fmt.Errorf("%s line %d, column %d: %q is not a class 0..%d", path, i+2, j+1, fields[j], n-1)
			}
			return v, nil
		}
		if p.Labels[i], err = class(0, classes); err != nil {
			return nil, err
		}
		if p.Predicted[i], err = class(first-1, classes); err != nil {
			return nil, err
		}
		if hasOrig {
			if p.Original[i], err = class(1, 10); err != nil {
				return nil, err
			}
		}
		p.Probs[i] = make([]float64, classes)
		for k, f := range fields[first:] {
			v, err := strconv.ParseFloat(string(f), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s line %d, column %d: %q is not a finite number", path, i+2, first+k+1, f)
			}
			if v < 0 || v > 1.0001 {
				return nil, fmt.Errorf("%s line %d, column %d: probability %v outside 0..1", path, i+2, first+k+1, v)
			}
			p.Probs[i][k] = v
		}
	}
	return p, nil
}

// checkTruncated reports a file whose last line (line n) has no newline:
// the writers end every line with one, so the file was cut short.
func checkTruncated(path string, raw []byte, n int) error {
	if len(raw) > 0 && raw[len(raw)-1] != '\n' {
		return fmt.Errorf("%s line %d: no newline at the end of the file (truncated?)", path, n)
	}
	return nil
}

// splitLines splits on "\n", dropping "\r" and a final empty line.
func splitLines(raw []byte) [][]byte {
	lines := bytes.Split(bytes.TrimRight(raw, "\r\n"), []byte{'\n'})
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte{'\r'})
	}
	if len(lines) == 1 && len(lines[0]) == 0 {
		return nil
	}
	return lines
}
