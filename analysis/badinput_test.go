package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fmnist/tfrunner"
)

// TestReadBadInput feeds ReadMatrixCSV and ReadPredictions corrupt files.
func TestReadBadInput(t *testing.T) {
	const header = "label,predicted,p0,p1\n"
	tests := []struct {
		name     string
		matrix   bool // ReadMatrixCSV, else ReadPredictions
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
		{"matrix header only", true, "e0,e1\n", "no data rows", 0},
		{"predictions ok", false, header + "0,1,0.5,0.5\n", "", 1},
		{"predictions cut inside a number", false, header + "0,1,0.5,0.5\n1,1,0.2,0.", "line 3: no newline at the end of the file", 0},
		{"predictions without predicted", false, "label,p0,p1\n0,0.5,0.5\n", "line 1: header", 0},
		{"predictions without probabilities", false, "label,original,predicted\n0,0,1\n", "line 1: header", 0},
		{"predictions original column misnamed", false, "label,orig,predicted,p0\n0,0,1,1\n", "line 1: header", 0},
		{"predictions wide row", false, header + "0,1,0.5,0.5,0.1\n", "line 2: 5 columns, want 4", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.csv")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			var rows int
			var err error
			if tt.matrix {
				_, rows, _, err = ReadMatrixCSV(path)
			} else {
				var p *Predictions
				if p, err = ReadPredictions(path, 2); err == nil {
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

// TestRunBadInputLeavesNoOutput checks that Run, failing in the analysis
// itself rather than on reading, does not create its output directory.
func TestRunBadInputLeavesNoOutput(t *testing.T) {
	runs := t.TempDir()
	dst := filepath.Join(runs, "A")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{tfrunner.RunFile, tfrunner.EncodingFile, tfrunner.PredictionsFile} {
		data, err := os.ReadFile(filepath.Join(fixtureRuns, "A", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == tfrunner.EncodingFile {
			// Every row the same: DBSCAN cannot suggest a radius.
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			for i := 2; i < len(lines); i++ {
				lines[i] = lines[1]
			}
			data = []byte(strings.Join(lines, "\n") + "\n")
		}
		if err := os.WriteFile(filepath.Join(dst, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	_, err := Run(Options{RunsDir: runs, OutDir: out})
	if err == nil || !strings.Contains(err.Error(), tfrunner.EncodingFile) {
		t.Fatalf("err = %v, want one naming %s", err, tfrunner.EncodingFile)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output directory %s created", out)
	}
}
