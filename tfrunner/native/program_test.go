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
)

// randomBatch returns n images with pixel values in [0, 1) and labels.
func randomBatch(rng *rand.Rand, m *graphs.Model, n int) ([]float32, []int) {
	x := make([]float32, n*m.Input.Size())
	for i := range x {
		x[i] = rng.Float32()
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(m.Classes())
	}
	return x, labels
}

// randomWeights is Glorot initialisation with small random biases, so that
// biases matter in the tests.
func randomWeights(m *graphs.Model, seed uint64) tfrunner.Weights {
	w := tfrunner.InitWeights(m, seed)
	rng := rand.New(rand.NewPCG(seed, 99))
	for i, s := range m.ParamSpecs() {
		if s.Name == "bias" {
			for j := range w[i].Data {
				w[i].Data[j] = 0.05 * float32(rng.NormFloat64())
			}
		}
	}
	return w
}

func mustCompile(t testing.TB, m *graphs.Model, w tfrunner.Weights, cfg tfrunner.Config) *Program {
	t.Helper()
	p, err := Compile(m, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// oddModel exercises stride 2, SAME padding on odd sizes, overlapping
// pooling and a convolution whose input gradient is needed.
func oddModel(classes int) *graphs.Model {
	m, err := graphs.New("odd", graphs.Shape{11, 9, 2},
		&graphs.Conv2D{Filters: 5, Kernel: 3, Stride: 2, Padding: graphs.Same, Activation: graphs.ReLU},
		&graphs.MaxPool2D{Pool: 3, Stride: 1, Padding: graphs.Same},
		&graphs.Conv2D{Filters: 7, Kernel: 2, Padding: graphs.Valid, Activation: graphs.Linear},
		&graphs.MaxPool2D{Pool: 2, Padding: graphs.Same},
		&graphs.Flatten{},
		&graphs.Dense{Units: 6, Activation: graphs.ReLU},
		&graphs.Dense{Units: classes, Activation: graphs.Softmax},
	)
	if err != nil {
		panic(err)
	}
	return m
}

// cornerModels cover the phase structure's corner cases: no spatial layer
// (a leading Flatten), a pool before the first weights, and two convs in a
// row, the first with a linear activation feeding a pool through nothing.
func cornerModels() []*graphs.Model {
	must := func(m *graphs.Model, err error) *graphs.Model {
		if err != nil {
			panic(err)
		}
		return m
	}
	return []*graphs.Model{
		must(graphs.New("flat", graphs.Shape{4, 5, 2},
			&graphs.Flatten{},
			&graphs.Dense{Units: 9, Activation: graphs.ReLU},
			&graphs.Dense{Units: 3, Activation: graphs.Softmax})),
		must(graphs.New("poolfirst", graphs.Shape{9, 8, 3},
			&graphs.MaxPool2D{Pool: 2},
			&graphs.Conv2D{Filters: 8, Kernel: 3, Padding: graphs.Same, Activation: graphs.ReLU},
			&graphs.Flatten{},
			&graphs.Dense{Units: 4, Activation: graphs.Softmax})),
		must(graphs.New("convconv", graphs.Shape{10, 9, 1},
			&graphs.Conv2D{Filters: 4, Kernel: 3, Padding: graphs.Valid, Activation: graphs.ReLU},
			&graphs.Conv2D{Filters: 16, Kernel: 2, Stride: 2, Padding: graphs.Same},
			&graphs.MaxPool2D{Pool: 2, Padding: graphs.Same},
			&graphs.Flatten{},
			&graphs.Dense{Units: 12, Activation: graphs.ReLU},
			&graphs.Dense{Units: 20, Activation: graphs.Linear},
			&graphs.Dense{Units: 2, Activation: graphs.Softmax})),
	}
}

func testModels() []*graphs.Model {
	return append([]*graphs.Model{graphs.A(5), graphs.Default(5), graphs.B(5), oddModel(3)}, cornerModels()...)
}

// TestTrainStepMatchesReference compares two training steps of every study
// model (and an odd one) with the float64 reference: loss, accuracy,
// gradients (through Adam's first moment after the first step) and weights.
func TestTrainStepMatchesReference(t *testing.T) {
	for _, k := range availableKernels() {
		for _, m := range testModels() {
			t.Run(k.name+"/"+m.Name, func(t *testing.T) {
				withKernel(t, k, func() { checkAgainstReference(t, m) })
			})
		}
	}
}

func checkAgainstReference(t *testing.T, m *graphs.Model) {
	rng := rand.New(rand.NewPCG(13, 14))
	w := randomWeights(m, 3)
	p := mustCompile(t, m, w, tfrunner.Config{MaxBatch: 4, Threads: 2})
	ref := newRefModel(m, w)
	h := tfrunner.KerasAdam
	mom := make([][]float64, len(ref.w))
	vel := make([][]float64, len(ref.w))
	for i := range ref.w {
		mom[i], vel[i] = make([]float64, len(ref.w[i])), make([]float64, len(ref.w[i]))
	}
	for step := 1; step <= 2; step++ {
		x, labels := randomBatch(rng, m, 3+step%2)
		loss, correct, err := p.TrainStep(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		wantLoss, grads, outs := ref.lossAndGrads(to64(x), labels)
		if math.Abs(loss-wantLoss) > 1e-5*math.Max(1, wantLoss) {
			t.Errorf("step %d: loss %v, want %v", step, loss, wantLoss)
		}
		probs := outs[len(outs)-1]
		wantCorrect := 0
		for i, y := range labels {
			row := probs[i*m.Classes() : (i+1)*m.Classes()]
			if slices.Index(row, slices.Max(row)) == y {
				wantCorrect++
			}
		}
		if correct != wantCorrect {
			t.Errorf("step %d: correct %d, want %d", step, correct, wantCorrect)
		}
		if step == 1 {
			st, _ := p.Optimizer()
			for i, s := range m.ParamSpecs() {
				g := make([]float32, len(st.M[i].Data))
				for j, v := range st.M[i].Data {
					g[j] = v / float32(1-h.Beta1)
				}
				checkClose(t, "gradient of "+s.Key(), g, allIdx(len(g)), grads[i], 1e-3)
			}
		}
		for i := range ref.w {
			refAdam(h, step, ref.w[i], grads[i], mom[i], vel[i])
		}
		got, _ := p.Weights()
		for i, s := range m.ParamSpecs() {
			// One Adam step moves a weight by about lr·sign(g), so weights
			// agree to float32 rounding plus the gradient error times lr.
			for j, v := range got[i].Data {
				if d := math.Abs(float64(v) - ref.w[i][j]); d > 2e-6+1e-5*math.Abs(ref.w[i][j]) {
					t.Fatalf("step %d: %s[%d] = %v, want %v", step, s.Key(), j, v, ref.w[i][j])
				}
			}
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

// train runs steps batches through p and returns its weights.
func train(t testing.TB, p *Program, m *graphs.Model, steps, batch int, seed uint64) tfrunner.Weights {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	for s := range steps {
		n := batch - s%3 // include smaller batches
		x, labels := randomBatch(rng, m, n)
		if _, _, err := p.TrainStep(x, labels); err != nil {
			t.Fatal(err)
		}
	}
	w, err := p.Weights()
	if err != nil {
		t.Fatal(err)
	}
	return w
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
		for _, m := range testModels() {
			if testing.Short() && m.Name == "B" {
				continue
			}
			t.Run(k.name+"/"+m.Name, func(t *testing.T) {
				withKernel(t, k, func() {
					w0 := randomWeights(m, 4)
					var first tfrunner.Weights
					var firstOut []float32
					x, _ := randomBatch(rand.New(rand.NewPCG(1, 1)), m, 70)
					for _, threads := range []int{2, 2, 1, 3} {
						p := mustCompile(t, m, w0, tfrunner.Config{MaxBatch: 7, Threads: threads})
						w := train(t, p, m, 5, 7, 21)
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
	p := mustCompile(t, m, randomWeights(m, 5), tfrunner.Config{MaxBatch: 10})
	x, _ := randomBatch(rand.New(rand.NewPCG(2, 2)), m, 150)
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

func TestForwardShapes(t *testing.T) {
	for _, m := range testModels() {
		p := mustCompile(t, m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: 3})
		shapes, _ := m.Shapes()
		x, _ := randomBatch(rand.New(rand.NewPCG(3, 3)), m, 5)
		for i, l := range m.Layers {
			for _, name := range []string{l.LayerName(), ""} {
				if name == "" && i != len(m.Layers)-1 {
					continue
				}
				out, err := p.Forward(x, 5, name)
				if err != nil {
					t.Fatalf("%s %q: %v", m.Name, name, err)
				}
				if len(out) != 5*shapes[i].Size() {
					t.Errorf("%s %q: %d values, want 5×%d", m.Name, name, len(out), shapes[i].Size())
				}
			}
		}
		probs, _ := p.Forward(x, 5, "")
		for i := range 5 {
			s := 0.0
			for _, v := range probs[i*m.Classes() : (i+1)*m.Classes()] {
				s += float64(v)
			}
			if math.Abs(s-1) > 1e-5 {
				t.Errorf("%s: probabilities of image %d sum to %v", m.Name, i, s)
			}
		}
	}
}

// TestForwardMatchesReference compares every layer's output with the
// float64 reference.
func TestForwardMatchesReference(t *testing.T) {
	for _, m := range testModels() {
		w := randomWeights(m, 6)
		p := mustCompile(t, m, w, tfrunner.Config{MaxBatch: 2})
		x, labels := randomBatch(rand.New(rand.NewPCG(4, 4)), m, 3)
		_, _, outs := newRefModel(m, w).lossAndGrads(to64(x), labels)
		for i, l := range m.Layers {
			got, err := p.Forward(x, 3, l.LayerName())
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, m.Name+"/"+l.LayerName(), got, allIdx(len(got)), outs[i], 1e-4)
		}
	}
}

func TestBadInputs(t *testing.T) {
	m := graphs.A(5)
	w := tfrunner.InitWeights(m, 1)
	p := mustCompile(t, m, w, tfrunner.Config{MaxBatch: 4})
	x, labels := randomBatch(rand.New(rand.NewPCG(5, 5)), m, 4)
	bad := Zeros(m)
	bad[0].Data = bad[0].Data[:3]
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"short x", func() error { _, _, err := p.TrainStep(x[:100], labels); return err }, "input values"},
		{"too many", func() error {
			x5, l5 := randomBatch(rand.New(rand.NewPCG(1, 1)), m, 5)
			_, _, err := p.TrainStep(x5, l5)
			return err
		}, "MaxBatch"},
		{"empty", func() error { _, _, err := p.TrainStep(nil, nil); return err }, "empty"},
		{"label", func() error { _, _, err := p.TrainStep(x, []int{0, 1, 5, 2}); return err }, "label 5"},
		{"negative label", func() error { _, _, err := p.TrainStep(x, []int{0, -1, 2, 2}); return err }, "label -1"},
		{"forward n", func() error { _, err := p.Forward(x, 3, ""); return err }, "input values"},
		{"forward layer", func() error { _, err := p.Forward(x, 4, "nope"); return err }, "no layer"},
		{"set weights", func() error { return p.SetWeights(bad) }, "set weights"},
		{"set weights count", func() error { return p.SetWeights(w[:2]) }, "set weights"},
		{"set optimizer", func() error {
			return p.SetOptimizer(tfrunner.OptimizerState{Step: 1, M: bad, V: Zeros(m)})
		}, "first moments"},
		{"negative step", func() error {
			return p.SetOptimizer(tfrunner.OptimizerState{Step: -1, M: Zeros(m), V: Zeros(m)})
		}, "negative step"},
		{"nil model", func() error { _, err := Compile(nil, w, tfrunner.Config{}); return err }, "nil model"},
		{"threads", func() error { _, err := Compile(m, w, tfrunner.Config{Threads: -1}); return err }, "Threads"},
		{"max batch", func() error { _, err := Compile(m, w, tfrunner.Config{MaxBatch: -1}); return err }, "MaxBatch"},
		{"adam", func() error {
			_, err := Compile(m, w, tfrunner.Config{Adam: tfrunner.Adam{LearningRate: 1e-3, Beta1: 1, Beta2: .9, Epsilon: 1e-7}})
			return err
		}, "betas"},
		{"weights", func() error { _, err := Compile(m, bad, tfrunner.Config{}); return err }, "initial weights"},
		{"wrong model weights", func() error {
			_, err := New().Build(m, tfrunner.InitWeights(graphs.B(5), 1), tfrunner.Config{})
			return err
		}, "initial weights"},
	}
	for _, tt := range tests {
		err := tt.err()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	// A failed call leaves the program usable.
	if _, _, err := p.TrainStep(x, labels); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, _, err := p.TrainStep(x, labels); err == nil {
		t.Error("train step after Close: no error")
	}
	if _, err := p.Forward(x, 4, ""); err == nil {
		t.Error("forward after Close: no error")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Zeros is tfrunner.Zeros, shortened for the tests.
func Zeros(m *graphs.Model) tfrunner.Weights { return tfrunner.Zeros(m) }

func TestStateRoundTrip(t *testing.T) {
	m := graphs.A(5)
	p := mustCompile(t, m, randomWeights(m, 7), tfrunner.Config{MaxBatch: 8})
	train(t, p, m, 3, 8, 1)
	w, _ := p.Weights()
	st, _ := p.Optimizer()
	if st.Step != 3 {
		t.Errorf("step %d, want 3", st.Step)
	}
	for i, s := range m.ParamSpecs() {
		if w[i].Name != s.Key() || st.M[i].Name != s.Key() || fmt.Sprint(w[i].Shape) != fmt.Sprint(s.Shape) {
			t.Errorf("tensor %d: %q %v", i, w[i].Name, w[i].Shape)
		}
	}
	// A program restored from the state continues exactly like the original.
	q := mustCompile(t, m, w, tfrunner.Config{MaxBatch: 8, Threads: 1})
	if err := q.SetOptimizer(st); err != nil {
		t.Fatal(err)
	}
	a := train(t, p, m, 2, 8, 2)
	b := train(t, q, m, 2, 8, 2)
	if err := sameWeights(a, b); err != nil {
		t.Error(err)
	}
	// The copies are independent of the program.
	w[0].Data[0] = 42
	if w2, _ := p.Weights(); w2[0].Data[0] == 42 {
		t.Error("Weights returned the program's own memory")
	}
}

// TestLearnsSeparable trains model A on a synthetic problem where each class
// lights up its own horizontal band of the image: the loss must fall.
func TestLearnsSeparable(t *testing.T) {
	m := graphs.A(5)
	p := mustCompile(t, m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: 16})
	rng := rand.New(rand.NewPCG(8, 8))
	batch := func() ([]float32, []int) {
		x := make([]float32, 16*784)
		labels := make([]int, 16)
		for i := range labels {
			c := rng.IntN(5)
			labels[i] = c
			for j := range 784 {
				v := 0.2 * rng.Float32()
				if row := j / 28; row >= 5*c+2 && row < 5*c+6 {
					v += 0.8
				}
				x[i*784+j] = v
			}
		}
		return x, labels
	}
	var first, last float64
	for s := range 60 {
		x, labels := batch()
		loss, _, err := p.TrainStep(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		if s < 5 {
			first += loss / 5
		}
		if s >= 55 {
			last += loss / 5
		}
	}
	if !(last < first/4) {
		t.Errorf("loss went from %.3f to %.3f", first, last)
	}
	x, labels := batch()
	_, correct, _ := p.TrainStep(x, labels)
	if correct < 15 {
		t.Errorf("accuracy %d/16 after training", correct)
	}
}

func TestRegistered(t *testing.T) {
	e, err := tfrunner.Open("native")
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != "native" {
		t.Errorf("name %q", e.Name())
	}
	m := graphs.Default(5)
	prog, err := e.Build(m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: 10, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	if d := prog.Device(); !strings.HasPrefix(d, "cpu (2 threads") {
		t.Errorf("device %q", d)
	}
}
