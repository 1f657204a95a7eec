package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fmnist/analysis"
	"fmnist/tfrunner"
)

var preview = flag.String("preview", "", "render the committed fixture into this directory (TestPreview)")

// renderFixture fabricates a fixture in a temporary directory and renders
// it; edit may change the fixture first.
func renderFixture(t *testing.T, edit func(fx fixture)) (fixture, string, *Result, error) {
	t.Helper()
	fx := writeFixture(t, t.TempDir(), "")
	if edit != nil {
		edit(fx)
	}
	out := filepath.Join(t.TempDir(), "report")
	res, err := renderDirs(Options{RunsDir: fx.Runs, OutDir: out, DataDir: fx.Data}, fx.Analysis, nil)
	return fx, out, res, err
}

var (
	imgSrc = regexp.MustCompile(`<img[^>]*\ssrc="([^"]*)"`)
	mdImg  = regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`)
	tagRe  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>`)
)

// checkPNGs checks that every referenced image exists in dir and decodes as
// a PNG of a sensible size; it returns how many there were.
func checkPNGs(t *testing.T, dir string, refs []string) {
	t.Helper()
	if len(refs) == 0 {
		t.Fatal("no image referenced")
	}
	for _, ref := range refs {
		if strings.Contains(ref, "/") || strings.Contains(ref, ":") {
			t.Errorf("image %q is not a plain relative file name", ref)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, ref))
		if err != nil {
			t.Errorf("referenced image: %v", err)
			continue
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: not a PNG: %v", ref, err)
			continue
		}
		if b := img.Bounds(); b.Dx() < 20 || b.Dy() < 20 || b.Dx() > 5000 || b.Dy() > 5000 {
			t.Errorf("%s: size %v", ref, b)
		}
	}
}

// checkBalanced checks that the page's elements nest properly, which is
// what a browser needs to parse it as intended.
func checkBalanced(t *testing.T, html string) {
	t.Helper()
	void := map[string]bool{"meta": true, "img": true, "br": true, "hr": true, "link": true, "input": true}
	var stack []string
	body := html[strings.Index(html, "<html"):]
	for _, m := range tagRe.FindAllStringSubmatch(body, -1) {
		name := strings.ToLower(m[2])
		if void[name] {
			continue
		}
		if m[1] == "" {
			stack = append(stack, name)
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != name {
			t.Fatalf("closing </%s> does not match the open elements %v", name, stack)
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	if !strings.HasPrefix(html, "<!DOCTYPE html>") {
		t.Error("no doctype")
	}
}

func refs(re *regexp.Regexp, s string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestRender(t *testing.T) {
	_, out, res, err := renderFixture(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Models, ",") != "default,A" {
		t.Errorf("models %v, want default,A (B has no run)", res.Models)
	}
	htmlBytes, err := os.ReadFile(res.HTML)
	if err != nil {
		t.Fatal(err)
	}
	html := string(htmlBytes)
	mdBytes, err := os.ReadFile(res.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	mdText := string(mdBytes)
	for _, h := range Headings() {
		if !strings.Contains(html, ">"+h) {
			t.Errorf("index.html lacks the heading %q", h)
		}
		if !strings.Contains(mdText, "## "+h) {
			t.Errorf("REPORT.md lacks the heading %q", h)
		}
	}
	checkBalanced(t, html)
	htmlRefs := refs(imgSrc, html)
	checkPNGs(t, out, htmlRefs)
	checkPNGs(t, out, refs(mdImg, mdText))
	if len(htmlRefs) != len(res.Images) {
		t.Errorf("page shows %d images, Render wrote %d", len(htmlRefs), len(res.Images))
	}
	for _, want := range []string{
		"curves_A_accuracy.png", "curves_A_loss.png", "curves_default_accuracy.png", "curves_validation_accuracy.png",
		"architecture_A.png", "confusion_default.png", "cm4_pca_labels.png", "cm4_pca_kmeans.png", "cm4_dbscan.png",
		"cm4_tsne_labels.png", "cm4_tsne_classes.png", "images_label0.png", "images_label4.png", "subclass_label4_2.png",
	} {
		if !strings.Contains(html, `src="`+want+`"`) {
			t.Errorf("index.html does not show %s", want)
		}
	}
	// The tables hold our numbers and the study's.
	for _, want := range []string{"0.927", "0.47 min", "174,629", "40,933", "T-shirt/Shirt", "Ankle boot", "k-means (k=5)"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	// The sub-class section says how the sub-classes were found.
	for name, text := range map[string]string{"index.html": html, "REPORT.md": mdText} {
		if !strings.Contains(text, "How they were found: inside each label") || !strings.Contains(text, "never steer it") {
			t.Errorf("%s does not say how the sub-classes were found", name)
		}
	}
	// Notes: B is missing, default has no encoding.
	joined := strings.Join(res.Notes, "\n")
	for _, want := range []string{"model B skipped", "encoding_test.csv is missing"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes %q lack %q", joined, want)
		}
	}
	if !strings.Contains(html, "encoding_test.csv is missing") {
		t.Error("index.html does not show the note about the missing encoding")
	}
	// Findings are computed from the fixture: A over-fits from epoch 3.
	if !strings.Contains(strings.Join(res.Findings, "\n"), "Model A: over-fitting from epoch 3") {
		t.Errorf("findings %q do not detect A's over-fitting", res.Findings)
	}
	// Nothing but the report is left in the output directory.
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != ContentsFile || e.IsDir() {
			t.Errorf("left over in the output directory: %s", e.Name())
		}
	}
}

func TestRenderEscapes(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	_, _, res, err := renderFixture(t, func(fx fixture) {
		path := filepath.Join(fx.Runs, "A", tfrunner.RunFile)
		var r tfrunner.Run
		data, err := os.ReadFile(path)
		must(t, err)
		must(t, json.Unmarshal(data, &r))
		r.Device = evil
		r.HostCPU = evil + " & co"
		writeJSONFile(t, path, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(res.HTML)
	mdText, _ := os.ReadFile(res.Markdown)
	// The page's own explorer script is the only script allowed.
	if bytes.Contains(html, []byte("<script>alert")) || bytes.Contains(mdText, []byte("<script")) {
		t.Error("a <script> from run.json reached the report unescaped")
	}
	if !bytes.Contains(html, []byte("&lt;script&gt;")) || !bytes.Contains(mdText, []byte("&lt;script&gt;")) {
		t.Error("the device name is not shown escaped")
	}
}

func TestRenderMissingOptional(t *testing.T) {
	_, out, res, err := renderFixture(t, func(fx fixture) {
		for _, f := range []string{tfrunner.DiagramFile, tfrunner.SummaryFile, tfrunner.PredictionsFile} {
			must(t, os.Remove(filepath.Join(fx.Runs, "A", f)))
		}
		must(t, os.Remove(filepath.Join(fx.Analysis, analysis.TSNEFile)))
	})
	if err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(res.HTML)
	for _, want := range []string{"architecture.png is missing", "summary.txt is missing", "predictions_test.csv is missing", "tsne.csv is missing"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("index.html has no note %q", want)
		}
	}
	// The diagram is drawn again from model.json, the labels of the
	// scatter charts come from the dataset.
	for _, want := range []string{"architecture_A.png", "cm4_pca_labels.png"} {
		if !bytes.Contains(html, []byte(`src="`+want+`"`)) {
			t.Errorf("index.html does not show %s", want)
		}
	}
	if bytes.Contains(html, []byte("cm4_tsne")) {
		t.Error("t-SNE charts shown without tsne.csv")
	}
	checkPNGs(t, out, refs(imgSrc, string(html)))
}

func TestRenderWithoutAnalysis(t *testing.T) {
	_, _, res, err := renderFixture(t, func(fx fixture) { must(t, os.RemoveAll(fx.Analysis)) })
	if err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(res.HTML)
	for _, h := range Headings() {
		if !bytes.Contains(html, []byte(">"+h)) {
			t.Errorf("index.html lacks the heading %q", h)
		}
	}
	if !bytes.Contains(html, []byte("analysis.json is missing")) {
		t.Error("no note about the missing analysis.json")
	}
}

func TestRenderErrors(t *testing.T) {
	corrupt := func(rel, content string) func(fx fixture) {
		return func(fx fixture) {
			must(t, os.WriteFile(filepath.Join(fx.Root, rel), []byte(content), 0o644))
		}
	}
	tests := []struct {
		name   string
		models []string
		edit   func(fx fixture)
		want   string // in the error
	}{
		{"missing run.json", []string{"A"}, func(fx fixture) { must(t, os.Remove(filepath.Join(fx.Runs, "A", tfrunner.RunFile))) }, "run.json is missing"},
		{"no run at all", nil, func(fx fixture) { must(t, os.RemoveAll(fx.Runs)) }, "no complete run"},
		{"corrupt history.json", nil, corrupt("runs/A/history.json", `{"model":"A","epochs":[{"epoch":1,`), "history.json"},
		{"empty history", nil, corrupt("runs/A/history.json", `{"model":"A","epochs":[]}`), "history.json: no epochs"},
		{"corrupt run.json", nil, corrupt("runs/default/run.json", `not json`), "run.json"},
		{"corrupt model.json", nil, corrupt("runs/A/model.json", `{"name":"A","layers":[{"type":"Conv3D"}]}`), "model.json"},
		{"bad prediction row", nil, corrupt("runs/A/predictions_test.csv", "label,original,predicted,p0,p1,p2,p3,p4\n0,0,9,1,0,0,0,0\n"), "predictions_test.csv line 2"},
		{"short encoding", nil, corrupt("runs/A/encoding_test.csv", "e0,e1\n1,2\n"), "encoding_test.csv"},
		{"corrupt analysis.json", nil, corrupt("analysis/analysis.json", `{"model":`), "analysis.json"},
		{"short pca.csv", nil, corrupt("analysis/pca.csv", "pc1,pc2\n1,2\n"), "pca.csv: 1 rows"},
		{"bad kmeans.csv", nil, corrupt("analysis/kmeans.csv", "cluster\nx\n"), "kmeans.csv line 2"},
		{"missing dataset", nil, func(fx fixture) { must(t, os.RemoveAll(fx.Data)) }, "dataset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := writeFixture(t, t.TempDir(), "")
			tt.edit(fx)
			// An earlier report in the output directory must survive.
			out := filepath.Join(t.TempDir(), "report")
			must(t, os.MkdirAll(out, 0o755))
			must(t, os.WriteFile(filepath.Join(out, HTMLFile), []byte("old"), 0o644))
			_, err := renderDirs(Options{RunsDir: fx.Runs, OutDir: out, DataDir: fx.Data}, fx.Analysis, tt.models)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("output directory holds %v after the error, want only the old index.html", names)
			}
			if old, _ := os.ReadFile(filepath.Join(out, HTMLFile)); string(old) != "old" {
				t.Error("the earlier index.html was overwritten")
			}
			// A fresh output directory is not even created.
			fresh := filepath.Join(t.TempDir(), "new")
			if _, err := renderDirs(Options{RunsDir: fx.Runs, OutDir: fresh, DataDir: fx.Data}, fx.Analysis, tt.models); err == nil {
				t.Fatal("second render succeeded")
			}
			if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output directory %s exists after an error", fresh)
			}
		})
	}
}

func TestWriteOutputsCleansUpOnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	err := writeOutputs(dir, []outFile{{"a.png", []byte("x")}, {"../escape.png", []byte("y")}}, nil)
	if err == nil {
		t.Fatal("bad file name accepted")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind", dir)
	}
}

// TestWriteOutputsDirectoryInTheWay checks that a directory where a file
// goes stops the write before any file is replaced.
func TestWriteOutputsDirectoryInTheWay(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "a.png"), []byte("old"), 0o644))
	must(t, os.Mkdir(filepath.Join(dir, "b.png"), 0o755))
	err := writeOutputs(dir, []outFile{{"a.png", []byte("new")}, {"b.png", []byte("new")}}, nil)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("err = %v, want one saying b.png is a directory", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "a.png")); string(data) != "old" {
		t.Errorf("a.png replaced: %q", data)
	}
}

// TestWriteOutputsRefusesSourceFolder checks that the report is never
// written into a package's folder.
func TestWriteOutputsRefusesSourceFolder(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "render.go"), []byte("package report\n"), 0o644))
	err := writeOutputs(dir, []outFile{{"a.png", []byte("x")}}, nil)
	if err == nil || !strings.Contains(err.Error(), "Go source files") {
		t.Fatalf("err = %v, want one refusing the source folder", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.png")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a.png written into the source folder")
	}
}

func TestReadRunIncomplete(t *testing.T) {
	fx := writeFixture(t, t.TempDir(), "")
	must(t, os.Remove(filepath.Join(fx.Runs, "A", tfrunner.RunFile)))
	_, err := tfrunner.ReadArtifacts(tfrunner.OpenDir(filepath.Join(fx.Runs, "A")))
	if !errors.Is(err, tfrunner.ErrIncomplete) || !strings.Contains(err.Error(), "run.json") {
		t.Errorf("err = %v, want ErrIncomplete naming run.json", err)
	}
	r, err := tfrunner.ReadArtifacts(tfrunner.OpenDir(filepath.Join(fx.Runs, "default")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding != nil || r.Predictions == nil || len(r.Notes) != 1 {
		t.Errorf("default: encoding %v, predictions %v, notes %q", r.Encoding, r.Predictions != nil, r.Notes)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"A": "A", "default": "default", "B_2": "B_2"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	if a, b := slug("a/b"), slug("a.b"); a == b || strings.ContainsAny(a+b, "/.") {
		t.Errorf("slugs %q and %q", a, b)
	}
}

// TestPreview renders the committed fixture into the directory given by
// -preview, to look at the report by eye.
func TestPreview(t *testing.T) {
	if *preview == "" {
		t.Skip("no -preview directory")
	}
	res, err := renderDirs(Options{RunsDir: filepath.Join(committedFixture, "runs"), DataDir: filepath.Join(committedFixture, "dataset"), OutDir: *preview}, filepath.Join(committedFixture, "analysis"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s, %s and %d images", res.HTML, res.Markdown, len(res.Images))
}

// renderDirs reads the runs of opts.RunsDir (models as ReadRuns takes them)
// and the analysis files in analysisDir, then renders them.
func renderDirs(opts Options, analysisDir string, models []string) (*Result, error) {
	in, err := ReadRuns(os.DirFS(opts.RunsDir), opts.RunsDir, models, "")
	if err != nil {
		return nil, err
	}
	model := opts.Model
	if model == "" {
		model = "A"
	}
	if err := in.ReadAnalysis(analysisDir, model); err != nil {
		return nil, err
	}
	return Render(in, opts)
}
