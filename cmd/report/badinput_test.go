package main

import (
	"fmnist/report"

	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot maps each file of dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(data)
	}
	return out
}

// editFile rewrites runs/<rel> with edit applied to its content.
func editFile(rel string, edit func(string) string) func(t *testing.T, runs string) {
	return func(t *testing.T, runs string) {
		p := filepath.Join(runs, rel)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(edit(string(data))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// editLine replaces line n (1-based) of runs/<rel> with f(old line).
func editLine(rel string, n int, f func(string) string) func(t *testing.T, runs string) {
	return editFile(rel, func(s string) string {
		lines := strings.Split(s, "\n")
		lines[n-1] = f(lines[n-1])
		return strings.Join(lines, "\n")
	})
}

// setField replaces field i (0-based) of a CSV line.
func setField(i int, v string) func(string) string {
	return func(line string) string {
		f := strings.Split(line, ",")
		f[i] = v
		return strings.Join(f, ",")
	}
}

// dropLastLines removes the last n lines of a file ending with a newline.
func dropLastLines(n int) func(string) string {
	return func(s string) string {
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		return strings.Join(lines[:len(lines)-n], "\n") + "\n"
	}
}

// TestReportBadInput runs the command on corrupt copies of the fixture's
// runs: each must fail with exit 1 and an error naming the file (and line),
// without a panic, without creating a fresh output directory and without
// touching an earlier report, analysis.json included.
func TestReportBadInput(t *testing.T) {
	enc := "A/encoding_test.csv"
	pred := "A/predictions_test.csv"
	tests := []struct {
		name string
		edit func(t *testing.T, runs string)
		want []string // all in stderr
	}{
		// Caught already (now before the analysis); kept to pin the messages.
		{"encoding ragged row", editLine(enc, 5, func(l string) string { return l[:strings.LastIndex(l, ",")] }),
			[]string{"encoding_test.csv line 5", "31 fields"}},
		{"encoding NaN", editLine(enc, 6, setField(3, "NaN")), []string{"encoding_test.csv line 6, column 4", "not a finite number"}},
		{"encoding header only", editFile(enc, func(s string) string { return s[:strings.Index(s, "\n")+1] }),
			[]string{"encoding_test.csv: 0 rows"}},
		// A file cut short inside the last number still parsed.
		{"encoding truncated in a number", editFile(enc, func(s string) string { return s[:len(s)-3] }),
			[]string{"encoding_test.csv line 201", "truncated"}},
		{"another model's predictions truncated in a number", editFile("default/predictions_test.csv", func(s string) string { return s[:len(s)-3] }),
			[]string{"default/predictions_test.csv line", "no newline at the end"}},
		{"predictions truncated in a number", editFile(pred, func(s string) string { return s[:len(s)-3] }),
			[]string{"predictions_test.csv line 201", "truncated"}},
		// A finite value too large for the distances gave "tsne:
		// affinities sum to NaN" without a line.
		{"encoding value out of range", editLine(enc, 9, setField(0, "1e308")),
			[]string{"encoding_test.csv line 9, column 1", "out of range"}},
		// The analysis passed these and wrote analysis.json and its CSV
		// files into the output directory before the report failed.
		{"encoding column missing everywhere", editFile(enc, dropLastColumn), []string{"encoding_test.csv", "columns, but the encoding layer"}},
		{"both CSV files short of the test set", func(t *testing.T, runs string) {
			editFile(enc, dropLastLines(1))(t, runs)
			editFile(pred, dropLastLines(1))(t, runs)
		}, []string{"encoding_test.csv: 199 rows", "run.json says 200"}},
		{"label out of range", editLine(pred, 4, setField(0, "7")), []string{"predictions_test.csv line 4", "not a class 0..4"}},
		{"probability NaN", editLine(pred, 3, setField(4, "NaN")), []string{"predictions_test.csv line 3", "not a finite number"}},
		{"probability out of range", editLine(pred, 3, setField(4, "2")), []string{"predictions_test.csv line 3", "outside 0..1"}},
		{"probability columns missing", editFile(pred, dropLastColumn), []string{"predictions_test.csv line 1", "header"}},
		{"history truncated", editFile("A/history.json", func(s string) string { return s[:40] }), []string{"history.json", "corrupt JSON"}},
		{"history without epochs", editFile("A/history.json", func(string) string { return `{"model":"A","epochs":[]}` + "\n" }),
			[]string{"history.json: no epochs"}},
		{"history negative seconds", editFile("A/history.json", func(s string) string {
			return strings.Replace(s, `"seconds": `, `"seconds": -`, 1)
		}), []string{"history.json: epoch 1 has values out of range"}},
		{"history missing", func(t *testing.T, runs string) { os.Remove(filepath.Join(runs, "A/history.json")) }, []string{"history.json"}},
		{"model.json truncated", editFile("A/model.json", func(s string) string { return s[:50] }), []string{"model.json", "corrupt JSON"}},
		{"run.json null", editFile("A/run.json", func(string) string { return "null\n" }), []string{"run.json: no model name"}},
		{"run.json test count", editFile("A/run.json", func(s string) string {
			return strings.Replace(s, `"test_examples": 200`, `"test_examples": 300`, 1)
		}), []string{"run.json", "test set has 300"}},
		{"run.json names another model", editFile("A/run.json", func(s string) string {
			return strings.Replace(s, `"model": "A"`, `"model": "B"`, 1)
		}), []string{"A/run.json names model \"B\""}},
		{"other model's run corrupt", editFile("default/history.json", func(s string) string { return s[:30] }),
			[]string{"model default", "default/history.json"}},
		// Found by the analysis, once the output directory is locked (it was
		// then created empty before the report was written).
		{"encoding constant", editFile(enc, func(s string) string {
			lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			zero := strings.TrimSuffix(strings.Repeat("0,", strings.Count(lines[0], ",")+1), ",")
			for i := 1; i < len(lines); i++ {
				lines[i] = zero
			}
			return strings.Join(lines, "\n") + "\n"
		}), []string{"encoding_test.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			runs := filepath.Join(tmp, "runs")
			copyTree(t, fixture+"/runs", runs)
			tt.edit(t, runs)

			// An earlier report must be left as it was.
			prev := filepath.Join(tmp, "prev")
			copyTree(t, fixture+"/analysis", prev)
			if err := os.WriteFile(filepath.Join(prev, "index.html"), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, prev)
			fresh := filepath.Join(tmp, "fresh")
			for _, out := range []string{fresh, prev} {
				code, _, stderr := runReport("-runs", runs, "-out", out, "-data", fixture+"/dataset", "-quiet")
				if code != 1 || strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
					t.Errorf("-out %s: exit %d, stderr %q; want exit 1 and no panic", out, code, stderr)
				}
				for _, w := range tt.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("-out %s: stderr %q lacks %q", out, stderr, w)
					}
				}
			}
			if _, err := os.Stat(fresh); !os.IsNotExist(err) {
				entries, _ := os.ReadDir(fresh)
				t.Errorf("fresh output directory created, holding %d files", len(entries))
			}
			sameFiles(t, "earlier report: ", before, snapshot(t, prev))
		})
	}
}

// TestReportInstallsAnalysis checks that the staged analysis files reach the
// output directory, replacing those of an earlier report.
func TestReportInstallsAnalysis(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	copyTree(t, fixture+"/analysis", out)
	for _, name := range []string{"analysis.json", "pca.csv", "tsne.csv", "kmeans.csv", "dbscan.csv"} {
		if err := os.WriteFile(filepath.Join(out, name), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runReport("-runs", fixture+"/runs", "-out", out, "-data", fixture+"/dataset", "-quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"analysis.json", "pca.csv", "tsne.csv", "kmeans.csv", "dbscan.csv", "index.html"} {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || len(data) == 0 || bytes.Equal(data, []byte("stale")) {
			t.Errorf("%s: %d bytes, err %v", name, len(data), err)
		}
	}
	// Nothing hidden is left but the list of the report's files, and no
	// staging beside the output directory.
	for _, d := range []string{out, filepath.Dir(out)} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.Contains(e.Name(), "staging") || d == out && strings.HasPrefix(e.Name(), ".") && e.Name() != report.ContentsFile {
				t.Errorf("leftover %s in %s", e.Name(), d)
			}
		}
	}
}

// setLine replaces line n (1-based) of a file's content with v.
func setLine(n int, v string) func(string) string {
	return func(s string) string {
		lines := strings.Split(s, "\n")
		lines[n-1] = v
		return strings.Join(lines, "\n")
	}
}

// TestReportSkipAnalysisBadInput renders from a corrupt earlier analysis
// (-skip-analysis): the error names the file and line and the report is
// left as it was.
func TestReportSkipAnalysisBadInput(t *testing.T) {
	tests := []struct {
		name string
		file string
		edit func(string) string
		want string
	}{
		// Both were accepted: the truncated number was read as it was and
		// the k-means chart drew a cluster k-means never made.
		{"tsne.csv cut inside a number", "tsne.csv", func(s string) string { return s[:len(s)-3] }, "tsne.csv line 201: no newline"},
		{"pca.csv cut inside a number", "pca.csv", func(s string) string { return s[:len(s)-2] }, "pca.csv line 201: no newline"},
		{"k-means cluster beyond k", "kmeans.csv", setLine(2, "7"),
			"kmeans.csv line 2: cluster 7 is not an integer from 0 to 4"},
		{"DBSCAN cluster beyond the count", "dbscan.csv", setLine(2, "99"),
			"dbscan.csv line 2: cluster 99 is not an integer from -1 to 9"},
		// Findings printed shares above 100% from such counts.
		{"class counts not summing to the members", "analysis.json", func(s string) string {
			var a map[string]any
			if err := json.Unmarshal([]byte(s), &a); err != nil {
				panic(err)
			}
			counts := a["subclasses"].([]any)[0].(map[string]any)["classes"].([]any)[0].([]any)
			counts[0] = counts[0].(float64) + 100
			out, err := json.Marshal(a)
			if err != nil {
				panic(err)
			}
			return string(out)
		}, "analysis.json: sub-classes of label 0: sub-class 0 has class counts"},
		{"more pairs kept apart than there are", "analysis.json", func(s string) string {
			var a map[string]any
			if err := json.Unmarshal([]byte(s), &a); err != nil {
				panic(err)
			}
			sub := a["subclasses"].([]any)[0].(map[string]any)
			k := int(sub["k"].(float64))
			sub["kept_apart"] = k*(k-1)/2 + 1
			out, err := json.Marshal(a)
			if err != nil {
				panic(err)
			}
			return string(out)
		}, "analysis.json: sub-classes of label 0: kept_apart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report")
			copyTree(t, fixture+"/analysis", out)
			p := filepath.Join(out, tt.file)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(tt.edit(string(data))), 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, out)
			code, _, stderr := runReport("-skip-analysis", "-runs", fixture+"/runs", "-out", out, "-data", fixture+"/dataset", "-quiet")
			if code != 1 || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "panic") {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tt.want)
			}
			sameFiles(t, "", before, snapshot(t, out))
		})
	}
}

// dropLastColumn removes the last comma-separated field of every line.
func dropLastColumn(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if j := strings.LastIndex(l, ","); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}

// sameFiles reports every difference between two snapshots of a directory.
func sameFiles(t *testing.T, prefix string, before, after map[string]string) {
	t.Helper()
	if len(after) != len(before) {
		t.Errorf("%s%d files before, %d after", prefix, len(before), len(after))
	}
	for name, data := range before {
		if after[name] != data {
			t.Errorf("%s%s changed", prefix, name)
		}
	}
}
