package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fmnist/tfrunner"
)

// TestAnalyseBadInput checks that an analysis failing in the analysis
// itself, rather than on reading, names the encoding file.
func TestAnalyseBadInput(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "A")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(fixtureRuns, "A"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(fixtureRuns, "A", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == tfrunner.EncodingFile {
			// Every row the same: DBSCAN cannot suggest a radius.
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			for i := 2; i < len(lines); i++ {
				lines[i] = lines[1]
			}
			data = []byte(strings.Join(lines, "\n") + "\n")
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run, err := tfrunner.ReadArtifacts(tfrunner.OpenDir(dst))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Analyse(run, Options{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dst, tfrunner.EncodingFile)) {
		t.Fatalf("err = %v, want one naming %s", err, tfrunner.EncodingFile)
	}
}
