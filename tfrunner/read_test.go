package tfrunner

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestReadCSVBadInput feeds readMatrix and ReadPredictions corrupt files:
// each error names the file and the line.
func TestReadCSVBadInput(t *testing.T) {
	const header = "label,predicted,p0,p1\n"
	tests := []struct {
		name     string
		matrix   bool // readMatrix, else ReadPredictions
		content  string
		want     string // in the error; "" = no error
		wantRows int
	}{
		{"matrix ok", true, "e0,e1\n1,2\n3,4\n", "", 2},
		{"matrix CRLF", true, "e0,e1\r\n1,2\r\n3,4\r\n", "", 2},
		{"matrix cut inside a number", true, "e0,e1\n1,2\n3,4.12", "line 3: no newline at the end of the file", 0},
		{"matrix cut after a comma", true, "e0,e1\n1,2\n3,", "line 3", 0},
		{"matrix too large", true, "e0,e1\n1,2\n3,-1e200\n", "line 3, column 2: \"-1e200\" is out of range", 0},
		{"matrix largest allowed", true, "e0,e1\n1,2\n3,3.4028235e+38\n", "", 2},
		{"matrix just beyond float32", true, "e0,e1\n1,2\n3,3.5e38\n", "line 3, column 2: \"3.5e38\" is out of range", 0},
		{"matrix Inf", true, "e0,e1\n1,Inf\n", "line 2, column 2", 0},
		{"matrix header only", true, "e0,e1\n", "0 rows: no data rows", 0},
		{"matrix ragged", true, "e0,e1\n1,2\n3\n", "line 3: 1 fields, header has 2", 0},
		{"matrix empty line", true, "e0,e1\n1,2\n\n3,4\n", "line 3: empty line", 0},
		{"matrix empty", true, "", "empty file", 0},
		{"predictions ok", false, header + "0,1,0.5,0.5\n", "", 1},
		{"predictions cut inside a number", false, header + "0,1,0.5,0.5\n1,1,0.2,0.", "line 3: no newline at the end of the file", 0},
		{"predictions without predicted", false, "label,p0,p1\n0,0.5,0.5\n", "line 1: header", 0},
		{"predictions without probabilities", false, "label,original,predicted\n0,0,1\n", "line 1: header", 0},
		{"predictions original column misnamed", false, "label,orig,predicted,p0\n0,0,1,1\n", "line 1: header", 0},
		{"predictions wide row", false, header + "0,1,0.5,0.5,0.1\n", "line 2: 5 columns, want 4", 0},
		{"predictions class out of range", false, header + "2,1,0.5,0.5\n", "line 2, column 1: \"2\" is not a class 0..1", 0},
		{"predictions probability above 1", false, header + "0,1,0.5,1.5\n", "line 2, column 4: probability 1.5 outside 0..1", 0},
		{"predictions header only", false, header, "no data rows", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := PredictionsFile
			if tt.matrix {
				name = EncodingFile
			}
			d := Dir{FS: fstest.MapFS{name: {Data: []byte(tt.content)}}, Path: filepath.Join("runs", "A")}
			path := d.File(name)
			var rows int
			var err error
			if tt.matrix {
				var e *Encoding
				if e, err = d.readMatrix(EncodingFile, 0); err == nil {
					rows = e.Rows
					if len(e.Values) != e.Rows*e.Columns {
						t.Fatalf("%d values for %d×%d", len(e.Values), e.Rows, e.Columns)
					}
				}
			} else {
				var p *Predictions
				if p, err = d.ReadPredictions(2); err == nil {
					rows = len(p.Labels)
				}
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.want == "" && rows != tt.wantRows:
				t.Fatalf("%d rows, want %d", rows, tt.wantRows)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path)):
				t.Fatalf("err = %v, want one naming %s and containing %q", err, path, tt.want)
			}
		})
	}
}

// TestReadJSONStrict checks that run.json is decoded strictly and that a
// missing file names its path and wraps fs.ErrNotExist.
func TestReadJSONStrict(t *testing.T) {
	d := Dir{FS: fstest.MapFS{RunFile: {Data: []byte(`{"model":"A"} {"model":"B"}`)}}, Path: "runs/A"}
	if _, err := d.ReadRun(); err == nil || !strings.Contains(err.Error(), "runs/A/run.json: corrupt JSON: data after the value") {
		t.Errorf("two values: err = %v", err)
	}
	d = Dir{FS: fstest.MapFS{}, Path: "runs/A"}
	if _, err := d.ReadRun(); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "read runs/A/run.json") {
		t.Errorf("missing: err = %v", err)
	}
	if _, err := ReadArtifacts(d); !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "runs/A/run.json is missing") {
		t.Errorf("incomplete: err = %v", err)
	}
}

// TestReadMatrixSkipValues checks that a Dir with SkipValues checks every
// value of a matrix file as strictly but keeps none of them.
func TestReadMatrixSkipValues(t *testing.T) {
	for _, tt := range []struct {
		content string
		want    string // in the error; "" = no error
	}{
		{"e0,e1\n1,2\n3,4\n", ""},
		{"e0,e1\n1,2\n3,NaN\n", "line 3, column 2"},
		{"e0,e1\n1,2\n3\n", "line 3: 1 fields"},
	} {
		for _, skip := range []bool{false, true} {
			d := Dir{FS: fstest.MapFS{EncodingFile: {Data: []byte(tt.content)}}, Path: "runs/A", SkipValues: skip}
			e, err := d.readMatrix(EncodingFile, 2)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%q, skip %v: error %v, want one containing %q", tt.content, skip, err, tt.want)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%q, skip %v: %v", tt.content, skip, err)
			}
			if e.Rows != 2 || e.Columns != 2 {
				t.Errorf("skip %v: %d×%d, want 2×2", skip, e.Rows, e.Columns)
			}
			if want := map[bool]int{false: 4, true: 0}[skip]; len(e.Values) != want {
				t.Errorf("skip %v: %d values kept, want %d", skip, len(e.Values), want)
			}
		}
	}
}

// BenchmarkReadEncoding reads an encoding_test.csv of the study's size
// (10,000 rows of 32 values as the engines write them).
func BenchmarkReadEncoding(b *testing.B) {
	var sb strings.Builder
	for j := range 32 {
		if j > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "e%d", j)
	}
	sb.WriteByte('\n')
	for i := range 10000 {
		for j := range 32 {
			if j > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.FormatFloat(float64(float32(float64((i*31+j*7)%1000)/97.3)), 'g', -1, 32))
		}
		sb.WriteByte('\n')
	}
	d := Dir{FS: fstest.MapFS{EncodingFile: {Data: []byte(sb.String())}}, Path: "run"}
	b.SetBytes(int64(sb.Len()))
	for b.Loop() {
		if _, err := d.readMatrix(EncodingFile, 10000); err != nil {
			b.Fatal(err)
		}
	}
}
