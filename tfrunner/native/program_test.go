package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"fmnist/graphs"
	"fmnist/tfrunner"
	et "fmnist/tfrunner/enginetest"
)

func mustCompile(t testing.TB, m *graphs.Model, w tfrunner.Weights, cfg tfrunner.Config) *Program {
	t.Helper()
	p, err := Compile(m, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestConformance runs tfrunner's engine conformance suite.
func TestConformance(t *testing.T) { et.Run(t, Name) }

// TestTrainStepMatchesReference runs the suite's training-step check with
// every GEMM kernel this CPU has (the suite itself runs the default one).
func TestTrainStepMatchesReference(t *testing.T) {
	for _, k := range availableKernels() {
		for _, m := range et.Models() {
			t.Run(k.name+"/"+m.Name, func(t *testing.T) {
				withKernel(t, k, func() { et.CheckTrainStep(t, New(), m) })
			})
		}
	}
}

func TestAdamUpdate(t *testing.T) {
	// Hand-computed: g = 0.5 then -0.25, lr 0.001, β1 .9, β2 .999, ε 1e-7.
	// Step 1: m = .05, v = .00025, alpha = .001·sqrt(.001)/.1 = 3.1623e-4,
	// w -= alpha·.05/(sqrt(.00025)+1e-7) = 9.999937e-4.
	// Step 2: m = .045-.025 = .02, v = .00024975+.0000625 = .00031225,
	// alpha = .001·sqrt(1-.999²)/(1-.81) = 2.353167e-4,
	// w -= alpha·.02/(sqrt(.00031225)+1e-7) = 2.663355e-4.
	w, g, m, v := []float32{1}, []float32{0.5}, []float32{0}, []float32{0}
	adam(w, g, m, v, newAdamStep(tfrunner.KerasAdam, 1))
	if want := 1 - 9.999937e-4; math.Abs(float64(w[0])-want) > 1e-7 {
		t.Errorf("step 1: w = %.9f, want %.9f", w[0], want)
	}
	g[0] = -0.25
	adam(w, g, m, v, newAdamStep(tfrunner.KerasAdam, 2))
	if want := 1 - 9.999937e-4 - 2.663355e-4; math.Abs(float64(w[0])-want) > 1e-7 {
		t.Errorf("step 2: w = %.9f, want %.9f", w[0], want)
	}
	if math.Abs(float64(m[0])-0.02) > 1e-8 || math.Abs(float64(v[0])-0.00031225) > 1e-10 {
		t.Errorf("moments m=%v v=%v", m[0], v[0])
	}
}

// TestAdamImplementations checks that the SIMD update (if any) gives the
// same bits as the pure-Go one on odd lengths.
func TestAdamImplementations(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 3, 7, 8, 17, 33, 64, 100, 1001} {
		w, g := randSlice(rng, n), randSlice(rng, n)
		m, v := randSlice(rng, n), randSlice(rng, n)
		for i := range v {
			v[i] *= v[i]
		}
		w2, m2, v2 := slices.Clone(w), slices.Clone(m), slices.Clone(v)
		s := newAdamStep(tfrunner.KerasAdam, 7)
		adam(w, g, m, v, s)
		adamGo(w2, g, m2, v2, s)
		if !slices.Equal(w, w2) || !slices.Equal(m, m2) || !slices.Equal(v, v2) {
			t.Errorf("n=%d: SIMD and Go Adam differ", n)
		}
	}
}

func sameWeights(a, b tfrunner.Weights) error {
	for i := range a {
		for j := range a[i].Data {
			if math.Float32bits(a[i].Data[j]) != math.Float32bits(b[i].Data[j]) {
				return fmt.Errorf("%s[%d]: %v vs %v", a[i].Name, j, a[i].Data[j], b[i].Data[j])
			}
		}
	}
	return nil
}

// TestDeterminism trains two programs from the same weights on the same
// batches, with 1, 2 and 3 threads: the weights must be bit-identical.
func TestDeterminism(t *testing.T) {
	for _, k := range availableKernels() {
		for _, m := range et.Models() {
			if testing.Short() && m.Name == "B" {
				continue
			}
			t.Run(k.name+"/"+m.Name, func(t *testing.T) {
				withKernel(t, k, func() {
					w0 := et.RandomWeights(m, 4)
					var first tfrunner.Weights
					var firstOut []float32
					x, _ := et.RandomBatch(rand.New(rand.NewPCG(1, 1)), m, 70)
					for _, threads := range []int{2, 2, 1, 3} {
						p := mustCompile(t, m, w0, tfrunner.Config{MaxBatch: 7, Threads: threads})
						w := et.Train(t, p, m, 5, 7, 21)
						out, err := p.Forward(x, 70, "")
						if err != nil {
							t.Fatal(err)
						}
						if first == nil {
							first, firstOut = w, out
							continue
						}
						if err := sameWeights(first, w); err != nil {
							t.Fatalf("%d threads: weights differ: %v", threads, err)
						}
						if !slices.Equal(firstOut, out) {
							t.Fatalf("%d threads: forward differs", threads)
						}
					}
				})
			})
		}
	}
}

// TestForwardIndependentOfN checks that an image's output does not depend
// on how many other images are in the call.
func TestForwardIndependentOfN(t *testing.T) {
	m := graphs.Default(5)
	p := mustCompile(t, m, et.RandomWeights(m, 5), tfrunner.Config{MaxBatch: 10})
	x, _ := et.RandomBatch(rand.New(rand.NewPCG(2, 2)), m, 150)
	all, err := p.Forward(x, 150, "flatten")
	if err != nil {
		t.Fatal(err)
	}
	size := 14 * 14 * 32
	for _, i := range []int{0, 63, 64, 149} {
		one, err := p.Forward(x[i*784:(i+1)*784], 1, "flatten")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(one, all[i*size:(i+1)*size]) {
			t.Errorf("image %d alone differs", i)
		}
	}
}

// TestResumeBitIdentical checks that a program restored from another's
// weights and Adam state continues bit for bit like it (the suite asks for
// closeness only), with another thread count.
func TestResumeBitIdentical(t *testing.T) {
	m := graphs.A(5)
	p := mustCompile(t, m, et.RandomWeights(m, 7), tfrunner.Config{MaxBatch: 8})
	et.Train(t, p, m, 3, 8, 1)
	w, _ := p.Weights()
	st, _ := p.Optimizer()
	q := mustCompile(t, m, w, tfrunner.Config{MaxBatch: 8, Threads: 1})
	if err := q.SetOptimizer(st); err != nil {
		t.Fatal(err)
	}
	a := et.Train(t, p, m, 2, 8, 2)
	b := et.Train(t, q, m, 2, 8, 2)
	if err := sameWeights(a, b); err != nil {
		t.Error(err)
	}
}

// TestDevice checks the native engine's device string.
func TestDevice(t *testing.T) {
	m := graphs.Default(5)
	prog, err := New().Build(m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: 10, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	if d := prog.Device(); !strings.HasPrefix(d, "cpu (2 threads") {
		t.Errorf("device %q", d)
	}
}
