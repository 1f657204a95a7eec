package tfrunner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
	"fmnist/tfrunner/tboard"
)

// The tests below check the TensorBoard log, the projector files and
// model.onnx with the Python tools themselves (TensorBoard, onnx,
// onnxruntime), from the venv that `make pytools` installs. They fail when
// the tools are missing.

// moduleRoot is the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

var pythonOnce struct {
	sync.Once
	path string
	err  error
}

// python returns the interpreter of the Python tools: $FMNIST_PYTHON, else
// <module root>/.tools/py/bin/python. The test fails when it is missing or
// lacks the tools.
func python(t *testing.T) string {
	t.Helper()
	pythonOnce.Do(func() {
		p := os.Getenv("FMNIST_PYTHON")
		if p == "" {
			p = filepath.Join(moduleRoot(t), ".tools", "py", "bin", "python")
		}
		out, err := exec.Command(p, "-c", "import tensorboard, onnx, onnxruntime, numpy").CombinedOutput()
		if err != nil {
			pythonOnce.err = fmt.Errorf("the Python tools are missing (%s: %v: %s): run `make pytools` (or set FMNIST_PYTHON to a Python with tensorboard, onnx, onnxruntime and numpy)", p, err, bytes.TrimSpace(out))
		}
		pythonOnce.path = p
	})
	if pythonOnce.err != nil {
		t.Fatal(pythonOnce.err)
	}
	return pythonOnce.path
}

// runPython runs one of testdata/interop's scripts and decodes its JSON.
func runPython(t *testing.T, out any, script string, args ...string) {
	t.Helper()
	cmd := exec.Command(python(t), append([]string{filepath.Join(moduleRoot(t), "testdata", "interop", script)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Dir = t.TempDir()
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%s: %v in %q", script, err, data)
	}
}

// realData loads the first 2,000 training images (1,600 train, 400
// validation) and the whole test set of Fashion-MNIST's IDX files.
func realData(t *testing.T) *dataset.Data {
	t.Helper()
	d, err := dataset.Load(dataset.Options{Dir: dataset.DefaultDir, Limit: 2000})
	if err != nil {
		t.Fatalf("the real Fashion-MNIST data (apt-get install dataset-fashion-mnist): %v", err)
	}
	return d
}

var studyRuns struct {
	sync.Once
	dir  string
	runs map[string]*tfrunner.Run
	err  error
}

// trainStudy trains the three study models for one epoch on realData into
// one runs directory, once for all tests of this file (not with -short).
func trainStudy(t *testing.T) (string, map[string]*tfrunner.Run) {
	t.Helper()
	if testing.Short() {
		// make test runs these without -short first; the -race -short pass
		// would train the three models ten times slower.
		t.Skip("trains the three study models on the real data: run without -short")
	}
	studyRuns.Do(func() {
		d := realData(t)
		dir, err := os.MkdirTemp("", "fmnist-interop-")
		if err != nil {
			studyRuns.err = err
			return
		}
		studyRuns.dir, studyRuns.runs = dir, map[string]*tfrunner.Run{}
		for _, name := range graphs.Names {
			m, err := graphs.ByName(name, 5)
			if err != nil {
				studyRuns.err = err
				return
			}
			r, err := tfrunner.TrainModel(context.Background(), native(t), m, d,
				tfrunner.Options{Epochs: 1, Seed: 3, LogSteps: 10, Dir: filepath.Join(dir, name)})
			if err != nil {
				studyRuns.err = err
				return
			}
			studyRuns.runs[name] = r
		}
	})
	if studyRuns.err != nil {
		t.Fatal(studyRuns.err)
	}
	return studyRuns.dir, studyRuns.runs
}

func TestMain(m *testing.M) {
	code := m.Run()
	if studyRuns.dir != "" {
		os.RemoveAll(studyRuns.dir)
	}
	os.Exit(code)
}

// TestONNXRuntime runs every study model's model.onnx in onnxruntime on 1,000
// test images: its probabilities match predictions_test.csv within 1e-5, its
// encoding matches encoding_test.csv, and onnx.checker accepts the file.
func TestONNXRuntime(t *testing.T) {
	dir, _ := trainStudy(t)
	for _, name := range graphs.Names {
		t.Run(name, func(t *testing.T) {
			var got struct {
				Opset          int      `json:"opset"`
				Input          string   `json:"input"`
				InputDims      []any    `json:"input_dims"`
				InputFloat32   bool     `json:"input_float32"`
				Outputs        []string `json:"outputs"`
				Images         int      `json:"images"`
				ProbShape      []int    `json:"prob_shape"`
				MaxProbDiff    float64  `json:"max_prob_diff"`
				Mismatches     int      `json:"argmax_mismatches"`
				EncodingShape  []int    `json:"encoding_shape"`
				MaxEncodingRel float64  `json:"max_encoding_rel_diff"`
			}
			runPython(t, &got, "check_onnx.py", filepath.Join(dir, name), dataset.DefaultDir, "1000")
			t.Logf("%s: opset %d, input %v, max |p_onnxruntime - p_csv| = %.3g, encoding max rel diff %.3g, argmax mismatches %d",
				name, got.Opset, got.InputDims, got.MaxProbDiff, got.MaxEncodingRel, got.Mismatches)
			if got.Opset < 13 {
				t.Errorf("opset %d, want >= 13", got.Opset)
			}
			if fmt.Sprint(got.InputDims) != "[N 28 28 1]" || !got.InputFloat32 || got.Input != "input" {
				t.Errorf("input %s %v (float32 %v), want float32 input [N 28 28 1]", got.Input, got.InputDims, got.InputFloat32)
			}
			if got.Images != 1000 || fmt.Sprint(got.ProbShape) != "[1000 5]" {
				t.Errorf("probabilities of shape %v for %d images, want [1000 5]", got.ProbShape, got.Images)
			}
			if !(got.MaxProbDiff <= 1e-5) {
				t.Errorf("probabilities differ from predictions_test.csv by up to %g, want <= 1e-5", got.MaxProbDiff)
			}
			if len(got.EncodingShape) != 2 || got.EncodingShape[0] != 1000 || !(got.MaxEncodingRel <= 1e-4) {
				t.Errorf("encoding %v differs from encoding_test.csv by up to %g (relative), want <= 1e-4", got.EncodingShape, got.MaxEncodingRel)
			}
		})
	}
}

// events is read_events.py's output.
type events struct {
	Tags    []string                `json:"tags"`
	Scalars map[string][][2]float64 `json:"scalars"`
}

// TestTensorBoardEventReader reads every run's log with TensorBoard's
// event_accumulator: the train and validation sub-runs hold epoch_loss and
// epoch_accuracy with history.json's values (as float32), train also the
// epoch seconds and the batch loss every LogSteps steps.
func TestTensorBoardEventReader(t *testing.T) {
	dir, _ := trainStudy(t)
	for _, name := range graphs.Names {
		t.Run(name, func(t *testing.T) {
			a, err := tfrunner.ReadArtifacts(tfrunner.OpenDir(filepath.Join(dir, name)))
			if err != nil {
				t.Fatal(err)
			}
			h := &a.History
			var train, val events
			runPython(t, &train, "read_events.py", filepath.Join(dir, name, tfrunner.TrainLog))
			runPython(t, &val, "read_events.py", filepath.Join(dir, name, tfrunner.ValidationLog))
			want := func(ev events, tag string, f func(tfrunner.Epoch) float64) {
				t.Helper()
				var exp [][2]float64
				for _, e := range h.Epochs {
					exp = append(exp, [2]float64{float64(e.Epoch), float64(float32(f(e)))})
				}
				if fmt.Sprint(ev.Scalars[tag]) != fmt.Sprint(exp) {
					t.Errorf("%s: %v, want %v", tag, ev.Scalars[tag], exp)
				}
			}
			want(train, tfrunner.TagEpochLoss, func(e tfrunner.Epoch) float64 { return e.Loss })
			want(train, tfrunner.TagEpochAccuracy, func(e tfrunner.Epoch) float64 { return e.Accuracy })
			want(train, tfrunner.TagEpochSeconds, func(e tfrunner.Epoch) float64 { return e.Seconds })
			want(val, tfrunner.TagEpochLoss, func(e tfrunner.Epoch) float64 { return e.ValLoss })
			want(val, tfrunner.TagEpochAccuracy, func(e tfrunner.Epoch) float64 { return e.ValAccuracy })
			m, _ := graphs.ByName(name, 5)
			steps := (1600 + m.Batch - 1) / m.Batch
			batch := train.Scalars[tfrunner.TagBatchLoss]
			if len(batch) != steps/10 {
				t.Errorf("%d batch_loss points, want %d (every 10 of %d steps)", len(batch), steps/10, steps)
			}
			for i, p := range batch {
				if p[0] != float64(10*(i+1)) || !(p[1] > 0) || math.IsInf(p[1], 0) {
					t.Errorf("batch_loss point %d: %v, want step %d and a finite positive loss", i, p, 10*(i+1))
				}
			}
			if len(val.Scalars[tfrunner.TagBatchLoss]) != 0 {
				t.Error("the validation sub-run holds batch_loss")
			}
		})
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestTensorBoardProjector starts a TensorBoard server on 127.0.0.1 over the
// runs directory; its projector plugin lists the runs of the three models,
// and their config names the 10,000 test images' encoding (for the default
// model, whose encoding is wider than tfrunner.MaxProjectorDims, its top
// tfrunner.ProjectorComponents principal components), metadata and sprite.
func TestTensorBoardProjector(t *testing.T) {
	dir, _ := trainStudy(t)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, python(t), "-m", "tensorboard.main", "--logdir", dir,
		"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--load_fast", "false")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	// Not this package's directory: python -m puts the working directory on
	// sys.path, where tfrunner/tensorflow would pass for TensorFlow.
	cmd.Dir = t.TempDir()
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait()
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) ([]byte, error) {
		resp, err := client.Get(base + path)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
		}
		return body, err
	}
	want := []string{"A/logs/train", "B/logs/train", "default/logs/train"}
	var runs []string
	deadline := time.Now().Add(90 * time.Second)
	for {
		body, err := get("/data/plugin/projector/runs")
		if err == nil {
			runs = nil
			err = json.Unmarshal(body, &runs)
			slices.Sort(runs)
			if err == nil && slices.Equal(runs, want) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("projector runs %v (last error %v), want %v; TensorBoard said:\n%s", runs, err, want, logs.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The Graphs tab has each model's graph in its train sub-run.
	body, err := get("/data/plugin/graphs/info")
	if err != nil {
		t.Fatal(err)
	}
	var graphsInfo map[string]struct {
		RunGraph bool `json:"run_graph"`
	}
	if err := json.Unmarshal(body, &graphsInfo); err != nil {
		t.Fatalf("graphs info: %v in %s", err, body)
	}
	for _, name := range graphs.Names {
		if !graphsInfo[name+"/logs/train"].RunGraph {
			t.Errorf("the Graphs tab has no graph for %s/logs/train: %s", name, body)
		}
	}
	graph, err := get("/data/plugin/graphs/graph?run=A/logs/train")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name: "conv2d/Conv2D"`, `op: "MaxPool"`, `name: "dense_2/Softmax"`} {
		if !bytes.Contains(graph, []byte(want)) {
			t.Errorf("model A's graph lacks %s", want)
		}
	}
	for _, run := range want {
		body, err := get("/data/plugin/projector/info?run=" + run)
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			Embeddings []struct {
				TensorName   string `json:"tensorName"`
				TensorShape  []int  `json:"tensorShape"`
				MetadataPath string `json:"metadataPath"`
				Sprite       struct {
					ImagePath      string `json:"imagePath"`
					SingleImageDim []int  `json:"singleImageDim"`
				} `json:"sprite"`
			} `json:"embeddings"`
		}
		if err := json.Unmarshal(body, &info); err != nil {
			t.Fatalf("%s: %v in %s", run, err, body)
		}
		model := strings.SplitN(run, "/", 2)[0]
		dims := map[string]string{"A": "32", "B": "100", "default": fmt.Sprint(tfrunner.ProjectorComponents)}[model]
		tensorName := map[string]string{"A": "A/dense_1", "B": "B/dense_1", "default": fmt.Sprintf("default/flatten_pca%d", tfrunner.ProjectorComponents)}[model]
		if len(info.Embeddings) != 1 {
			t.Fatalf("%s: %d embeddings, want 1: %s", run, len(info.Embeddings), body)
		}
		e := info.Embeddings[0]
		if e.TensorName != tensorName || fmt.Sprint(e.TensorShape) != "[10000 "+dims+"]" ||
			e.MetadataPath == "" || e.Sprite.ImagePath == "" || fmt.Sprint(e.Sprite.SingleImageDim) != "[28 28]" {
			t.Errorf("%s: projector config %s", run, body)
		}
		meta, err := get("/data/plugin/projector/metadata?run=" + run + "&name=" + e.TensorName + "&num_rows=3") // the header and 3 rows
		if err != nil {
			t.Fatal(err)
		}
		if lines := strings.Split(strings.TrimSpace(string(meta)), "\n"); len(lines) != 4 || lines[0] != "label\toriginal\tpredicted\tcorrect" {
			t.Errorf("%s: metadata starts %q", run, meta)
		}
		sprite, err := get("/data/plugin/projector/sprite_image?run=" + run + "&name=" + e.TensorName)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(sprite, []byte("\x89PNG")) {
			t.Errorf("%s: sprite is not a PNG", run)
		}
		tensor, err := get("/data/plugin/projector/tensor?run=" + run + "&name=" + e.TensorName)
		if err != nil {
			t.Fatal(err)
		}
		if want := 10000 * map[string]int{"A": 32, "B": 100, "default": tfrunner.ProjectorComponents}[model] * 4; len(tensor) != want {
			t.Errorf("%s: tensor of %d bytes, want %d", run, len(tensor), want)
		}
	}
}

// TestTensorBoardResume interrupts a run in the middle of epoch 2, checks
// that TensorBoard reads the log it left (also with a record cut short at
// its end, as a kill leaves it), resumes, and finds every epoch and batch
// point exactly once with the values of an uninterrupted run.
func TestTensorBoardResume(t *testing.T) {
	python(t) // fail at once without the tools
	d := fixture(t)
	m := graphs.A(5)
	opts := tfrunner.Options{Epochs: 3, Batch: 16, Seed: 7, LogSteps: 2}
	whole := opts
	whole.Dir = t.TempDir()
	if _, err := tfrunner.TrainModel(context.Background(), native(t), m, d, whole); err != nil {
		t.Fatal(err)
	}
	cut := opts
	cut.Dir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cut.Progress = &cancelAt{epoch: 2, step: 3, cancel: cancel}
	_, err := tfrunner.TrainModel(ctx, native(t), m, d, cut)
	cancel()
	if !errors.Is(err, tfrunner.ErrInterrupted) {
		t.Fatalf("interrupted run: err = %v, want ErrInterrupted", err)
	}
	var mid events
	runPython(t, &mid, "read_events.py", filepath.Join(cut.Dir, tfrunner.TrainLog))
	if got := mid.Scalars[tfrunner.TagEpochLoss]; len(got) != 1 {
		t.Errorf("interrupted log: epoch_loss %v, want epoch 1 only", got)
	}
	// A kill in the middle of a write leaves a record cut short.
	files, _ := filepath.Glob(filepath.Join(cut.Dir, tfrunner.TrainLog, "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("event files %v, want one", files)
	}
	f, err := os.OpenFile(files[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{40, 0, 0, 0, 0, 0, 0, 0, 1, 2})
	f.Close()
	var torn events
	runPython(t, &torn, "read_events.py", filepath.Join(cut.Dir, tfrunner.TrainLog))
	if fmt.Sprint(torn) != fmt.Sprint(mid) {
		t.Errorf("a torn last record changed what TensorBoard reads:\n%v\n%v", torn, mid)
	}

	cut.Resume, cut.Progress = true, nil
	if _, err := tfrunner.TrainModel(context.Background(), native(t), m, d, cut); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{tfrunner.TrainLog, tfrunner.ValidationLog} {
		var got, want events
		runPython(t, &got, "read_events.py", filepath.Join(cut.Dir, sub))
		runPython(t, &want, "read_events.py", filepath.Join(whole.Dir, sub))
		for _, tag := range want.Tags {
			g, w := got.Scalars[tag], want.Scalars[tag]
			if tag == tfrunner.TagEpochSeconds {
				if len(g) != len(w) {
					t.Errorf("%s %s: %d points, want %d", sub, tag, len(g), len(w))
				}
				continue
			}
			if fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("%s %s after resume:\n%v\nuninterrupted:\n%v", sub, tag, g, w)
			}
		}
		// The Go reader agrees and sees no (tag, step) twice.
		scalars, err := tboard.ReadScalars(filepath.Join(cut.Dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, s := range scalars {
			k := fmt.Sprint(s.Tag, s.Step)
			if seen[k] {
				t.Errorf("%s: %s step %d logged twice", sub, s.Tag, s.Step)
			}
			seen[k] = true
		}
	}
}
