package tensorflow

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// installScript is make libtensorflow's script.
const installScript = "../../tools/libtensorflow/install.sh"

// TestInstallScript checks tools/libtensorflow/install.sh without
// downloading: a missing interpreter, an unknown variant and an unreachable
// registry fail with a message saying what to do and leave nothing behind;
// a directory whose stamp names the same pins is left alone.
func TestInstallScript(t *testing.T) {
	run := func(t *testing.T, dir string, env ...string) (string, error) {
		t.Helper()
		cmd := exec.Command("bash", installScript, dir)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, tt := range []struct {
		name string
		env  []string
		want string
	}{
		{"no python", []string{"PYTHON=/nonexistent/python3"}, "/nonexistent/python3 not found: install Python 3"},
		{"unknown variant", []string{"TF_VARIANT=tpu"}, "TF_VARIANT=tpu is unknown: use cpu or gpu"},
		{"registry unreachable", []string{"PIP_INDEX_URL=http://127.0.0.1:9/simple", "PIP_RETRIES=0", "PIP_TIMEOUT=2"}, "is PyPI reachable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "libtensorflow")
			out, err := run(t, dir, tt.env...)
			if err == nil || !strings.Contains(out, tt.want) {
				t.Errorf("exit %v, output %q; want a failure saying %q", err, out, tt.want)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("left %d entries behind in %s (first %s)", len(entries), parent, entries[0].Name())
			}
		})
	}

	t.Run("up to date", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "libtensorflow")
		pins, err := os.ReadFile("../../tools/libtensorflow/cpu.txt")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pins)
		if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("libtensorflow_cc.so.2", filepath.Join(dir, "lib", "libtensorflow.so")); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string]string{"STAMP": hex.EncodeToString(sum[:]) + " cpu\n", "VERSION": "2.15.1\n", "lib/libtensorflow_cc.so.2": ""} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// An unreachable registry proves that nothing is downloaded.
		out, err := run(t, dir, "TF_VARIANT=cpu", "PIP_INDEX_URL=http://127.0.0.1:9/simple")
		if err != nil || !strings.Contains(out, "is up to date (cpu, 2.15.1)") {
			t.Errorf("exit %v, output %q; want it up to date", err, out)
		}
	})
}
