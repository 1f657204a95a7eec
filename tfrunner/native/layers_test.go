package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"fmnist/graphs"
	et "fmnist/tfrunner/enginetest"
)

// The engine computes in float32; each test checks its forward output
// against the float64 reference and its gradients against central finite
// differences of the float64 reference forward pass, with the relative error
// (over the whole gradient, and for the largest element difference) below
// 1e-3.

const fdStep = 1e-6

// fdGrad returns the central finite difference of f with respect to v[i]
// for every i in idx.
func fdGrad(f func() float64, v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for j, i := range idx {
		save := v[i]
		v[i] = save + fdStep
		hi := f()
		v[i] = save - fdStep
		lo := f()
		v[i] = save
		out[j] = (hi - lo) / (2 * fdStep)
	}
	return out
}

// sample returns up to limit indices of a slice of length n.
func sample(rng *rand.Rand, n, limit int) []int {
	if n <= limit {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return rng.Perm(n)[:limit]
}

// checkClose fails unless got at idx matches want (enginetest.CheckClose).
func checkClose(t *testing.T, what string, got []float32, idx []int, want []float64, tol float64) {
	t.Helper()
	sub := make([]float32, len(idx))
	for j, i := range idx {
		sub[j] = got[i]
	}
	et.CheckClose(t, what, sub, want, tol)
}

func allIdx(n int) []int { return sample(nil, n, n) }

// testOps compiles layers on input in followed by Flatten and a softmax
// Dense and returns the ops with the buffers of the first for n images.
func testOps(t *testing.T, in graphs.Shape, n int, layers ...graphs.Layer) *op {
	t.Helper()
	layers = append(layers, &graphs.Flatten{}, &graphs.Dense{Units: 2, Activation: graphs.Softmax})
	m, err := graphs.New("t", in, layers...)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := compile(m)
	if err != nil {
		t.Fatal(err)
	}
	o := ops[0]
	o.out = make([]float32, n*o.outSize)
	o.grad = make([]float32, n*o.outSize)
	o.inputGrad = true
	switch o.kind {
	case opConv:
		o.cols = make([]float32, n*o.pixels()*o.cstride)
		o.initOnes()
	case opPool:
		o.arg = make([]int32, n*o.outSize)
	}
	return o
}

// dot returns sum(r ⊙ act(z)).
func dot(r, z []float64, act graphs.Activation) float64 {
	s := 0.0
	for i, v := range z {
		if act == graphs.ReLU {
			v = math.Max(v, 0)
		}
		s += r[i] * v
	}
	return s
}

func TestConvGradients(t *testing.T) {
	tests := []struct {
		ih, iw, ic, oc, k, stride int
		pad                       graphs.Padding
		act                       graphs.Activation
	}{
		{5, 7, 1, 3, 3, 1, graphs.Same, graphs.ReLU},
		{5, 7, 2, 4, 3, 2, graphs.Same, graphs.Linear},
		{6, 5, 3, 2, 2, 2, graphs.Valid, graphs.ReLU},
		{7, 7, 2, 3, 3, 2, graphs.Valid, graphs.Linear},
		{4, 6, 3, 5, 1, 1, graphs.Same, graphs.ReLU},
		{8, 5, 2, 3, 4, 2, graphs.Same, graphs.Linear},
		{9, 9, 1, 17, 5, 1, graphs.Same, graphs.ReLU},
		{6, 6, 33, 7, 3, 1, graphs.Valid, graphs.ReLU},
		{7, 6, 5, 32, 3, 1, graphs.Same, graphs.ReLU},
		{3, 3, 2, 3, 3, 1, graphs.Valid, graphs.Linear},
		{7, 6, 8, 5, 3, 2, graphs.Same, graphs.ReLU},
		{5, 5, 6, 4, 3, 1, graphs.Same, graphs.Linear},
		{2, 3, 1, 2, 5, 1, graphs.Same, graphs.Linear},
		{3, 2, 1, 3, 5, 2, graphs.Same, graphs.ReLU},
		{2, 2, 9, 3, 5, 2, graphs.Same, graphs.ReLU},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range availableKernels() {
		for _, tt := range tests {
			name := fmt.Sprintf("%s/%dx%dx%d_f%d_k%d_s%d_%s_%s", k.name, tt.ih, tt.iw, tt.ic, tt.oc, tt.k, tt.stride, tt.pad, tt.act)
			t.Run(name, func(t *testing.T) {
				withKernel(t, k, func() {
					n := 2
					o := testOps(t, graphs.Shape{tt.ih, tt.iw, tt.ic}, n,
						&graphs.Conv2D{Filters: tt.oc, Kernel: tt.k, Stride: tt.stride, Padding: tt.pad, Activation: tt.act})
					g := et.NewGeom(tt.ih, tt.iw, tt.ic, tt.oc, tt.k, tt.stride, tt.pad)
					x, w, b := randSlice(rng, n*o.inSize), randSlice(rng, o.patch*o.oc), randSlice(rng, o.oc)
					x64, w64, b64 := et.To64(x), et.To64(w), et.To64(b)
					o.convForward(x, 0, n, w, b)
					z := et.Conv(g, n, x64, w64, b64)
					want := z
					if tt.act == graphs.ReLU {
						want = et.ReLU(z)
					}
					checkClose(t, "forward", o.out, allIdx(len(want)), want, 1e-5)

					r := randSlice(rng, len(o.out))
					copy(o.grad, r)
					r64 := et.To64(r)
					o.kT = make([]float32, len(w))
					transposeBlock(o.kT, w, o.patch, o.oc, 0, o.patch, 0, o.oc)
					gin := make([]float32, len(x))
					// The kernel gradient, with the bias gradient as its
					// last row: per-image shares, summed in two row blocks
					// and two column blocks as the update phase may split it.
					o.kgrad = make([]float32, len(w)+o.oc)
					o.kpart = make([]float32, n*len(o.kgrad))
					o.convBackward(gin, 0, n, make([]float32, max(o.pixels()*o.patch, o.oc*(o.patch+1))))
					rs, cs := o.patch/2+1, max(o.oc/2, 1)
					o.convReduce(n, 0, rs, 0, cs)
					o.convReduce(n, 0, rs, cs, o.oc)
					o.convReduce(n, rs, o.patch+1, 0, o.oc)
					gwb := o.kgrad
					gw, gb := gwb[:len(w)], gwb[len(w):]

					f := func() float64 { return dot(r64, et.Conv(g, n, x64, w64, b64), tt.act) }
					ix := sample(rng, len(x), 150)
					checkClose(t, "input gradient", gin, ix, fdGrad(f, x64, ix), 1e-3)
					iw := sample(rng, len(w), 150)
					checkClose(t, "kernel gradient", gw, iw, fdGrad(f, w64, iw), 1e-3)
					checkClose(t, "bias gradient", gb, allIdx(len(b)), fdGrad(f, b64, allIdx(len(b))), 1e-3)
				})
			})
		}
	}
}

func TestPoolGradients(t *testing.T) {
	tests := []struct {
		ih, iw, ic, pool, stride int
		pad                      graphs.Padding
	}{
		{6, 6, 3, 2, 2, graphs.Valid},
		{5, 7, 2, 2, 2, graphs.Same},
		{7, 5, 3, 3, 2, graphs.Same},
		{5, 5, 2, 3, 1, graphs.Valid},
		{6, 7, 4, 2, 1, graphs.Same},
		{5, 5, 1, 3, 3, graphs.Same},
		{7, 7, 32, 2, 2, graphs.Valid},
		{4, 5, 3, 2, 3, graphs.Same},
		{9, 9, 8, 3, 3, graphs.Same},
		{7, 8, 16, 2, 2, graphs.Valid},
		{8, 7, 8, 3, 2, graphs.Valid},
		{6, 6, 8, 2, 3, graphs.Valid},
		{3, 2, 8, 4, 4, graphs.Same},
		{5, 6, 24, 2, 2, graphs.Valid},
		{6, 5, 40, 3, 2, graphs.Same},
		{4, 4, 64, 2, 2, graphs.Same},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, k := range availableKernels() {
		for _, tt := range tests {
			for _, relu := range []bool{false, true} {
				name := fmt.Sprintf("%s/%dx%dx%d_p%d_s%d_%s_relu%v", k.name, tt.ih, tt.iw, tt.ic, tt.pool, tt.stride, tt.pad, relu)
				t.Run(name, func(t *testing.T) {
					withKernel(t, k, func() { checkPool(t, rng, tt.ih, tt.iw, tt.ic, tt.pool, tt.stride, tt.pad, relu) })
				})
			}
		}
	}
}

// checkPool tests one pooling geometry. With relu, the input is relu(z)
// and the backward pass must give the gradient with respect to z (the
// fused mask of a preceding ReLU layer).
func checkPool(t *testing.T, rng *rand.Rand, ih, iw, ic, pool, stride int, pad graphs.Padding, relu bool) {
	n := 3
	o := testOps(t, graphs.Shape{ih, iw, ic}, n, &graphs.MaxPool2D{Pool: pool, Stride: stride, Padding: pad})
	o.reluIn = relu
	g := et.NewGeom(ih, iw, ic, ic, pool, stride, pad)
	z := randSlice(rng, n*o.inSize)
	act := graphs.Linear
	x := z
	if relu {
		act = graphs.ReLU
		x = et.To32(et.ReLU(et.To64(z)))
	}
	z64 := et.To64(z)
	o.poolForward(x, 0, n)
	want, arg := et.Pool(g, n, et.To64(x))
	checkClose(t, "forward", o.out, allIdx(len(want)), want, 1e-7)
	for i, a := range arg {
		j := i % o.outSize
		pix := j / o.ic
		if got := o.argIndex(pix/o.ow, pix%o.ow, j%o.ic, o.arg[i]) + (i/o.outSize)*o.inSize; got != a {
			t.Fatalf("argmax %d: got %d (position %d), want %d", i, got, o.arg[i], a)
		}
	}
	r := randSlice(rng, len(o.out))
	copy(o.grad, r)
	r64 := et.To64(r)
	gin := make([]float32, len(x))
	for i := range gin {
		gin[i] = float32(i) // garbage that must be overwritten
	}
	o.poolBackward(gin, 0, n)
	f := func() float64 {
		in := z64
		if act == graphs.ReLU {
			in = et.ReLU(z64)
		}
		y, _ := et.Pool(g, n, in)
		return dot(r64, y, graphs.Linear)
	}
	ix := allIdx(len(x))
	checkClose(t, "input gradient", gin, ix, fdGrad(f, z64, ix), 1e-3)
}

// TestPoolTies checks the tie rule: the first maximum in row-major window
// order receives the gradient.
func TestPoolTies(t *testing.T) {
	o := testOps(t, graphs.Shape{2, 2, 1}, 1, &graphs.MaxPool2D{Pool: 2})
	x := []float32{1, 3, 3, 3}
	o.poolForward(x, 0, 1)
	copy(o.grad, []float32{1})
	gin := make([]float32, 4)
	o.poolBackward(gin, 0, 1)
	if want := []float32{0, 1, 0, 0}; fmt.Sprint(gin) != fmt.Sprint(want) {
		t.Errorf("gradient %v, want %v", gin, want)
	}
}

// TestSamePadding checks TensorFlow's SAME rule (extra padding after) on a
// hand-computed example: a 4×4 image of 1..16, a 3×3 kernel of ones,
// stride 2. The output is 2×2; the top-left window covers rows 0..2 and
// columns 0..2 (no padding before), the others hang over the bottom and
// right edge.
func TestSamePadding(t *testing.T) {
	o := testOps(t, graphs.Shape{4, 4, 1}, 1, &graphs.Conv2D{Filters: 1, Kernel: 3, Stride: 2, Padding: graphs.Same})
	x := make([]float32, 16)
	for i := range x {
		x[i] = float32(i + 1)
	}
	w := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}
	o.convForward(x, 0, 1, w, []float32{0})
	// rows 0-2 × cols 0-2: 1+2+3+5+6+7+9+10+11 = 54; cols 2-3: 3+4+7+8+11+12 = 45;
	// rows 2-3 × cols 0-2: 9+10+11+13+14+15 = 72; rows 2-3 × cols 2-3: 11+12+15+16 = 54.
	if want := []float32{54, 45, 72, 54}; fmt.Sprint(o.out) != fmt.Sprint(want) {
		t.Errorf("SAME conv = %v, want %v", o.out, want)
	}
	p := testOps(t, graphs.Shape{3, 3, 1}, 1, &graphs.MaxPool2D{Pool: 2, Padding: graphs.Same})
	p.poolForward([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 1)
	if want := []float32{5, 6, 8, 9}; fmt.Sprint(p.out) != fmt.Sprint(want) {
		t.Errorf("SAME pool = %v, want %v", p.out, want)
	}
}

func TestDenseGradients(t *testing.T) {
	tests := []struct {
		in, out, n int
		act        graphs.Activation
	}{
		{1, 1, 1, graphs.Linear},
		{7, 5, 3, graphs.ReLU},
		{33, 17, 4, graphs.ReLU},
		{64, 3, 7, graphs.Linear},
		{100, 100, 5, graphs.ReLU},
		{17, 40, 2, graphs.Linear},
		{300, 70, 9, graphs.ReLU}, // large enough for a split GEMM
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, k := range availableKernels() {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%dx%d_n%d_%s", k.name, tt.in, tt.out, tt.n, tt.act), func(t *testing.T) {
				withKernel(t, k, func() {
					n := tt.n
					m, err := graphs.New("t", graphs.Shape{tt.in}, &graphs.Dense{Units: tt.out, Activation: tt.act}, &graphs.Dense{Units: 2, Activation: graphs.Softmax})
					if err != nil {
						t.Fatal(err)
					}
					ops, err := compile(m)
					if err != nil {
						t.Fatal(err)
					}
					o := ops[0]
					o.out, o.grad, o.inputGrad = make([]float32, n*tt.out), make([]float32, n*tt.out), true
					o.gradT, o.dxT = make([]float32, tt.out*n), make([]float32, tt.in*n)
					x, w, b := randSlice(rng, n*tt.in), randSlice(rng, tt.in*tt.out), randSlice(rng, tt.out)
					x64, w64, b64 := et.To64(x), et.To64(w), et.To64(b)
					// A minimal program around the layer: its weights, the
					// batch and a team of two workers.
					p := &Program{ops: ops, params: []*param{{w: w}, {w: b}}, x: x, n: n, threads: 2, team: newTeam(2)}
					defer p.team.close()
					p.gemmJob = p.gemmBlocks
					p.denseForward(o)
					z := et.Dense(n, tt.in, tt.out, x64, w64, b64)
					want := z
					if tt.act == graphs.ReLU {
						want = et.ReLU(z)
					}
					checkClose(t, "forward", o.out, allIdx(len(want)), want, 1e-5)
					r := randSlice(rng, len(o.out))
					r64 := et.To64(r)
					transposeGo(o.gradT, r, n, tt.out, 0, n, 0, tt.out)
					p.denseBackLayer(o, false)
					gin := make([]float32, len(x))
					transposeGo(gin, o.dxT, tt.in, n, 0, tt.in, 0, n)
					gw := make([]float32, len(w))
					o.denseKernelGrad(x, gw, n, 0, tt.in, 0, tt.out)
					gb := make([]float32, tt.out)
					biasGrad(gb, o.grad, n, tt.out)
					f := func() float64 { return dot(r64, et.Dense(n, tt.in, tt.out, x64, w64, b64), tt.act) }
					ix := sample(rng, len(x), 200)
					checkClose(t, "input gradient", gin, ix, fdGrad(f, x64, ix), 1e-3)
					iw := sample(rng, len(w), 200)
					checkClose(t, "kernel gradient", gw, iw, fdGrad(f, w64, iw), 1e-3)
					checkClose(t, "bias gradient", gb, allIdx(len(b)), fdGrad(f, b64, allIdx(len(b))), 1e-3)
				})
			})
		}
	}
}

func TestLossGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tt := range []struct{ n, k int }{{1, 2}, {3, 5}, {10, 5}, {7, 10}} {
		t.Run(fmt.Sprintf("n%d_k%d", tt.n, tt.k), func(t *testing.T) {
			z := randSlice(rng, tt.n*tt.k)
			for i := range z {
				z[i] *= 3
			}
			labels := make([]int, tt.n)
			for i := range labels {
				labels[i] = rng.IntN(tt.k)
			}
			z64 := et.To64(z)
			p := append([]float32(nil), z...)
			softmaxRows(p, tt.n, tt.k)
			checkClose(t, "softmax", p, allIdx(len(p)), et.Softmax(z64, tt.k), 1e-6)
			loss := make([]float64, tt.n)
			grad := make([]float32, len(z))
			crossEntropy(p, labels, tt.k, tt.n, loss, make([]bool, tt.n), grad)
			mean := 0.0
			for _, l := range loss {
				mean += l
			}
			mean /= float64(tt.n)
			want, _ := et.Loss(z64, labels, tt.k)
			if math.Abs(mean-want) > 1e-6*math.Max(1, want) {
				t.Errorf("loss %v, want %v", mean, want)
			}
			f := func() float64 { l, _ := et.Loss(z64, labels, tt.k); return l }
			idx := allIdx(len(z))
			checkClose(t, "logit gradient", grad, idx, fdGrad(f, z64, idx), 1e-3)
		})
	}
}

func TestLossClipping(t *testing.T) {
	p := []float32{1, 0, 0, 1}
	loss := make([]float64, 2)
	correct := make([]bool, 2)
	crossEntropy(p, []int{0, 0}, 2, 2, loss, correct, make([]float32, 4))
	if math.Abs(loss[0]+math.Log(1-1e-7)) > 1e-12 || math.Abs(loss[1]+math.Log(1e-7)) > 1e-9 {
		t.Errorf("clipped losses %v", loss)
	}
	if !correct[0] || correct[1] {
		t.Errorf("correct %v", correct)
	}
}
