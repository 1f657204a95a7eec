package analysis

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
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

// Predictions is what the analysis needs from predictions_test.csv.
type Predictions struct {
	Labels    []int // true label (grouped)
	Original  []int // original 10-class label; nil when unknown
	Predicted []int
}

// ReadPredictions reads predictions_test.csv
// (label[,original],predicted,p0..pK-1). As in ReadMatrixCSV the last line
// must end with a newline.
func ReadPredictions(path string) (*Predictions, error) {
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
	header := bytes.Split(lines[0], []byte{','})
	hasOrig := len(header) > 1 && string(header[1]) == "original"
	first := 2 // the first probability column
	if hasOrig {
		first = 3
	}
	if len(header) <= first || string(header[0]) != "label" || string(header[first-1]) != "predicted" ||
		string(header[first]) != "p0" {
		return nil, fmt.Errorf("%s line 1: header %q does not start with label[,original],predicted,p0", path, lines[0])
	}
	p := &Predictions{}
	for i, line := range lines[1:] {
		fields := bytes.Split(line, []byte{','})
		if len(fields) != len(header) {
			return nil, fmt.Errorf("%s line %d: %d columns, want %d", path, i+2, len(fields), len(header))
		}
		var v [3]int
		n := 2
		if hasOrig {
			n = 3
		}
		for j := 0; j < n; j++ {
			x, err := strconv.Atoi(string(fields[j]))
			if err != nil || x < 0 || x > 9 {
				return nil, fmt.Errorf("%s line %d, column %d: %q is not a class 0-9", path, i+2, j+1, fields[j])
			}
			v[j] = x
		}
		p.Labels = append(p.Labels, v[0])
		if hasOrig {
			p.Original = append(p.Original, v[1])
			p.Predicted = append(p.Predicted, v[2])
		} else {
			p.Predicted = append(p.Predicted, v[1])
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
