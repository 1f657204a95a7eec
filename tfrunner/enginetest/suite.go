// Package enginetest is the conformance suite of tfrunner's Engine
// contract: one table of tests that every registered engine runs, in the
// manner of gomlx's backendtest. Each engine's own test calls Run with its
// registry name; what is particular to one engine (the native engine's
// kernels and bit-identical determinism, the TensorFlow engine's parity
// with the native one) stays in that engine's tests.
//
// The oracle is a float64 implementation of every layer, the loss and Adam
// (reference.go), written independently of the engines.
package enginetest

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

// Tolerances, relative to the size of the values compared (CheckClose).
const (
	// ForwardTol bounds a layer's output against the float64 reference:
	// float32 sums of a few thousand products.
	ForwardTol = 1e-4
	// GradientTol bounds the gradients, which sum over the batch as well.
	GradientTol = 1e-3
)

// Run runs the conformance suite against the engine registered as name.
func Run(t *testing.T, name string) {
	eng, err := tfrunner.Open(name)
	if err != nil {
		t.Fatalf("open engine %q: %v", name, err)
	}
	if got := eng.Name(); got != name {
		t.Errorf("engine %q says its name is %q", name, got)
	}
	tests := []struct {
		name string
		run  func(*testing.T, tfrunner.Engine)
	}{
		{"Device", testDevice},
		{"ForwardShapes", testForwardShapes},
		{"ForwardMatchesReference", testForwardMatchesReference},
		{"ForwardIndependentOfBatch", testForwardIndependentOfBatch},
		{"TrainStepMatchesReference", func(t *testing.T, e tfrunner.Engine) {
			for _, m := range Models() {
				t.Run(m.Name, func(t *testing.T) { CheckTrainStep(t, e, m) })
			}
		}},
		{"StateRoundTrip", testStateRoundTrip},
		{"BadInputs", testBadInputs},
		{"BadConfig", testBadConfig},
		{"LearnsSeparable", testLearnsSeparable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, eng) })
	}
}

// Models are the models the suite runs: the study's three and four that
// cover the corner cases of shape inference and of an engine's phases.
func Models() []*graphs.Model {
	return []*graphs.Model{graphs.A(5), graphs.Default(5), graphs.B(5), Odd(3), Flat(), PoolFirst(), ConvConv()}
}

func must(m *graphs.Model, err error) *graphs.Model {
	if err != nil {
		panic(err) // the definitions below are constant
	}
	return m
}

// Odd exercises stride 2, SAME padding on odd sizes, overlapping pooling
// and a convolution whose input gradient is needed, with the given number
// of classes.
func Odd(classes int) *graphs.Model {
	return must(graphs.New("odd", graphs.Shape{11, 9, 2},
		&graphs.Conv2D{Filters: 5, Kernel: 3, Stride: 2, Padding: graphs.Same, Activation: graphs.ReLU},
		&graphs.MaxPool2D{Pool: 3, Stride: 1, Padding: graphs.Same},
		&graphs.Conv2D{Filters: 7, Kernel: 2, Padding: graphs.Valid, Activation: graphs.Linear},
		&graphs.MaxPool2D{Pool: 2, Padding: graphs.Same},
		&graphs.Flatten{},
		&graphs.Dense{Units: 6, Activation: graphs.ReLU},
		&graphs.Dense{Units: classes, Activation: graphs.Softmax},
	))
}

// Flat has no spatial layer: a leading Flatten.
func Flat() *graphs.Model {
	return must(graphs.New("flat", graphs.Shape{4, 5, 2},
		&graphs.Flatten{},
		&graphs.Dense{Units: 9, Activation: graphs.ReLU},
		&graphs.Dense{Units: 3, Activation: graphs.Softmax}))
}

// PoolFirst pools before its first weights.
func PoolFirst() *graphs.Model {
	return must(graphs.New("poolfirst", graphs.Shape{9, 8, 3},
		&graphs.MaxPool2D{Pool: 2},
		&graphs.Conv2D{Filters: 8, Kernel: 3, Padding: graphs.Same, Activation: graphs.ReLU},
		&graphs.Flatten{},
		&graphs.Dense{Units: 4, Activation: graphs.Softmax}))
}

// ConvConv has two convolutions in a row, the second linear and strided,
// and a linear Dense layer between two others.
func ConvConv() *graphs.Model {
	return must(graphs.New("convconv", graphs.Shape{10, 9, 1},
		&graphs.Conv2D{Filters: 4, Kernel: 3, Padding: graphs.Valid, Activation: graphs.ReLU},
		&graphs.Conv2D{Filters: 16, Kernel: 2, Stride: 2, Padding: graphs.Same},
		&graphs.MaxPool2D{Pool: 2, Padding: graphs.Same},
		&graphs.Flatten{},
		&graphs.Dense{Units: 12, Activation: graphs.ReLU},
		&graphs.Dense{Units: 20, Activation: graphs.Linear},
		&graphs.Dense{Units: 2, Activation: graphs.Softmax}))
}

// RandomBatch returns n images with pixel values in [0, 1) and labels.
func RandomBatch(rng *rand.Rand, m *graphs.Model, n int) ([]float32, []int) {
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

// RandomWeights is Glorot initialisation with small random biases, so that
// biases matter in the tests.
func RandomWeights(m *graphs.Model, seed uint64) tfrunner.Weights {
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

// Build builds m on e and closes the program when the test ends.
func Build(t testing.TB, e tfrunner.Engine, m *graphs.Model, w tfrunner.Weights, cfg tfrunner.Config) tfrunner.Program {
	t.Helper()
	p, err := e.Build(m, w, cfg)
	if err != nil {
		t.Fatalf("build %s on %s: %v", m.Name, e.Name(), err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// CheckClose fails unless got matches want with relative error below tol,
// both over the vector (‖got−want‖/‖want‖) and for the largest difference
// (relative to the largest |want|). Elementwise relative error is not the
// measure: a float32 sum whose terms cancel is exact only relative to the
// size of its terms, not of its result.
func CheckClose(t testing.TB, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	var diff2, norm2, maxDiff, maxAbs float64
	worst := 0
	for i := range want {
		d := float64(got[i]) - want[i]
		if math.IsNaN(d) {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			return
		}
		diff2 += d * d
		norm2 += want[i] * want[i]
		maxAbs = math.Max(maxAbs, math.Abs(want[i]))
		if math.Abs(d) > maxDiff {
			maxDiff, worst = math.Abs(d), i
		}
	}
	if norm2 == 0 {
		if maxDiff > 1e-6 {
			t.Errorf("%s: want zero, got %v at %d", what, got[worst], worst)
		}
		return
	}
	if rel := math.Sqrt(diff2 / norm2); rel > tol || maxDiff/maxAbs > tol {
		t.Errorf("%s: relative error %.2g (largest difference %.2g at %d: got %v want %v)",
			what, rel, maxDiff, worst, got[worst], want[worst])
	}
}

// normError returns ‖got−want‖/‖want‖ (0 when both are 0).
func normError(got []float32, want []float64) float64 {
	var diff2, norm2 float64
	for i := range want {
		d := float64(got[i]) - want[i]
		diff2 += d * d
		norm2 += want[i] * want[i]
	}
	if norm2 == 0 {
		return math.Sqrt(diff2)
	}
	return math.Sqrt(diff2 / norm2)
}

func testDevice(t *testing.T, e tfrunner.Engine) {
	m := graphs.Default(5)
	p := Build(t, e, m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: 10, Threads: 2})
	if p.Device() == "" {
		t.Error("Device() is empty")
	}
	if v, ok := e.(tfrunner.Versioner); ok && v.Version() == "" {
		t.Error("Version() is empty")
	}
}

// testForwardShapes checks that every layer's output has n rows of the
// layer's size and that the probabilities sum to 1.
func testForwardShapes(t *testing.T, e tfrunner.Engine) {
	for _, m := range Models() {
		p := Build(t, e, m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: 3})
		shapes, err := m.Shapes()
		if err != nil {
			t.Fatal(err)
		}
		x, _ := RandomBatch(rand.New(rand.NewPCG(3, 3)), m, 5)
		for i, l := range m.Layers {
			out, err := p.Forward(x, 5, l.LayerName())
			if err != nil {
				t.Fatalf("%s %q: %v", m.Name, l.LayerName(), err)
			}
			if len(out) != 5*shapes[i].Size() {
				t.Errorf("%s %q: %d values, want 5×%d", m.Name, l.LayerName(), len(out), shapes[i].Size())
			}
		}
		probs, err := p.Forward(x, 5, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(probs) != 5*m.Classes() {
			t.Fatalf("%s: %d probabilities, want 5×%d", m.Name, len(probs), m.Classes())
		}
		for i := range 5 {
			s := 0.0
			for _, v := range probs[i*m.Classes() : (i+1)*m.Classes()] {
				s += float64(v)
			}
			if math.Abs(s-1) > 1e-5 {
				t.Errorf("%s: probabilities of image %d sum to %v", m.Name, i, s)
			}
		}
		if out, err := p.Forward(nil, 0, ""); err != nil || len(out) != 0 {
			t.Errorf("%s: forward of no images: %d values, %v", m.Name, len(out), err)
		}
	}
}

// testForwardMatchesReference compares every layer's output, and the
// softmax, with the float64 reference.
func testForwardMatchesReference(t *testing.T, e tfrunner.Engine) {
	for _, m := range Models() {
		w := RandomWeights(m, 6)
		p := Build(t, e, m, w, tfrunner.Config{MaxBatch: 2})
		x, labels := RandomBatch(rand.New(rand.NewPCG(4, 4)), m, 3)
		_, _, outs := NewReference(m, w).LossAndGrads(To64(x), labels)
		for i, l := range m.Layers {
			got, err := p.Forward(x, 3, l.LayerName())
			if err != nil {
				t.Fatal(err)
			}
			// The last layer's output is the softmax.
			CheckClose(t, m.Name+"/"+l.LayerName(), got, outs[i], ForwardTol)
		}
		got, err := p.Forward(x, 3, "")
		if err != nil {
			t.Fatal(err)
		}
		CheckClose(t, m.Name+"/softmax", got, outs[len(outs)-1], ForwardTol)
	}
}

// testForwardIndependentOfBatch checks that an image's output does not
// depend on the other images in the call.
func testForwardIndependentOfBatch(t *testing.T, e tfrunner.Engine) {
	m := graphs.Default(5)
	p := Build(t, e, m, RandomWeights(m, 5), tfrunner.Config{MaxBatch: 10})
	x, _ := RandomBatch(rand.New(rand.NewPCG(2, 2)), m, 150)
	all, err := p.Forward(x, 150, "flatten")
	if err != nil {
		t.Fatal(err)
	}
	size := len(all) / 150
	in := m.Input.Size()
	for _, i := range []int{0, 63, 64, 149} {
		one, err := p.Forward(x[i*in:(i+1)*in], 1, "flatten")
		if err != nil {
			t.Fatal(err)
		}
		CheckClose(t, fmt.Sprintf("image %d alone", i), one, To64(all[i*size:(i+1)*size]), 1e-6)
	}
}

// CheckTrainStep compares two training steps of m on e with the float64
// reference: loss, correct count, gradients (read through Adam's first
// moment after the first step: m = (1−β1)·g) and weights after each step.
func CheckTrainStep(t *testing.T, e tfrunner.Engine, m *graphs.Model) {
	t.Helper()
	rng := rand.New(rand.NewPCG(13, 14))
	w := RandomWeights(m, 3)
	p := Build(t, e, m, w, tfrunner.Config{MaxBatch: 4, Threads: 2})
	ref := NewReference(m, w)
	h := tfrunner.KerasAdam
	mom := make([][]float64, len(ref.w))
	vel := make([][]float64, len(ref.w))
	for i := range ref.w {
		mom[i], vel[i] = make([]float64, len(ref.w[i])), make([]float64, len(ref.w[i]))
	}
	for step := 1; step <= 2; step++ {
		x, labels := RandomBatch(rng, m, 3+step%2)
		loss, correct, err := p.TrainStep(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		wantLoss, grads, outs := ref.LossAndGrads(To64(x), labels)
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
			st, err := p.Optimizer()
			if err != nil {
				t.Fatal(err)
			}
			if st.Step != 1 {
				t.Errorf("optimizer step %d after one TrainStep, want 1", st.Step)
			}
			for i, s := range m.ParamSpecs() {
				g := make([]float32, len(st.M[i].Data))
				for j, v := range st.M[i].Data {
					g[j] = v / float32(1-h.Beta1)
				}
				CheckClose(t, "gradient of "+s.Key(), g, grads[i], GradientTol)
			}
		}
		before := make([][]float64, len(ref.w))
		for i := range ref.w {
			before[i] = slices.Clone(ref.w[i])
			AdamUpdate(h, step, ref.w[i], grads[i], mom[i], vel[i])
		}
		got, err := p.Weights()
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range m.ParamSpecs() {
			// Adam moves a weight by lr·m̂/(√v̂+ε), about lr·sign(g) at the
			// first step. The updates must agree as a whole (within
			// GradientTol), and each weight within 1% of lr: where |g| is
			// near ε the update turns the gradient's last bits into up to
			// lr·|Δg|/(4ε), so elementwise agreement to float32 rounding
			// is not to be had.
			upd, want := make([]float32, len(got[i].Data)), make([]float64, len(got[i].Data))
			for j, v := range got[i].Data {
				upd[j] = float32(float64(v) - before[i][j])
				want[j] = ref.w[i][j] - before[i][j]
				if d := math.Abs(float64(v) - ref.w[i][j]); d > 0.01*h.LearningRate+1e-5*math.Abs(ref.w[i][j]) {
					t.Fatalf("step %d: %s[%d] = %v, want %v", step, s.Key(), j, v, ref.w[i][j])
				}
			}
			if rel := normError(upd, want); rel > GradientTol {
				t.Errorf("step %d: update of %s: relative error %.2g", step, s.Key(), rel)
			}
		}
	}
}

// Train runs steps batches of about batch images (some smaller) through p
// and returns its weights.
func Train(t testing.TB, p tfrunner.Program, m *graphs.Model, steps, batch int, seed uint64) tfrunner.Weights {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	for s := range steps {
		n := max(1, batch-s%3)
		x, labels := RandomBatch(rng, m, n)
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

// testStateRoundTrip checks Weights/SetWeights and Optimizer/SetOptimizer:
// names and shapes, the step count, copies independent of the program, and
// a program restored from the state continuing like the original.
func testStateRoundTrip(t *testing.T, e tfrunner.Engine) {
	m := graphs.A(5)
	p := Build(t, e, m, RandomWeights(m, 7), tfrunner.Config{MaxBatch: 8})
	Train(t, p, m, 3, 8, 1)
	w, err := p.Weights()
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Optimizer()
	if err != nil {
		t.Fatal(err)
	}
	if st.Step != 3 {
		t.Errorf("step %d after 3 steps, want 3", st.Step)
	}
	for i, s := range m.ParamSpecs() {
		for what, ts := range map[string]tfrunner.Weights{"weight": w, "first moment": st.M, "second moment": st.V} {
			if ts[i].Name != s.Key() || !slices.Equal(ts[i].Shape, s.Shape) || len(ts[i].Data) != s.Size() {
				t.Errorf("%s %d: %q %v with %d values, want %q %v", what, i, ts[i].Name, ts[i].Shape, len(ts[i].Data), s.Key(), s.Shape)
			}
		}
	}
	for i, v := range st.V {
		for j, x := range v.Data {
			if x < 0 {
				t.Fatalf("second moment %s[%d] = %v < 0", st.V[i].Name, j, x)
			}
		}
	}

	// SetWeights then Weights gives back the same numbers.
	w2 := RandomWeights(m, 8)
	q := Build(t, e, m, w, tfrunner.Config{MaxBatch: 8})
	if err := q.SetWeights(w2); err != nil {
		t.Fatal(err)
	}
	back, err := q.Weights()
	if err != nil {
		t.Fatal(err)
	}
	for i := range w2 {
		if !slices.Equal(back[i].Data, w2[i].Data) {
			t.Errorf("SetWeights then Weights: %s differs", w2[i].Name)
		}
	}

	// A program built from the weights and given the optimizer state
	// continues like the original.
	if err := q.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	if err := q.SetOptimizer(st); err != nil {
		t.Fatal(err)
	}
	st2, err := q.Optimizer()
	if err != nil {
		t.Fatal(err)
	}
	if st2.Step != st.Step {
		t.Errorf("SetOptimizer then Optimizer: step %d, want %d", st2.Step, st.Step)
	}
	for i := range st.M {
		if !slices.Equal(st2.M[i].Data, st.M[i].Data) || !slices.Equal(st2.V[i].Data, st.V[i].Data) {
			t.Errorf("SetOptimizer then Optimizer: moments of %s differ", st.M[i].Name)
		}
	}
	a := Train(t, p, m, 2, 8, 2)
	b := Train(t, q, m, 2, 8, 2)
	for i := range a {
		CheckClose(t, "continued "+a[i].Name, b[i].Data, To64(a[i].Data), 1e-6)
	}

	// The copies are the caller's.
	w[0].Data[0] = 42
	if w3, _ := p.Weights(); w3[0].Data[0] == 42 {
		t.Error("Weights returned the program's own memory")
	}
}

// testBadInputs checks that misuse gives errors naming the problem, not
// panics, and leaves the program usable.
func testBadInputs(t *testing.T, e tfrunner.Engine) {
	m := graphs.A(5)
	w := tfrunner.InitWeights(m, 1)
	p := Build(t, e, m, w, tfrunner.Config{MaxBatch: 4})
	x, labels := RandomBatch(rand.New(rand.NewPCG(5, 5)), m, 4)
	with := func(i int, v float32) []float32 {
		y := slices.Clone(x)
		y[i] = v
		return y
	}
	bad := tfrunner.Zeros(m)
	bad[0].Data = bad[0].Data[:3]
	x5, l5 := RandomBatch(rand.New(rand.NewPCG(1, 1)), m, 5)
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"short input", func() error { _, _, err := p.TrainStep(x[:100], labels); return err }, "input values"},
		{"more than MaxBatch", func() error { _, _, err := p.TrainStep(x5, l5); return err }, "MaxBatch"},
		{"empty batch", func() error { _, _, err := p.TrainStep(nil, nil); return err }, "empty"},
		{"label = classes", func() error { _, _, err := p.TrainStep(x, []int{0, 1, 5, 2}); return err }, "label 5"},
		{"negative label", func() error { _, _, err := p.TrainStep(x, []int{0, -1, 2, 2}); return err }, "label -1"},
		{"NaN pixel", func() error { _, _, err := p.TrainStep(with(1000, float32(math.NaN())), labels); return err }, "image 1"},
		{"infinite pixel", func() error { _, _, err := p.TrainStep(with(5, float32(math.Inf(1))), labels); return err }, "finite"},
		{"forward count", func() error { _, err := p.Forward(x, 3, ""); return err }, "input values"},
		{"forward negative count", func() error { _, err := p.Forward(nil, -1, ""); return err }, "negative"},
		{"forward NaN", func() error { _, err := p.Forward(with(3, float32(math.NaN())), 4, ""); return err }, "finite"},
		{"forward unknown layer", func() error { _, err := p.Forward(x, 4, "nope"); return err }, "no layer"},
		{"set weights shape", func() error { return p.SetWeights(bad) }, "set weights"},
		{"set weights count", func() error { return p.SetWeights(w[:2]) }, "set weights"},
		{"set optimizer moments", func() error {
			return p.SetOptimizer(tfrunner.OptimizerState{Step: 1, M: bad, V: tfrunner.Zeros(m)})
		}, "first moments"},
		{"negative step", func() error {
			return p.SetOptimizer(tfrunner.OptimizerState{Step: -1, M: tfrunner.Zeros(m), V: tfrunner.Zeros(m)})
		}, "negative step"},
	}
	for _, tt := range tests {
		err := tt.err()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	// A failed call leaves the program usable.
	if _, _, err := p.TrainStep(x, labels); err != nil {
		t.Fatalf("train step after the errors: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.TrainStep(x, labels); err == nil {
		t.Error("train step after Close: no error")
	}
	if _, err := p.Forward(x, 4, ""); err == nil {
		t.Error("forward after Close: no error")
	}
	if _, err := p.Weights(); err == nil {
		t.Error("weights after Close: no error")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// testBadConfig checks that Build refuses what tfrunner.Config.Resolve
// refuses, and weights of another model.
func testBadConfig(t *testing.T, e tfrunner.Engine) {
	m := graphs.A(5)
	w := tfrunner.InitWeights(m, 1)
	adam := func(f func(*tfrunner.Adam)) tfrunner.Config {
		a := tfrunner.KerasAdam
		f(&a)
		return tfrunner.Config{Adam: a}
	}
	tests := []struct {
		name string
		m    *graphs.Model
		w    tfrunner.Weights
		cfg  tfrunner.Config
		want string
	}{
		{"nil model", nil, w, tfrunner.Config{}, "nil model"},
		{"negative threads", m, w, tfrunner.Config{Threads: -1}, "Threads"},
		{"negative MaxBatch", m, w, tfrunner.Config{MaxBatch: -1}, "MaxBatch"},
		{"learning rate 0", m, w, adam(func(a *tfrunner.Adam) { a.LearningRate = 0 }), "learning rate"},
		{"learning rate +Inf", m, w, adam(func(a *tfrunner.Adam) { a.LearningRate = math.Inf(1) }), "learning rate"},
		{"beta_1 = 1", m, w, adam(func(a *tfrunner.Adam) { a.Beta1 = 1 }), "beta_1"},
		{"beta_2 NaN", m, w, adam(func(a *tfrunner.Adam) { a.Beta2 = math.NaN() }), "beta_2"},
		{"epsilon 0", m, w, adam(func(a *tfrunner.Adam) { a.Epsilon = 0 }), "epsilon"},
		{"short weights", m, w[:2], tfrunner.Config{}, "initial weights"},
		{"weights of another model", m, tfrunner.InitWeights(graphs.B(5), 1), tfrunner.Config{}, "initial weights"},
	}
	for _, tt := range tests {
		p, err := e.Build(tt.m, tt.w, tt.cfg)
		if err == nil {
			p.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// testLearnsSeparable trains model A on a synthetic problem where each class
// lights up its own horizontal band of the image: the loss must fall.
func testLearnsSeparable(t *testing.T, e tfrunner.Engine) {
	m := graphs.A(5)
	p := Build(t, e, m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: 16})
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
	if _, correct, err := p.TrainStep(x, labels); err != nil || correct < 15 {
		t.Errorf("accuracy %d/16 after training (%v)", correct, err)
	}
}
