package native

import (
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fmnist/graphs"
	"fmnist/tfrunner"
)

// TestFashionMNIST trains a study model on the real data and reports the
// seconds per epoch of 48,000 images and the accuracies, like
// /work/shared/bench/torch_seed.py. It runs only when FMNIST_EPOCHS is set:
//
//	FMNIST_EPOCHS=5 FMNIST_MODEL=A go test -run FashionMNIST -v ./tfrunner/native
//
// FMNIST_DATA overrides the directory of the IDX files
// (/usr/share/datasets/fashion-mnist).
func TestFashionMNIST(t *testing.T) {
	epochs, _ := strconv.Atoi(os.Getenv("FMNIST_EPOCHS"))
	if epochs <= 0 {
		t.Skip("set FMNIST_EPOCHS to train on Fashion-MNIST")
	}
	dir := os.Getenv("FMNIST_DATA")
	if dir == "" {
		dir = "/usr/share/datasets/fashion-mnist"
	}
	name := os.Getenv("FMNIST_MODEL")
	if name == "" {
		name = "A"
	}
	m, err := graphs.ByName(name, 5)
	if err != nil {
		t.Fatal(err)
	}
	xtr, ytr := readIDX(t, dir, "train")
	xte, yte := readIDX(t, dir, "t10k")
	nval := len(ytr) / 5 // Keras' validation_split=0.2 takes the last 20%
	xva, yva := xtr[(len(ytr)-nval)*784:], ytr[len(ytr)-nval:]
	xtr, ytr = xtr[:(len(ytr)-nval)*784], ytr[:len(ytr)-nval]

	p := mustCompile(t, m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: m.Batch})
	t.Logf("model %s, %d parameters, batch %d, %s", m.Name, m.ParamCount(), m.Batch, p.Device())
	n := len(ytr)
	x := make([]float32, m.Batch*784)
	y := make([]int, m.Batch)
	total := 0.0
	for e := range epochs {
		perm := rand.New(rand.NewPCG(uint64(e), 7)).Perm(n)
		start := time.Now()
		lossSum, correct := 0.0, 0
		for lo := 0; lo < n; lo += m.Batch {
			hi := min(lo+m.Batch, n)
			for i, j := range perm[lo:hi] {
				copy(x[i*784:(i+1)*784], xtr[j*784:(j+1)*784])
				y[i] = ytr[j]
			}
			loss, ok, err := p.TrainStep(x[:(hi-lo)*784], y[:hi-lo])
			if err != nil {
				t.Fatal(err)
			}
			lossSum += loss * float64(hi-lo)
			correct += ok
		}
		sec := time.Since(start).Seconds()
		total += sec
		vl, va := evaluate(t, p, xva, yva)
		t.Logf("epoch %d time %.2fs (%.0f images/s) loss %.4f acc %.4f val_loss %.4f val_acc %.4f",
			e+1, sec, float64(n)/sec, lossSum/float64(n), float64(correct)/float64(n), vl, va)
	}
	start := time.Now()
	tl, ta := evaluate(t, p, xte, yte)
	t.Logf("TOTAL train %.2fs test_loss %.4f test_acc %.4f predict_10k %.3fs", total, tl, ta, time.Since(start).Seconds())
}

func evaluate(t *testing.T, p *Program, x []float32, y []int) (loss, acc float64) {
	probs, err := p.Forward(x, len(y), "")
	if err != nil {
		t.Fatal(err)
	}
	l, a := tfrunner.Score(probs, y)
	if math.IsNaN(l) {
		t.Fatal("NaN loss")
	}
	return l, a
}

// group maps the 10 Fashion-MNIST classes to the study's 5.
var group = [10]int{0, 2, 2, 4, 4, 1, 0, 3, 3, 4}

// readIDX reads <prefix>-images-idx3-ubyte.gz and the labels, scaling
// pixels to [0, 1] and grouping the labels.
func readIDX(t *testing.T, dir, prefix string) ([]float32, []int) {
	t.Helper()
	pix := readGz(t, filepath.Join(dir, prefix+"-images-idx3-ubyte.gz"))
	lab := readGz(t, filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz"))
	if len(pix) < 16 || len(lab) < 8 || binary.BigEndian.Uint32(pix) != 2051 || binary.BigEndian.Uint32(lab) != 2049 {
		t.Fatalf("%s: not IDX image and label files", prefix)
	}
	n := int(binary.BigEndian.Uint32(lab[4:]))
	if len(pix) != 16+n*784 || len(lab) != 8+n {
		t.Fatalf("%s: %d labels, %d pixel bytes", prefix, n, len(pix)-16)
	}
	x := make([]float32, n*784)
	for i, b := range pix[16:] {
		x[i] = float32(b) / 255
	}
	y := make([]int, n)
	for i, b := range lab[8:] {
		if b > 9 {
			t.Fatalf("%s: label %d", prefix, b)
		}
		y[i] = group[b]
	}
	return x, y
}

func readGz(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("data not available: %v", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(fmt.Errorf("%s: %w", path, err))
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(fmt.Errorf("%s: %w", path, err))
	}
	return b
}
