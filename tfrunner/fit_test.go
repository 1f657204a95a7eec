package tfrunner_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
	_ "fmnist/tfrunner/native"
)

func fixture(t *testing.T) *dataset.Data {
	t.Helper()
	d, err := dataset.Load(dataset.Options{Dir: "../testdata/dataset/idx"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func native(t *testing.T) tfrunner.Engine {
	t.Helper()
	e, err := tfrunner.Open("native")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// withoutSeconds drops the timings, the only part of a history that may differ.
func withoutSeconds(h tfrunner.History) tfrunner.History {
	out := tfrunner.History{Model: h.Model}
	for _, e := range h.Epochs {
		e.Seconds = 0
		out.Epochs = append(out.Epochs, e)
	}
	return out
}

func fit(t *testing.T, ctx context.Context, d *dataset.Data, opts tfrunner.Options) (*tfrunner.Fitted, error) {
	t.Helper()
	opts.Epochs, opts.Batch, opts.Seed = 3, 16, 7
	return tfrunner.Fit(ctx, native(t), graphs.A(5), d, opts)
}

func state(t *testing.T, f *tfrunner.Fitted) (tfrunner.Weights, tfrunner.OptimizerState) {
	t.Helper()
	w, err := f.Program.Weights()
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.Program.Optimizer()
	if err != nil {
		t.Fatal(err)
	}
	return w, o
}

func TestFitDeterministic(t *testing.T) {
	d := fixture(t)
	a, err := fit(t, context.Background(), d, tfrunner.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := fit(t, context.Background(), d, tfrunner.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(withoutSeconds(a.History), withoutSeconds(b.History)) {
		t.Errorf("same seed, different histories:\n%+v\n%+v", a.History, b.History)
	}
	wa, oa := state(t, a)
	wb, ob := state(t, b)
	if !reflect.DeepEqual(wa, wb) || !reflect.DeepEqual(oa, ob) {
		t.Error("same seed, different weights or Adam state")
	}
	if h := a.History.Epochs; len(h) != 3 || !(h[2].Loss < h[0].Loss) {
		t.Errorf("loss did not fall over 3 epochs: %+v", h)
	}
}

// cancelAt cancels its context at the given (epoch, step).
type cancelAt struct {
	epoch, step, cur int
	cancel           func()
}

func (c *cancelAt) EpochStart(epoch, _, _, _ int) { c.cur = epoch }
func (c *cancelAt) Step(done int, _, _ float64) {
	if c.cur == c.epoch && done == c.step {
		c.cancel()
	}
}
func (c *cancelAt) EpochEnd(tfrunner.Epoch) {}

// TestResumeBitForBit interrupts training in the middle of epoch 2 and
// resumes it; the result equals an uninterrupted run's.
func TestResumeBitForBit(t *testing.T) {
	d := fixture(t)
	want, err := fit(t, context.Background(), d, tfrunner.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	wantW, wantO := state(t, want)
	for _, stop := range []struct{ epoch, step int }{{2, 5}, {2, 1}, {3, 9}} {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		_, err := fit(t, ctx, d, tfrunner.Options{Dir: dir, Progress: &cancelAt{epoch: stop.epoch, step: stop.step, cancel: cancel}})
		cancel()
		if !errors.Is(err, tfrunner.ErrInterrupted) {
			t.Fatalf("interrupted run: err = %v, want ErrInterrupted", err)
		}
		ck, err := tfrunner.ReadCheckpoint(filepath.Join(dir, tfrunner.WeightsFile), graphs.A(5))
		if err != nil || ck.Epoch != stop.epoch-1 || ck.Step != stop.step {
			t.Fatalf("checkpoint after interrupt: epoch %d step %d, err %v", ck.Epoch, ck.Step, err)
		}
		got, err := fit(t, context.Background(), d, tfrunner.Options{Dir: dir, Resume: true})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Resumed {
			t.Error("resume did not use the checkpoint")
		}
		gotW, gotO := state(t, got)
		if !reflect.DeepEqual(gotW, wantW) || !reflect.DeepEqual(gotO, wantO) {
			t.Errorf("stop at %v: resumed weights differ from an uninterrupted run's", stop)
		}
		if !reflect.DeepEqual(withoutSeconds(got.History), withoutSeconds(want.History)) {
			t.Errorf("stop at %v: resumed history differs:\n%+v\n%+v", stop, got.History, want.History)
		}
	}
}

// nanEngine wraps native and returns a NaN loss at one step.
type nanEngine struct {
	tfrunner.Engine
	at int
}

type nanProgram struct {
	tfrunner.Program
	at, n int
}

func (e nanEngine) Build(m *graphs.Model, w tfrunner.Weights, c tfrunner.Config) (tfrunner.Program, error) {
	p, err := e.Engine.Build(m, w, c)
	return &nanProgram{Program: p, at: e.at}, err
}

func (p *nanProgram) TrainStep(x []float32, y []int) (float64, int, error) {
	p.n++
	loss, ok, err := p.Program.TrainStep(x, y)
	if p.n == p.at {
		return math.NaN(), ok, err
	}
	return loss, ok, err
}

func TestDivergenceGuard(t *testing.T) {
	d := fixture(t)
	dir := t.TempDir()
	steps := (d.Train.N + 15) / 16
	_, err := tfrunner.Fit(context.Background(), nanEngine{native(t), steps + 3}, graphs.A(5), d,
		tfrunner.Options{Epochs: 3, Batch: 16, Seed: 7, Dir: dir})
	var div *tfrunner.DivergenceError
	if !errors.As(err, &div) || div.Epoch != 2 || div.Step != 3 || div.Model != "A" {
		t.Fatalf("err = %v, want divergence at epoch 2 step 3", err)
	}
	ck, err := tfrunner.ReadCheckpoint(filepath.Join(dir, tfrunner.WeightsFile), graphs.A(5))
	if err != nil || ck.Epoch != 1 {
		t.Fatalf("last good checkpoint: %v, epoch %d; want epoch 1", err, ck.Epoch)
	}
}

// TestFitWithoutDir checks that an empty Dir trains without writing a
// checkpoint anywhere, and that resuming without one is refused.
func TestFitWithoutDir(t *testing.T) {
	d := fixture(t)
	t.Chdir(t.TempDir())
	f, err := fit(t, context.Background(), d, tfrunner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.Program.Close()
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("Fit without Dir wrote %d files into the working directory", len(entries))
	}
	if _, err := fit(t, context.Background(), d, tfrunner.Options{Resume: true}); err == nil {
		t.Error("Resume without Dir: no error")
	}
}
