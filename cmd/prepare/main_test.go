package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fmnist/dataset"
)

const (
	fixtureIDX = "../../testdata/dataset/idx"
	fixtureCSV = "../../testdata/dataset/csv"
)

var csvFiles = []string{"x_train.csv", "y_train.csv", "x_test.csv", "y_test.csv"}

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "data")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-from", fixtureIDX, "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	for _, name := range csvFiles {
		path := filepath.Join(out, name)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The committed CSV fixture is the head of the same data.
		fixture, err := os.ReadFile(filepath.Join(fixtureCSV, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(got, fixture) {
			t.Errorf("%s does not start with the CSV fixture", name)
		}
		if want := "wrote " + path + " ("; !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout does not mention %s:\n%s", path, stdout.String())
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != len(csvFiles)+1 {
		t.Errorf("%s holds %d entries, want %d (and %s)", out, len(entries), len(csvFiles), dataset.ManifestFile)
	}
}

func TestRunErrors(t *testing.T) {
	// A copy of the IDX fixture with truncated training images.
	truncated := t.TempDir()
	for _, name := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		b, err := os.ReadFile(filepath.Join(fixtureIDX, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "train-images-idx3-ubyte.gz" {
			b = b[:len(b)/3]
		}
		if err := os.WriteFile(filepath.Join(truncated, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := t.TempDir()
	cases := []struct {
		name string
		args []string // "OUT" is replaced by the output directory
		code int
		want string // in stderr
	}{
		{"missing directory", []string{"-from", filepath.Join(empty, "nope"), "-out", "OUT"}, 1,
			"prepare: no IDX dataset in " + filepath.Join(empty, "nope") + ": missing " + filepath.Join(empty, "nope", "train-images-idx3-ubyte")},
		{"empty directory", []string{"-from", empty, "-out", "OUT"}, 1, "apt-get install dataset-fashion-mnist"},
		{"CSV directory", []string{"-from", fixtureCSV, "-out", "OUT"}, 1, "prepare: no IDX dataset in " + fixtureCSV},
		{"truncated file", []string{"-from", truncated, "-out", "OUT"}, 1,
			"prepare: " + filepath.Join(truncated, "train-images-idx3-ubyte.gz") + ": corrupt gzip data after"},
		{"unknown flag", []string{"-frm", empty}, 2, "flag provided but not defined: -frm"},
		{"extra argument", []string{"-out", "OUT", "extra"}, 2, `prepare: unexpected argument "extra"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.ReplaceAll(a, "OUT", out)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr\n%s\nwant it to contain\n%s", stderr.String(), c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				entries, _ := os.ReadDir(out)
				t.Errorf("output directory exists with %d entries", len(entries))
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	for _, want := range []string{"usage: prepare [-from DIR] [-out DIR]", "-from", "-out", "apt-get install dataset-fashion-mnist", "/usr/share/datasets/fashion-mnist"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("usage does not mention %q:\n%s", want, stderr.String())
		}
	}
}
