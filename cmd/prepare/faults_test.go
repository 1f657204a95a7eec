package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOutEmpty checks that -out "" is refused with a clear message.
func TestOutEmpty(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-from", fixtureIDX, "-out", ""}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "-out is empty") {
		t.Fatalf("exit %d, stderr %q; want 2 and a message about the empty -out", code, stderr.String())
	}
}

// TestAdviceNamesOwnFlags checks that prepare's advice names -from, not a
// flag it does not have.
func TestAdviceNamesOwnFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run([]string{"-from", t.TempDir(), "-out", filepath.Join(t.TempDir(), "o")}, &stdout, &stderr)
	if strings.Contains(stderr.String(), "-data") || !strings.Contains(stderr.String(), "-from DIR") {
		t.Fatalf("stderr %q: want advice naming -from DIR and not -data", stderr.String())
	}
}

// TestInterruptExit130 sends SIGTERM and SIGINT to prepare while it writes
// the real dataset: it exits with status 130, says so, and leaves the
// output directory as it was (no file, no temporary left).
func TestInterruptExit130(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "prepare")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		out := t.TempDir()
		cmd := exec.Command(bin, "-out", out) // the real dataset: seconds to write
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Signal once the first temporary file exists.
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if m, _ := filepath.Glob(filepath.Join(out, ".x_train.csv.tmp-*")); len(m) > 0 {
				break
			}
		}
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(stderr.String(), "prepare: interrupted") {
			t.Errorf("%v: %v, stderr %q; want exit 130 and a line saying it was interrupted", sig, err, stderr.String())
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%v: %s holds %d entries after the interrupt, want none", sig, out, len(entries))
		}
	}
}
