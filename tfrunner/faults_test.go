package tfrunner_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
)

// interrupted leaves in dir the checkpoint of training A on d (epochs 3,
// batch 16, seed 7) interrupted at epoch 2, step 2.
func interrupted(t *testing.T, d *dataset.Data, dir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := fit(t, ctx, d, tfrunner.Options{Dir: dir, Progress: &cancelAt{epoch: 2, step: 2, cancel: cancel}})
	if !errors.Is(err, tfrunner.ErrInterrupted) {
		t.Fatalf("interrupted run: err = %v, want ErrInterrupted", err)
	}
}

// otherData returns the fixture dataset with one training pixel changed:
// the same sizes, other data.
func otherData(t *testing.T) *dataset.Data {
	t.Helper()
	dir := t.TempDir()
	if _, err := dataset.Prepare(context.Background(), "../testdata/dataset/idx", dir); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "manifest.json")) // hand-edited below
	p := filepath.Join(dir, "x_train.csv")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.IndexByte(data, '\n') + 1
	data[i] = map[byte]byte{'0': '1'}[data[i]] | '0'
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Load(dataset.Options{Dir: dir, Originals: "-"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestResumeOtherSettingsRefused resumes an interrupted run with each
// setting changed: every one is refused, naming the setting and both
// values, and the checkpoint is left as it was.
func TestResumeOtherSettingsRefused(t *testing.T) {
	d := fixture(t)
	limited, err := dataset.Load(dataset.Options{Dir: "../testdata/dataset/idx", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	m := graphs.A(5)
	cases := []struct {
		name string
		data *dataset.Data
		opts tfrunner.Options
		want string
	}{
		{"limit", limited, tfrunner.Options{Epochs: 3, Batch: 16, Seed: 7}, "-limit: was 0, now 200"},
		{"data", otherData(t), tfrunner.Options{Epochs: 3, Batch: 16, Seed: 7}, "data (fingerprint of the dataset): was "},
		{"seed", d, tfrunner.Options{Epochs: 3, Batch: 16, Seed: 8}, "-seed: was 7, now 8"},
		{"batch", d, tfrunner.Options{Epochs: 3, Batch: 32, Seed: 7}, "-batch: was 16, now 32"},
		{"epochs", d, tfrunner.Options{Epochs: 4, Batch: 16, Seed: 7}, "-epochs: was 3, now 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			interrupted(t, d, dir)
			ckpt := filepath.Join(dir, tfrunner.WeightsFile)
			before, _ := os.ReadFile(ckpt)
			c.opts.Dir, c.opts.Resume = dir, true
			r, err := tfrunner.TrainModel(context.Background(), native(t), m, c.data, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), ckpt) {
				t.Fatalf("resume with another %s: run %+v, err = %v; want an error naming %s and %q", c.name, r, err, ckpt, c.want)
			}
			if after, _ := os.ReadFile(ckpt); !bytes.Equal(before, after) {
				t.Error("the refused resume changed the checkpoint")
			}
			if _, err := os.Stat(filepath.Join(dir, tfrunner.HistoryFile)); err == nil {
				t.Error("the refused resume wrote history.json")
			}
		})
	}
}

// trainSmall trains A on d for one epoch into dir.
func trainSmall(t *testing.T, d *dataset.Data, dir string, resume bool, seed uint64) (*tfrunner.Run, error) {
	t.Helper()
	return tfrunner.TrainModel(context.Background(), native(t), graphs.A(5), d,
		tfrunner.Options{Epochs: 1, Batch: 32, Seed: seed, Dir: dir, Resume: resume})
}

// TestResumeFinishedRunOtherSettings checks that -resume keeps a finished
// run only for the settings it was made with.
func TestResumeFinishedRunOtherSettings(t *testing.T) {
	d := fixture(t)
	dir := t.TempDir()
	if _, err := trainSmall(t, d, dir, false, 7); err != nil {
		t.Fatal(err)
	}
	runPath := filepath.Join(dir, tfrunner.RunFile)
	before, _ := os.ReadFile(runPath)
	if _, err := trainSmall(t, d, dir, true, 8); err == nil || !strings.Contains(err.Error(), "-seed: was 7, now 8") || !strings.Contains(err.Error(), runPath) {
		t.Fatalf("resume of a finished run with another seed: err = %v, want one naming %s and the seeds", err, runPath)
	}
	if after, _ := os.ReadFile(runPath); !bytes.Equal(before, after) {
		t.Error("the refused resume changed run.json")
	}
	r, err := trainSmall(t, d, dir, true, 7)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(runPath); !bytes.Equal(before, after) || r.Seed != 7 {
		t.Error("resume with the same settings did not keep the finished run")
	}
}

// TestResumeInvalidRunJSON checks that a run whose run.json is not valid
// (here "{}") is not taken as finished: resume completes it from its
// checkpoint and writes a valid run.json.
func TestResumeInvalidRunJSON(t *testing.T) {
	d := fixture(t)
	dir := t.TempDir()
	want, err := trainSmall(t, d, dir, false, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"{}", `{"model":"A"}`} {
		if err := os.WriteFile(filepath.Join(dir, tfrunner.RunFile), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := trainSmall(t, d, dir, true, 7)
		if err != nil {
			t.Fatal(err)
		}
		if r.TestExamples != d.Test.N || r.TestAccuracy != want.TestAccuracy || len(r.Confusion) != 5 {
			t.Errorf("run.json %s: resumed run has %d test examples, accuracy %v; want %d, %v", content, r.TestExamples, r.TestAccuracy, d.Test.N, want.TestAccuracy)
		}
		onDisk, err := tfrunner.OpenDir(dir).ReadRun()
		if err != nil || onDisk.TestExamples != d.Test.N {
			t.Errorf("run.json %s: not rewritten: %+v, %v", content, onDisk, err)
		}
	}
}

// rewriteHeader edits the JSON header of the checkpoint at path and writes
// it back with a matching length and checksum.
func rewriteHeader(t *testing.T, path string, edit func(h map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const magic = 8
	hlen := int(binary.LittleEndian.Uint32(data[magic:]))
	var h map[string]any
	if err := json.Unmarshal(data[magic+4:magic+4+hlen], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hdr, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), data[:magic]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(hdr)))
	out = append(out, hdr...)
	out = append(out, data[magic+4+hlen:len(data)-4]...)
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImpossibleCheckpointPosition resumes from checkpoints whose checksum
// is right but whose header is impossible: each is refused with a clear
// error naming the field, without a panic or a run of no epochs.
func TestImpossibleCheckpointPosition(t *testing.T) {
	d := fixture(t)
	cases := []struct {
		name string
		edit func(h map[string]any)
		want string
	}{
		{"negative epoch", func(h map[string]any) { h["epoch"] = -1 }, "epoch -1 outside 0..3"},
		{"epoch beyond epochs", func(h map[string]any) { h["epoch"] = 9 }, "epoch 9 outside 0..3"},
		{"negative step", func(h map[string]any) { h["step"] = -3 }, "step -3 outside"},
		{"step beyond the epoch", func(h map[string]any) { h["step"] = 1000000 }, "step 1000000 outside"},
		{"adam step", func(h map[string]any) { h["adam_step"] = 3 }, "Adam step 3"},
		{"history too long", func(h map[string]any) {
			hist := h["history"].(map[string]any)
			eps := hist["epochs"].([]any)
			hist["epochs"] = append(eps, eps[0])
		}, "history holds 2 epochs, but epoch 1 is done"},
		{"negative correct", func(h map[string]any) { h["step_correct"] = -5 }, "-5 correct predictions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			interrupted(t, d, dir)
			path := filepath.Join(dir, tfrunner.WeightsFile)
			rewriteHeader(t, path, c.edit)
			_, err := fit(t, context.Background(), d, tfrunner.Options{Dir: dir, Resume: true})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want an error naming %s and containing %q", err, path, c.want)
			}
		})
	}
}

// blockAt blocks training at its first step until release is closed.
type blockAt struct {
	started chan struct{}
	release chan struct{}
	once    bool
}

func (b *blockAt) EpochStart(epoch, epochs, steps, done int) {}
func (b *blockAt) Step(done int, loss, accuracy float64) {
	if !b.once {
		b.once = true
		close(b.started)
		<-b.release
	}
}
func (b *blockAt) EpochEnd(tfrunner.Epoch) {}

// TestSecondTrainingRefused starts a second training of a run directory
// while a first one writes it: the second fails at once, naming the
// directory and the first's process, and the first finishes unharmed.
func TestSecondTrainingRefused(t *testing.T) {
	d := fixture(t)
	dir := t.TempDir()
	block := &blockAt{started: make(chan struct{}), release: make(chan struct{})}
	first := make(chan error, 1)
	go func() {
		_, err := tfrunner.TrainModel(context.Background(), native(t), graphs.A(5), d,
			tfrunner.Options{Epochs: 1, Batch: 32, Seed: 7, Dir: dir, Progress: block})
		first <- err
	}()
	<-block.started
	start := time.Now()
	_, err := tfrunner.TrainModel(context.Background(), native(t), graphs.A(5), d,
		tfrunner.Options{Epochs: 1, Batch: 32, Seed: 9, Dir: dir})
	close(block.release)
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second training: err = %v, want one naming %s and process %d", err, dir, os.Getpid())
	}
	if s := time.Since(start); s > 2*time.Second {
		t.Errorf("second training took %v to refuse", s)
	}
	if err := <-first; err != nil {
		t.Fatalf("first training: %v", err)
	}
	r, err := tfrunner.OpenDir(dir).ReadRun()
	if err != nil || r.Seed != 7 {
		t.Errorf("run.json after both: %+v, %v; want the first training's (seed 7)", r, err)
	}
}
