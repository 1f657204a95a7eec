//go:build tensorflow

package tensorflow

// These tests need libtensorflow 2.15 (make libtensorflow) and run in make
// test; by hand: eval "$(make -s tf-env)"; go test -tags tensorflow ./tfrunner/tensorflow

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
	et "fmnist/tfrunner/enginetest"
	_ "fmnist/tfrunner/native"
)

// Tolerances between the engines, relative to the size of the values
// compared (enginetest.CheckClose): a layer's output, and the weights and
// Adam moments after a step. Elementwise comparison is not the measure: a
// weight whose gradient is near 0 moves by lr·g/(|g|+ε) after Adam's first
// step, which turns the last bits of g into a visible difference.
const (
	forwardTol = 1e-5
	stateTol   = 1e-4
)

// TestMain turns off TensorFloat-32 before libtensorflow starts cuBLAS and
// cuDNN: on Ampere and newer GPUs TensorFlow otherwise runs float32 matrix
// products and convolutions with 10-bit mantissas (relative error ~1e-3),
// far from the native engine's float32 at 1e-4. NVIDIA_TF32_OVERRIDE=0 is
// read by the CUDA libraries themselves; a value already set is kept.
func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv("NVIDIA_TF32_OVERRIDE"); !ok {
		os.Setenv("NVIDIA_TF32_OVERRIDE", "0")
	}
	os.Exit(m.Run())
}

// stridedModel exercises what the study's models do not: strides above 1,
// a pooling window larger than its stride, SAME pooling with odd sizes, a
// linear convolution and a linear Dense layer.
func stridedModel(t *testing.T) *graphs.Model {
	t.Helper()
	m, err := graphs.New("strided", graphs.InputShape,
		&graphs.Conv2D{Filters: 6, Kernel: 5, Stride: 2, Padding: graphs.Same, Activation: graphs.ReLU},
		&graphs.MaxPool2D{Pool: 3, Stride: 2, Padding: graphs.Same},
		&graphs.Conv2D{Filters: 4, Kernel: 2, Padding: graphs.Valid, Activation: graphs.Linear},
		&graphs.MaxPool2D{Pool: 2, Stride: 1},
		&graphs.Flatten{},
		&graphs.Dense{Units: 7, Activation: graphs.Linear},
		&graphs.Dense{Units: 5, Activation: graphs.Softmax},
	)
	if err != nil {
		t.Fatal(err)
	}
	m.Batch, m.Epochs = 16, 1
	return m
}

// testModels are the models the parity tests run on.
func testModels(t *testing.T) []*graphs.Model {
	return []*graphs.Model{graphs.Default(5), graphs.A(5), graphs.A(10), stridedModel(t)}
}

// engines opens both engines.
func engines(t *testing.T) (tfe, nat tfrunner.Engine) {
	t.Helper()
	tfe, err := tfrunner.Open(Name)
	if err != nil {
		t.Fatal(err)
	}
	nat, err = tfrunner.Open("native")
	if err != nil {
		t.Fatal(err)
	}
	return tfe, nat
}

// assertWeightsClose compares two engines' tensors with stateTol.
func assertWeightsClose(t *testing.T, what string, got, want tfrunner.Weights) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tensors, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i].Name != want[i].Name || fmt.Sprint(got[i].Shape) != fmt.Sprint(want[i].Shape) {
			t.Errorf("%s %d: %s %v, native %s %v", what, i, got[i].Name, got[i].Shape, want[i].Name, want[i].Shape)
			continue
		}
		et.CheckClose(t, what+" "+got[i].Name, got[i].Data, et.To64(want[i].Data), stateTol)
	}
}

// TestConformance runs tfrunner's engine conformance suite.
func TestConformance(t *testing.T) { et.Run(t, Name) }

// TestRegistered checks that the tagged build registers the engine and makes
// it the default.
func TestRegistered(t *testing.T) {
	found := false
	for _, n := range tfrunner.Engines() {
		found = found || n == Name
	}
	if !found || tfrunner.DefaultEngine() != Name {
		t.Fatalf("engines %v, default %q: tensorflow is not registered", tfrunner.Engines(), tfrunner.DefaultEngine())
	}
	t.Log(Engine{}.Version())
}

// TestLayersMatchNative compares every layer's output (Conv2D SAME and
// VALID, strided; MaxPool2D SAME and VALID, overlapping; Flatten; Dense
// linear, ReLU and softmax) with the native engine's, from the same weights
// and images.
func TestLayersMatchNative(t *testing.T) {
	tfe, nat := engines(t)
	for _, m := range testModels(t) {
		t.Run(fmt.Sprintf("%s_%d", m.Name, m.Classes()), func(t *testing.T) {
			const n = 7
			w := et.RandomWeights(m, 11)
			x, _ := et.RandomBatch(rand.New(rand.NewPCG(12, 7)), m, n)
			tp, np := et.Build(t, tfe, m, w, tfrunner.Config{MaxBatch: n}), et.Build(t, nat, m, w, tfrunner.Config{MaxBatch: n})
			names := []string{""}
			for _, l := range m.Layers {
				names = append(names, l.LayerName())
			}
			for _, name := range names {
				got, err := tp.Forward(x, n, name)
				if err != nil {
					t.Fatalf("tensorflow forward %q: %v", name, err)
				}
				want, err := np.Forward(x, n, name)
				if err != nil {
					t.Fatalf("native forward %q: %v", name, err)
				}
				et.CheckClose(t, "layer "+name, got, et.To64(want), forwardTol)
			}
			if d := tp.Device(); !strings.HasPrefix(d, "/device:") {
				t.Errorf("device %q", d)
			}
		})
	}
}

// TestTrainStepMatchesNative runs one training step on both engines from
// the same weights and batch and compares the loss, the correct count, the
// updated weights and Adam's state (whose first moments are 0.1 times the
// gradients).
func TestTrainStepMatchesNative(t *testing.T) {
	tfe, nat := engines(t)
	for _, m := range testModels(t) {
		t.Run(fmt.Sprintf("%s_%d", m.Name, m.Classes()), func(t *testing.T) {
			const n = 32
			w := et.RandomWeights(m, 21)
			x, y := et.RandomBatch(rand.New(rand.NewPCG(22, 7)), m, n)
			tp, np := et.Build(t, tfe, m, w, tfrunner.Config{MaxBatch: n}), et.Build(t, nat, m, w, tfrunner.Config{MaxBatch: n})
			if p, ok := tp.(*program); ok && !p.gr.symbolic {
				t.Logf("NOTE: op.Gradients failed for %s; the hand-built backward pass is in use", m.Name)
			}
			tl, tc, err := tp.TrainStep(x, y)
			if err != nil {
				t.Fatal(err)
			}
			nl, nc, err := np.TrainStep(x, y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(tl-nl) > forwardTol*math.Abs(nl) || tc != nc {
				t.Errorf("loss %v correct %d, native %v %d", tl, tc, nl, nc)
			}
			compareState(t, tp, np)
		})
	}
}

// compareState compares the weights and Adam state of two programs.
func compareState(t *testing.T, tp, np tfrunner.Program) {
	t.Helper()
	tw, err := tp.Weights()
	if err != nil {
		t.Fatal(err)
	}
	nw, err := np.Weights()
	if err != nil {
		t.Fatal(err)
	}
	assertWeightsClose(t, "weight", tw, nw)
	ts, err := tp.Optimizer()
	if err != nil {
		t.Fatal(err)
	}
	ns, err := np.Optimizer()
	if err != nil {
		t.Fatal(err)
	}
	if ts.Step != ns.Step {
		t.Errorf("adam step %d, native %d", ts.Step, ns.Step)
	}
	assertWeightsClose(t, "adam m", ts.M, ns.M)
	assertWeightsClose(t, "adam v", ts.V, ns.V)
}

// TestResumedStepMatchesNative restores the same mid-training Adam state
// (step 10, non-zero moments) on both engines and compares one more step:
// it checks that SetOptimizer sets the beta powers for step 11.
func TestResumedStepMatchesNative(t *testing.T) {
	tfe, nat := engines(t)
	m := graphs.A(5)
	const n = 32
	w := et.RandomWeights(m, 31)
	st := tfrunner.OptimizerState{Step: 10, M: tfrunner.Zeros(m), V: tfrunner.Zeros(m)}
	rng := rand.New(rand.NewPCG(32, 1))
	for i := range st.M {
		for j := range st.M[i].Data {
			st.M[i].Data[j] = float32(rng.NormFloat64() * 1e-3)
			st.V[i].Data[j] = float32(rng.Float64() * 1e-6)
		}
	}
	x, y := et.RandomBatch(rand.New(rand.NewPCG(33, 7)), m, n)
	tp, np := et.Build(t, tfe, m, w, tfrunner.Config{MaxBatch: n}), et.Build(t, nat, m, w, tfrunner.Config{MaxBatch: n})
	for _, p := range []tfrunner.Program{tp, np} {
		if err := p.SetOptimizer(st); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.TrainStep(x, y); err != nil {
			t.Fatal(err)
		}
	}
	compareState(t, tp, np)
	got, err := tp.Optimizer()
	if err != nil {
		t.Fatal(err)
	}
	if got.Step != 11 {
		t.Errorf("step after one update from 10: %d", got.Step)
	}
}

// TestManualGradientsMatchSymbolic checks the hand-built backward pass (the
// fallback) against op.Gradients.
func TestManualGradientsMatchSymbolic(t *testing.T) {
	for _, m := range testModels(t) {
		t.Run(fmt.Sprintf("%s_%d", m.Name, m.Classes()), func(t *testing.T) {
			const n = 16
			w := et.RandomWeights(m, 41)
			x, y := et.RandomBatch(rand.New(rand.NewPCG(42, 7)), m, n)
			cfg := tfrunner.Config{Adam: tfrunner.KerasAdam, MaxBatch: n}
			sym, err := build(m, w, cfg, symbolicGradients)
			if err != nil {
				t.Fatalf("op.Gradients cannot differentiate %s: %v", m.Name, err)
			}
			defer sym.Close()
			man, err := build(m, w, cfg, manualGradients)
			if err != nil {
				t.Fatal(err)
			}
			defer man.Close()
			for _, p := range []*program{sym, man} {
				if _, _, err := p.TrainStep(x, y); err != nil {
					t.Fatal(err)
				}
			}
			compareState(t, man, sym)
		})
	}
}

// TestOneEpochModelAMatchesNative trains model A for one epoch on the real
// data with both engines (same seed, so the same initial weights and
// shuffles) and compares the validation accuracy: within 0.5 percentage
// points. The two runs drift apart only through float32 rounding.
func TestOneEpochModelAMatchesNative(t *testing.T) {
	if testing.Short() {
		t.Skip("trains model A for one epoch twice")
	}
	dir := os.Getenv("FMNIST_DATA")
	if dir == "" {
		dir = dataset.DefaultDir
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("no Fashion-MNIST at %s (apt-get install dataset-fashion-mnist, or set FMNIST_DATA): %v", dir, err)
	}
	d, err := dataset.Load(dataset.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tfe, nat := engines(t)
	acc := map[string]float64{}
	for _, e := range []tfrunner.Engine{tfe, nat} {
		m := graphs.A(d.Classes)
		f, err := tfrunner.Fit(context.Background(), e, m, d, tfrunner.Options{Epochs: 1, Seed: 5, Dir: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		h := f.History.Epochs
		if len(h) != 1 {
			t.Fatalf("%s: %d epochs of history", e.Name(), len(h))
		}
		acc[e.Name()] = h[0].ValAccuracy
		t.Logf("%s on %s: loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f (%.1f s)",
			e.Name(), f.Program.Device(), h[0].Loss, h[0].Accuracy, h[0].ValLoss, h[0].ValAccuracy, h[0].Seconds)
		if err := f.Program.Close(); err != nil {
			t.Error(err)
		}
	}
	if diff := math.Abs(acc[Name] - acc["native"]); diff > 0.005 {
		t.Errorf("validation accuracy %.4f (tensorflow) vs %.4f (native): %.2f pp apart, want <= 0.5", acc[Name], acc["native"], 100*diff)
	}
}
