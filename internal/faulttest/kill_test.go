package faulttest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
	"fmnist/tfrunner/tboard"
)

// killPoints is how many random moments each command is killed at.
const killPoints = 3

// build compiles the three commands into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "fmnist/cmd/prepare", "fmnist/cmd/train", "fmnist/cmd/report")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// runFor runs a command to completion and returns how long it took.
func runFor(t *testing.T, bin string, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, out)
	}
	return time.Since(start)
}

// killAfter starts a command and SIGKILLs it after d (or lets it finish
// first); it reports whether the kill came before the end.
func killAfter(t *testing.T, d time.Duration, bin string, args ...string) bool {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return true
	}
}

// files returns the regular files under dir, relative, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// timings matches the fields that hold timings or dates in the JSON files
// and the report's pages, to be blanked before comparing.
var timings = regexp.MustCompile(`"(seconds|train_seconds|predict_seconds|started|finished|pca|kmeans|dbscan|tsne|subclasses|subclass_stability)": *("[^"]*"|[0-9.e+-]+)|[0-9]+(\.[0-9]+)? ?(s|seconds)\b|[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:]+( UTC|Z)?`)

// compareDirs compares every file of want and got: byte for byte, but
// with timings blanked in JSON, HTML and Markdown files and the checkpoint
// compared by its tensors and position.
func compareDirs(t *testing.T, what, want, got string) {
	t.Helper()
	wf, gf := files(t, want), files(t, got)
	// TensorBoard event files are named after their writer's start time
	// and process, and a resumed run adds one: what must agree is what
	// TensorBoard reads from each sub-run's directory.
	wf, wlogs := splitEvents(wf)
	gf, glogs := splitEvents(gf)
	if !slices.Equal(wf, gf) || !slices.Equal(wlogs, glogs) {
		t.Errorf("%s: files %v (event files in %v), want %v (in %v)", what, gf, glogs, wf, wlogs)
		return
	}
	for _, d := range wlogs {
		a, b := scalars(t, filepath.Join(want, d)), scalars(t, filepath.Join(got, d))
		if !slices.Equal(a, b) {
			t.Errorf("%s: the TensorBoard scalars of %s differ from the uninterrupted run's:\n%v\nwant\n%v", what, d, b, a)
		}
	}
	for _, f := range wf {
		if filepath.Base(f) == tfrunner.LockFile {
			continue // holds the PID of the last training
		}
		a, _ := os.ReadFile(filepath.Join(want, f))
		b, _ := os.ReadFile(filepath.Join(got, f))
		switch filepath.Ext(f) {
		case ".json", ".html", ".md":
			a, b = timings.ReplaceAll(a, []byte("T")), timings.ReplaceAll(b, []byte("T"))
		case ".ckpt":
			compareCheckpoints(t, what, filepath.Join(want, f), filepath.Join(got, f))
			continue
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: %s differs from the uninterrupted run's", what, f)
		}
	}
}

// splitEvents takes the TensorBoard event files out of files and returns
// the directories that hold them.
func splitEvents(files []string) (rest, dirs []string) {
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "events.out.tfevents.") {
			if d := filepath.Dir(f); !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
			continue
		}
		rest = append(rest, f)
	}
	return rest, dirs
}

// scalars returns what TensorBoard reads from the event files of dir, as
// "tag step value" lines sorted by tag and step, without wall times and the
// epoch_seconds timing.
func scalars(t *testing.T, dir string) []string {
	t.Helper()
	ss, err := tboard.ReadScalars(dir)
	if err != nil {
		t.Errorf("%s: %v", dir, err)
		return nil
	}
	var out []string
	for _, s := range ss {
		if s.Tag != tfrunner.TagEpochSeconds {
			out = append(out, fmt.Sprintf("%s %d %v", s.Tag, s.Step, s.Value))
		}
	}
	slices.Sort(out)
	return out
}

// compareCheckpoints compares two checkpoints of model A without timings.
func compareCheckpoints(t *testing.T, what, want, got string) {
	t.Helper()
	a, err1 := tfrunner.ReadCheckpoint(want, graphs.A(5))
	b, err2 := tfrunner.ReadCheckpoint(got, graphs.A(5))
	if err1 != nil || err2 != nil {
		t.Errorf("%s: checkpoints: %v, %v", what, err1, err2)
		return
	}
	for _, c := range []*tfrunner.Checkpoint{a, b} {
		for i := range c.History.Epochs {
			c.History.Epochs[i].Seconds = 0
		}
		c.StepSeconds = 0
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("%s: weights.ckpt differs from the uninterrupted run's", what)
	}
}

// writeSmallIDX writes the first train and test images of the real dataset
// as plain IDX files, for a run and report that take seconds.
func writeSmallIDX(t *testing.T, dir string, train, test int) {
	t.Helper()
	src := dataset.DefaultDir
	for i, name := range []string{"train", "t10k"} {
		n := []int{train, test}[i]
		pix, total, err := dataset.ReadIDXImages(filepath.Join(src, name+"-images-idx3-ubyte.gz"))
		if err != nil {
			t.Fatalf("the real dataset (apt-get install dataset-fashion-mnist): %v", err)
		}
		labels, err := dataset.ReadIDXLabels(filepath.Join(src, name+"-labels-idx1-ubyte.gz"))
		if err != nil || total < n {
			t.Fatalf("labels: %v (%d images)", err, total)
		}
		img := binary.BigEndian.AppendUint32(nil, 0x803)
		for _, d := range []int{n, 28, 28} {
			img = binary.BigEndian.AppendUint32(img, uint32(d))
		}
		img = append(img, pix[:n*dataset.Pixels]...)
		lab := binary.BigEndian.AppendUint32(nil, 0x801)
		lab = binary.BigEndian.AppendUint32(lab, uint32(n))
		lab = append(lab, labels[:n]...)
		for file, data := range map[string][]byte{name + "-images-idx3-ubyte.gz": img, name + "-labels-idx1-ubyte.gz": lab} {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(data)
			zw.Close()
			if err := os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestKillAndRerun kills prepare (on the real dataset), then train (model
// A, -limit 2000 -epochs 2) and report on a small dataset cut from it, each
// at killPoints seeded random moments of an uninterrupted run's duration;
// after each kill the command is rerun (train with -resume) and its final
// files must equal the uninterrupted run's. Last, a report is killed near
// its end while it replaces an earlier report of other settings: before
// any rerun, the folder must hold exactly one of the two.
func TestKillAndRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the commands on real data: seconds each")
	}
	bin := build(t)
	prepare, train, report := filepath.Join(bin, "prepare"), filepath.Join(bin, "train"), filepath.Join(bin, "report")
	rng := rand.New(rand.NewPCG(14, 2026))
	root := t.TempDir()
	at := func(d time.Duration) time.Duration { return time.Duration(rng.Float64() * float64(d)) }

	t.Run("prepare", func(t *testing.T) {
		ref := filepath.Join(root, "prepare-ref")
		d := runFor(t, prepare, "-out", ref)
		for i := range killPoints {
			out := filepath.Join(root, "prepare-"+string(rune('a'+i)))
			// The directory holds an older, smaller dataset.
			if out, err := exec.Command(prepare, "-from", "../../testdata/dataset/idx", "-out", out).CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			delay := at(d)
			killed := killAfter(t, delay, prepare, "-out", out)
			if data, err := dataset.Load(dataset.Options{Dir: out, Originals: "-"}); err == nil {
				if n := data.Train.N + data.Validation.N; n != 300 && n != 60000 || (n == 300) != (data.Test.N == 100) {
					t.Errorf("killed after %v: the directory is accepted with %d training and %d test images", delay, n, data.Test.N)
				}
			}
			runFor(t, prepare, "-out", out)
			t.Logf("killed after %v of %v (before the end: %v); rerun", delay, d, killed)
			compareDirs(t, "prepare", ref, out)
		}
	})

	small := filepath.Join(root, "idx-small")
	os.Mkdir(small, 0o755)
	writeSmallIDX(t, small, 2200, 500)
	data := filepath.Join(root, "data-small")
	runFor(t, prepare, "-from", small, "-out", data)
	trainArgs := []string{"-data", data, "-models", "A", "-limit", "2000", "-epochs", "2", "-quiet"}
	refRuns := filepath.Join(root, "runs-ref")

	t.Run("train", func(t *testing.T) {
		d := runFor(t, train, append(trainArgs, "-out", refRuns)...)
		for i := range killPoints {
			out := filepath.Join(root, "runs-"+string(rune('a'+i)))
			delay := at(d)
			killed := killAfter(t, delay, train, append(trainArgs, "-out", out)...)
			runFor(t, train, append(trainArgs, "-out", out, "-resume")...)
			t.Logf("killed after %v of %v (before the end: %v); resumed", delay, d, killed)
			compareDirs(t, "train", refRuns, out)
		}
	})

	t.Run("report", func(t *testing.T) {
		ref := filepath.Join(root, "report-ref")
		args := []string{"-runs", refRuns, "-data", data, "-quiet"}
		d := runFor(t, report, append(args, "-out", ref)...)
		for i := range killPoints {
			out := filepath.Join(root, "report-"+string(rune('a'+i)))
			delay := at(d)
			killed := killAfter(t, delay, report, append(args, "-out", out)...)
			runFor(t, report, append(args, "-out", out)...)
			t.Logf("killed after %v of %v (before the end: %v); rerun", delay, d, killed)
			compareDirs(t, "report", ref, out)
		}
	})

	// A report killed while it replaces an earlier one (-k 4) leaves
	// either that one or the new one, never a mix: checked before any
	// rerun.
	t.Run("report replacing another", func(t *testing.T) {
		args := []string{"-runs", refRuns, "-data", data, "-quiet"}
		oldArgs := append(slices.Clone(args), "-k", "4")
		refOld, refNew := filepath.Join(root, "replace-old-ref"), filepath.Join(root, "replace-new-ref")
		runFor(t, report, append(oldArgs, "-out", refOld)...)
		d := runFor(t, report, append(args, "-out", refNew)...)
		for i := range 2 * killPoints {
			out := filepath.Join(root, "replace-"+string(rune('a'+i)))
			runFor(t, report, append(oldArgs, "-out", out)...)
			delay := d*8/10 + at(d*4/10) // around the end of the run, where the files are written
			killed := killAfter(t, delay, report, append(args, "-out", out)...)
			old, fresh := dirDiff(t, refOld, out), dirDiff(t, refNew, out)
			t.Logf("killed after %v of %v (before the end: %v): old report %v, new %v", delay, d, killed, old == "", fresh == "")
			if old != "" && fresh != "" {
				t.Errorf("killed after %v: the output is neither the old report (%s) nor the new one (%s)", delay, old, fresh)
			}
		}
	})
}

// dirDiff returns the first difference between the report directories
// want and got (timings blanked), or "" when they hold the same files.
func dirDiff(t *testing.T, want, got string) string {
	t.Helper()
	wf, gf := files(t, want), files(t, got)
	if !slices.Equal(wf, gf) {
		return fmt.Sprintf("files %v, want %v", gf, wf)
	}
	for _, f := range wf {
		a, _ := os.ReadFile(filepath.Join(want, f))
		b, _ := os.ReadFile(filepath.Join(got, f))
		switch filepath.Ext(f) {
		case ".json", ".html", ".md":
			a, b = timings.ReplaceAll(a, []byte("T")), timings.ReplaceAll(b, []byte("T"))
		}
		if !bytes.Equal(a, b) {
			return f + " differs"
		}
	}
	return ""
}
