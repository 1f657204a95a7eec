package tfrunner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"fmnist/dataset"
	"fmnist/graphs"
)

// Options controls one training run.
type Options struct {
	Epochs  int    // number of epochs; 0 means the model's own
	Batch   int    // batch size; 0 means the model's own
	Seed    uint64 // seeds the initial weights and every epoch's shuffle
	Threads int    // engine threads; 0 means all cores
	Adam    Adam   // zero value means KerasAdam
	// Dir is the run directory (runs/<model>); the checkpoint lives there.
	// Empty means no checkpoint is written or resumed from.
	Dir string
	// Resume continues from Dir's checkpoint when one exists.
	Resume bool
	// Progress receives the progress display; nil is silent.
	Progress Progress
	// LogSteps is how often TrainModel logs the batch loss to the
	// TensorBoard log; 0 means DefaultLogSteps.
	LogSteps int
}

// Progress is told about training as it runs.
type Progress interface {
	// EpochStart is called before the first step of an epoch (1-based) that
	// has steps batches, done of them already trained (non-zero on resume).
	EpochStart(epoch, epochs, steps, done int)
	// Step is called after each batch with the epoch's running mean loss and
	// accuracy.
	Step(done int, loss, accuracy float64)
	// EpochEnd is called with the finished epoch's history row.
	EpochEnd(e Epoch)
}

// ErrInterrupted is returned by Fit when its context is cancelled; the
// checkpoint holds everything trained so far.
var ErrInterrupted = errors.New("training interrupted")

// DivergenceError reports a NaN or infinite loss.
type DivergenceError struct {
	Model       string
	Epoch, Step int
	Loss        float64
}

// Error names the model, the loss and where it went non-finite.
func (e *DivergenceError) Error() string {
	return fmt.Sprintf("model %s diverged: loss %v at epoch %d, step %d; the last good checkpoint is kept", e.Model, e.Loss, e.Epoch, e.Step)
}

// Fitted is a trained program with its history and settings.
type Fitted struct {
	Program      Program
	History      History
	Epochs       int
	Batch        int
	TrainSeconds float64 // sum of the epochs' training seconds
	Resumed      bool    // training continued from a checkpoint
}

// Fit trains m on d.Train with the engine, validating on d.Validation after
// every epoch and checkpointing to opts.Dir after every epoch (and when ctx
// is cancelled, mid-epoch, so that Resume continues bit for bit).
func Fit(ctx context.Context, eng Engine, m *graphs.Model, d *dataset.Data, opts Options) (*Fitted, error) {
	set := runSettings(eng, m, d, opts)
	epochs, batch := set.Epochs, set.Batch
	if epochs < 1 || batch < 1 {
		return nil, fmt.Errorf("model %s: epochs %d and batch %d must be at least 1", m.Name, epochs, batch)
	}
	if d.Train.N == 0 {
		return nil, fmt.Errorf("model %s: no training images", m.Name)
	}
	adam := opts.Adam.OrKeras()
	ckptPath := ""
	if opts.Resume && opts.Dir == "" {
		return nil, fmt.Errorf("model %s: resume needs the run directory holding the checkpoint", m.Name)
	}
	if opts.Dir != "" {
		ckptPath = filepath.Join(opts.Dir, WeightsFile)
	}
	var ck *Checkpoint
	if opts.Resume {
		c, err := ReadCheckpoint(ckptPath, m)
		switch {
		case err == nil:
			if diff := c.Settings.Diff(set); diff != nil {
				return nil, &SettingsError{Path: ckptPath, What: "checkpoint", Differs: diff}
			}
			ck = c
		case errors.Is(err, ErrNoCheckpoint):
		default:
			return nil, fmt.Errorf("resume: %w", err)
		}
	}
	init := InitWeights(m, opts.Seed)
	if ck != nil {
		init = ck.Weights
	}
	cfg := Config{Adam: adam, MaxBatch: batch, Threads: opts.Threads}
	if err := checkMemory(eng, m, cfg); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	prog, err := eng.Build(m, init, cfg)
	if err != nil {
		return nil, fmt.Errorf("model %s: build on engine %s: %w", m.Name, eng.Name(), err)
	}
	f := &Fitted{Program: prog, History: History{Model: m.Name}, Epochs: epochs, Batch: batch}
	if ck != nil {
		if err := prog.SetOptimizer(ck.Adam); err != nil {
			prog.Close()
			return nil, fmt.Errorf("resume %s: %w", ckptPath, err)
		}
		f.History = ck.History
		f.Resumed = true
	} else {
		ck = &Checkpoint{Settings: set}
	}
	if err := f.train(ctx, m, d, opts, ck, ckptPath); err != nil {
		prog.Close()
		return nil, err
	}
	for _, e := range f.History.Epochs {
		f.TrainSeconds += e.Seconds
	}
	return f, nil
}

func (f *Fitted) train(ctx context.Context, m *graphs.Model, d *dataset.Data, opts Options, ck *Checkpoint, ckptPath string) error {
	n := d.Train.N
	steps := (n + f.Batch - 1) / f.Batch
	x := make([]float32, f.Batch*dataset.Pixels)
	y := make([]int, f.Batch)
	for epoch := ck.Epoch; epoch < f.Epochs; epoch++ {
		perm := dataset.Permutation(n, opts.Seed, epoch)
		lossSum, correct, seconds := ck.StepLoss, ck.StepCorrect, ck.StepSeconds
		if opts.Progress != nil {
			opts.Progress.EpochStart(epoch+1, f.Epochs, steps, ck.Step)
		}
		start := time.Now()
		for s := ck.Step; s < steps; s++ {
			if ctx.Err() != nil {
				ck.Step, ck.StepLoss, ck.StepCorrect = s, lossSum, correct
				ck.StepSeconds = seconds + time.Since(start).Seconds()
				if err := f.save(ck, ckptPath, epoch); err != nil {
					return err
				}
				return fmt.Errorf("model %s, epoch %d, step %d/%d: %w", m.Name, epoch+1, s, steps, ErrInterrupted)
			}
			lo, hi := s*f.Batch, min((s+1)*f.Batch, n)
			idx := perm[lo:hi]
			d.Train.Gather(idx, x[:len(idx)*dataset.Pixels], y[:len(idx)])
			loss, ok, err := f.Program.TrainStep(x[:len(idx)*dataset.Pixels], y[:len(idx)])
			if err != nil {
				return fmt.Errorf("model %s, epoch %d, step %d: %w", m.Name, epoch+1, s+1, err)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return &DivergenceError{Model: m.Name, Epoch: epoch + 1, Step: s + 1, Loss: loss}
			}
			lossSum += loss * float64(len(idx))
			correct += ok
			if opts.Progress != nil {
				seen := float64(hi)
				opts.Progress.Step(s+1, lossSum/seen, float64(correct)/seen)
			}
		}
		seconds += time.Since(start).Seconds()
		vloss, vacc, err := Evaluate(f.Program, d.Validation)
		if err != nil {
			return fmt.Errorf("model %s, epoch %d: validation: %w", m.Name, epoch+1, err)
		}
		e := Epoch{Epoch: epoch + 1, Loss: lossSum / float64(n), Accuracy: float64(correct) / float64(n),
			ValLoss: vloss, ValAccuracy: vacc, Seconds: seconds}
		f.History.Epochs = append(f.History.Epochs[:epoch], e)
		if opts.Progress != nil {
			opts.Progress.EpochEnd(e)
		}
		*ck = Checkpoint{Settings: ck.Settings, Epoch: epoch + 1}
		if err := f.save(ck, ckptPath, epoch+1); err != nil {
			return err
		}
	}
	return nil
}

// save writes the program's state with the history and position in ck.
func (f *Fitted) save(ck *Checkpoint, path string, epoch int) error {
	if path == "" {
		return nil
	}
	w, err := f.Program.Weights()
	if err != nil {
		return fmt.Errorf("checkpoint after epoch %d: %w", epoch, err)
	}
	st, err := f.Program.Optimizer()
	if err != nil {
		return fmt.Errorf("checkpoint after epoch %d: %w", epoch, err)
	}
	ck.Weights, ck.Adam = w, st
	ck.History = History{Model: f.History.Model, Epochs: append([]Epoch(nil), f.History.Epochs...)}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return WriteCheckpoint(path, ck)
}

// EvalChunk is how many images Evaluate, Predict and ForwardAll give an
// engine's Forward at once (an engine's memory estimate counts on it).
const EvalChunk = 1000

// Predict returns the softmax probabilities of every image of s
// (s.N rows of the model's class count).
func Predict(p Program, s dataset.Split) ([]float32, error) {
	return ForwardAll(p, s, "")
}

// ForwardAll returns the named layer's output for every image of s, in order.
func ForwardAll(p Program, s dataset.Split, layer string) ([]float32, error) {
	var out []float32
	for lo := 0; lo < s.N; lo += EvalChunk {
		hi := min(lo+EvalChunk, s.N)
		part := s.Slice(lo, hi)
		y, err := p.Forward(part.X, part.N, layer)
		if err != nil {
			return nil, fmt.Errorf("forward images %d..%d: %w", lo, hi-1, err)
		}
		out = append(out, y...)
	}
	return out, nil
}

// Evaluate returns the mean categorical cross-entropy (Keras: probabilities
// clipped to [1e-7, 1-1e-7]) and the accuracy of p on s.
func Evaluate(p Program, s dataset.Split) (loss, accuracy float64, err error) {
	if s.N == 0 {
		return math.NaN(), math.NaN(), nil
	}
	probs, err := Predict(p, s)
	if err != nil {
		return 0, 0, err
	}
	loss, accuracy = Score(probs, s.Labels)
	return loss, accuracy, nil
}

// Score computes the mean cross-entropy and accuracy of probabilities (one
// row per label) against the labels.
func Score(probs []float32, labels []int) (loss, accuracy float64) {
	k := len(probs) / len(labels)
	correct := 0
	for i, y := range labels {
		row := probs[i*k : (i+1)*k]
		p := math.Min(math.Max(float64(row[y]), 1e-7), 1-1e-7)
		loss -= math.Log(p)
		if argmax(row) == y {
			correct++
		}
	}
	n := float64(len(labels))
	return loss / n, float64(correct) / n
}

func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}
