package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
)

// buildTrain compiles this command once per test binary, with the
// TensorFlow engine (the default then) when the test binary has it.
func buildTrain(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "train")
	args := []string{"build", "-o", bin}
	if slices.Contains(tfrunner.Engines(), "tensorflow") {
		args = append(args, "-tags", "tensorflow")
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var signalArgs = []string{"-models", "A", "-limit", "6000", "-epochs", "3", "-threads", "2"}

// interrupt starts train and sends sig as soon as epoch 2 starts.
func interrupt(t *testing.T, bin, out string, sig syscall.Signal) (exitCode int, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, append(signalArgs, "-out", out)...)
	stdout, _ := cmd.StdoutPipe()
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Epoch 2/3") {
			cmd.Process.Signal(sig)
			break
		}
	}
	for sc.Scan() {
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("train was not stopped by %v: %v", sig, err)
	}
	return exit.ExitCode(), errb.String()
}

func finalState(t *testing.T, dir string) (*tfrunner.Checkpoint, tfrunner.History, *tfrunner.Run) {
	t.Helper()
	ck, err := tfrunner.ReadCheckpoint(filepath.Join(dir, "A", tfrunner.WeightsFile), graphs.A(5))
	if err != nil {
		t.Fatal(err)
	}
	h := ck.History
	for i := range h.Epochs {
		h.Epochs[i].Seconds = 0
	}
	r, err := tfrunner.OpenDir(filepath.Join(dir, "A")).ReadRun()
	if err != nil {
		t.Fatal(err)
	}
	return ck, h, r
}

// TestKillAndResume kills training (SIGKILL, and SIGINT) during epoch 2 of
// 3, resumes it, and expects the weights, Adam state and history of an
// uninterrupted run with the same seed, bit for bit.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and trains three times; run without -short")
	}
	if _, _, err := dataset.Locate(""); err != nil {
		t.Fatalf("the real dataset is needed (apt-get install dataset-fashion-mnist): %v", err)
	}
	bin := buildTrain(t)
	ref := t.TempDir()
	if out, err := exec.Command(bin, append(signalArgs, "-out", ref, "-quiet")...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	wantCk, wantH, wantRun := finalState(t, ref)
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			out := t.TempDir()
			code, stderr := interrupt(t, bin, out, sig)
			if _, err := os.Stat(filepath.Join(out, "A", tfrunner.RunFile)); err == nil {
				t.Fatal("an interrupted run has run.json: it looks complete")
			}
			if sig == syscall.SIGINT && (code != 130 || !strings.Contains(stderr, "-resume")) {
				t.Errorf("SIGINT: exit %d, stderr %q; want 130 and how to resume", code, stderr)
			}
			if msg, err := exec.Command(bin, append(signalArgs, "-out", out, "-quiet", "-resume")...).CombinedOutput(); err != nil {
				t.Fatalf("resume: %v\n%s", err, msg)
			}
			ck, h, r := finalState(t, out)
			if !reflect.DeepEqual(ck.Weights, wantCk.Weights) || !reflect.DeepEqual(ck.Adam, wantCk.Adam) {
				t.Error("resumed weights or Adam state differ from the uninterrupted run's")
			}
			if !reflect.DeepEqual(h, wantH) {
				t.Errorf("resumed history differs:\n%+v\n%+v", h, wantH)
			}
			if r.TestLoss != wantRun.TestLoss || r.TestAccuracy != wantRun.TestAccuracy {
				t.Errorf("test loss/accuracy %v/%v, want %v/%v", r.TestLoss, r.TestAccuracy, wantRun.TestLoss, wantRun.TestAccuracy)
			}
			// A finished model is skipped on -resume.
			before, _ := os.ReadFile(filepath.Join(out, "A", tfrunner.RunFile))
			exec.Command(bin, append(signalArgs, "-out", out, "-quiet", "-resume")...).Run()
			after, _ := os.ReadFile(filepath.Join(out, "A", tfrunner.RunFile))
			if string(before) != string(after) {
				t.Error("-resume retrained a finished model")
			}
		})
	}
}
