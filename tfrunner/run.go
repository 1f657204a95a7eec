package tfrunner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/internal/atomicfile"
)

// Versioner is implemented by engines that can name their library version.
type Versioner interface {
	Version() string
}

// TrainModel trains m (Fit), evaluates and times it on the test set, and
// writes every artifact of runs/<model>/ into opts.Dir, run.json last. It
// holds the directory's lock (LockRunDir) throughout, so a second training
// of the same directory fails at once. With opts.Resume, a finished run
// (see finishedRun) is left as it is and returned, unless it was made with
// other settings, which is a *SettingsError; an unfinished one continues
// from its checkpoint.
func TrainModel(ctx context.Context, eng Engine, m *graphs.Model, d *dataset.Data, opts Options) (*Run, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("model %s: no run directory", m.Name)
	}
	runPath := filepath.Join(opts.Dir, RunFile)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	lock, err := LockRunDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	defer lock.Unlock()
	if err := removeStaleTemps(opts.Dir); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	if opts.Resume {
		r, err := finishedRun(eng, m, d, opts)
		if err != nil || r != nil {
			return r, err
		}
	}
	// The run is incomplete until run.json is written again.
	if err := os.Remove(runPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	if err := writeDescription(m, opts.Dir); err != nil {
		return nil, err
	}
	board, err := openBoard(m, opts)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	defer board.Close()
	opts.Progress = board
	started := time.Now()
	f, err := Fit(ctx, eng, m, d, opts)
	if err != nil {
		return nil, err
	}
	defer f.Program.Close()
	if err := board.finish(f.History); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	if err := writeJSON(filepath.Join(opts.Dir, HistoryFile), f.History); err != nil {
		return nil, err
	}

	t0 := time.Now()
	probs, err := Predict(f.Program, d.Test)
	if err != nil {
		return nil, fmt.Errorf("model %s: predict test set: %w", m.Name, err)
	}
	predictSeconds := time.Since(t0).Seconds()
	testLoss, testAcc := Score(probs, d.Test.Labels)
	classes := m.Classes()
	conf, prec, rec := Confusion(probs, d.Test.Labels, classes)
	if err := writePredictions(filepath.Join(opts.Dir, PredictionsFile), probs, d.Test, classes); err != nil {
		return nil, err
	}
	if m.Encoding != "" {
		enc, err := ForwardAll(f.Program, d.Test, m.Encoding)
		if err != nil {
			return nil, fmt.Errorf("model %s: encoding of the test set: %w", m.Name, err)
		}
		if err := WriteMatrixCSV(filepath.Join(opts.Dir, EncodingFile), enc, d.Test.N, "e"); err != nil {
			return nil, err
		}
		if err := writeProjector(opts.Dir, m, enc, probs, d.Test); err != nil {
			return nil, err
		}
		if hidden := HiddenLayer(m); hidden != "" {
			h, err := ForwardAll(f.Program, d.Test, hidden)
			if err != nil {
				return nil, fmt.Errorf("model %s: layer %s of the test set: %w", m.Name, hidden, err)
			}
			if err := WriteMatrixCSV(filepath.Join(opts.Dir, HiddenFile), h, d.Test.N, "h"); err != nil {
				return nil, err
			}
		}
	}
	version := runtime.Version()
	if v, ok := eng.(Versioner); ok {
		version = v.Version()
	}
	r := &Run{
		Model: m.Name, Engine: eng.Name(), EngineVersion: version, Device: f.Program.Device(),
		Params: m.ParamCount(), Batch: f.Batch, Epochs: f.Epochs, Seed: opts.Seed, Classes: classes,
		Threads: threads(opts.Threads), TrainExamples: d.Train.N, ValExamples: d.Validation.N, TestExamples: d.Test.N,
		DataDir: d.Dir, DataFormat: string(d.Format), DataFingerprint: d.Fingerprint, Limit: d.Limit, TrainSeconds: f.TrainSeconds, PredictSeconds: predictSeconds,
		TestLoss: testLoss, TestAccuracy: testAcc, Confusion: conf, Precision: prec, Recall: rec,
		Adam: opts.Adam, GoVersion: runtime.Version(), HostCPU: HostCPU(),
		Started: started.UTC().Format(time.RFC3339), Finished: time.Now().UTC().Format(time.RFC3339),
	}
	r.Adam = r.Adam.OrKeras()
	if err := writeONNX(opts.Dir, m, f.Program); err != nil {
		return nil, err
	}
	if err := writeJSON(runPath, r); err != nil {
		return nil, err
	}
	return r, nil
}

// HiddenLayer names the Dense layer just before m's encoding layer, whose
// output goes into HiddenFile, or returns "" when there is none.
func HiddenLayer(m *graphs.Model) string {
	i := m.LayerIndex(m.Encoding)
	if i < 1 {
		return ""
	}
	if d, ok := m.Layers[i-1].(*graphs.Dense); ok {
		return d.Name
	}
	return ""
}

func threads(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// writeDescription writes model.json, summary.txt and architecture.png.
func writeDescription(m *graphs.Model, dir string) error {
	if err := writeJSON(filepath.Join(dir, ModelFile), m); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, SummaryFile), []byte(m.Summary())); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, DiagramFile), m.WriteDiagram)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
}

// Confusion returns the confusion matrix [true][predicted] and each class's
// precision and recall (0 where undefined).
func Confusion(probs []float32, labels []int, classes int) (conf [][]int, precision, recall []float64) {
	conf = make([][]int, classes)
	for i := range conf {
		conf[i] = make([]int, classes)
	}
	for i, y := range labels {
		conf[y][argmax(probs[i*classes:(i+1)*classes])]++
	}
	precision = make([]float64, classes)
	recall = make([]float64, classes)
	for c := 0; c < classes; c++ {
		var col, row int
		for j := 0; j < classes; j++ {
			col += conf[j][c]
			row += conf[c][j]
		}
		if col > 0 {
			precision[c] = float64(conf[c][c]) / float64(col)
		}
		if row > 0 {
			recall[c] = float64(conf[c][c]) / float64(row)
		}
	}
	return conf, precision, recall
}

// writePredictions writes label[,original],predicted,p0..pK-1 per image.
func writePredictions(path string, probs []float32, s dataset.Split, classes int) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString("label")
		if s.Original != nil {
			bw.WriteString(",original")
		}
		bw.WriteString(",predicted")
		for c := 0; c < classes; c++ {
			fmt.Fprintf(bw, ",p%d", c)
		}
		bw.WriteByte('\n')
		var buf []byte
		for i := 0; i < s.N; i++ {
			row := probs[i*classes : (i+1)*classes]
			buf = strconv.AppendInt(buf[:0], int64(s.Labels[i]), 10)
			if s.Original != nil {
				buf = append(buf, ',')
				buf = strconv.AppendInt(buf, int64(s.Original[i]), 10)
			}
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(argmax(row)), 10)
			for _, p := range row {
				buf = append(buf, ',')
				buf = strconv.AppendFloat(buf, float64(p), 'g', -1, 32)
			}
			buf = append(buf, '\n')
			bw.Write(buf)
		}
		return bw.Flush()
	})
}

// WriteMatrixCSV writes rows × (len(data)/rows) float32 values as CSV with a
// header row prefix0,prefix1,…, each value in its shortest exact form.
func WriteMatrixCSV(path string, data []float32, rows int, prefix string) error {
	if rows == 0 || len(data)%rows != 0 {
		return fmt.Errorf("%s: %d values do not make %d rows", path, len(data), rows)
	}
	cols := len(data) / rows
	return atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		for c := 0; c < cols; c++ {
			if c > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(prefix + strconv.Itoa(c))
		}
		bw.WriteByte('\n')
		var buf []byte
		for r := 0; r < rows; r++ {
			buf = buf[:0]
			for c, v := range data[r*cols : (r+1)*cols] {
				if c > 0 {
					buf = append(buf, ',')
				}
				if v == 0 {
					buf = append(buf, '0')
				} else {
					buf = strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
				}
			}
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

// HostCPU names the processor from /proc/cpuinfo, or GOARCH elsewhere.
func HostCPU() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return fmt.Sprintf("%s (%d cores)", strings.TrimSpace(v), runtime.NumCPU())
			}
		}
	}
	return fmt.Sprintf("%s (%d cores)", runtime.GOARCH, runtime.NumCPU())
}
