package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"fmnist/dataset"
	"fmnist/tfrunner"
)

func TestPoolPixels(t *testing.T) {
	// One 5×5 image pooled over 2×2 cells: 3×3 values, the last row and
	// column of cells one pixel wide.
	raw := make([]uint8, 25)
	for i := range raw {
		raw[i] = uint8(10 * i)
	}
	got := poolPixels(raw, 1, 5, 5, 2).RawRowView(0)
	want := []float64{
		(0 + 10 + 50 + 60) / 4.0, (20 + 30 + 70 + 80) / 4.0, (40 + 90) / 2.0,
		(100 + 110 + 150 + 160) / 4.0, (120 + 130 + 170 + 180) / 4.0, (140 + 190) / 2.0,
		(200 + 210) / 2.0, (220 + 230) / 2.0, 240,
	}
	for i := range want {
		if math.Abs(got[i]-want[i]/255) > 1e-12 {
			t.Errorf("cell %d: %v, want %v", i, got[i], want[i]/255)
		}
	}
}

func TestCombine(t *testing.T) {
	a := mat.NewDense(4, 2, []float64{0, 0, 2, 0, 0, 2, 2, 2}) // total variance 2
	b := mat.NewDense(4, 1, []float64{5, 5, 5, 5})             // no variance: left as is
	c := mat.NewDense(4, 1, []float64{0, 10, 0, 10})           // total variance 25
	x := combine([]*mat.Dense{a, b, c}, []float64{1, 1, 0.5})
	if r, cols := x.Dims(); r != 4 || cols != 4 {
		t.Fatalf("dims %d×%d, want 4×4", r, cols)
	}
	total := func(j0, j1 int) float64 {
		var s float64
		for j := j0; j < j1; j++ {
			col := mat.Col(nil, j, x)
			var m float64
			for _, v := range col {
				m += v / 4
			}
			for _, v := range col {
				s += (v - m) * (v - m) / 4
			}
		}
		return s
	}
	if v := total(0, 2); math.Abs(v-1) > 1e-12 {
		t.Errorf("first block's variance %v, want 1", v)
	}
	if v := x.At(0, 2); v != 5 {
		t.Errorf("constant block scaled to %v, want 5", v)
	}
	if v := total(3, 4); math.Abs(v-0.25) > 1e-12 {
		t.Errorf("half-weight block's variance %v, want 0.25", v)
	}
}

func TestSubclassInputs(t *testing.T) {
	const n = 6
	enc := mat.NewDense(n, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	lp := mat.NewDense(n, 2, []float64{0, -1, -2, 0, 0, -3, -1, 0, 0, -2, -4, 0})
	test := &dataset.Split{N: n, X: make([]float32, n*dataset.Pixels)}
	for i := range test.X {
		test.X[i] = float32(i%251) / 255
	}
	other := &dataset.Split{N: n - 1, X: test.X[:(n-1)*dataset.Pixels]}
	hidden := &tfrunner.Encoding{Rows: n, Columns: 2, Values: []float64{1, 0, 2, 0, 3, 1, 4, 1, 5, 0, 6, 0}}
	short := &tfrunner.Encoding{Rows: 1, Columns: 1, Values: []float64{1}}
	tests := []struct {
		name    string
		hidden  *tfrunner.Encoding
		test    *dataset.Split
		names   []string
		cols    int
		wantErr bool
	}{
		{"everything", hidden, test,
			[]string{InputHidden, InputEncoding, InputLogProbs, InputPixels}, 2 + 2 + 2 + 49, false},
		{"no hidden layer", nil, test,
			[]string{InputEncoding, InputLogProbs, InputPixels}, 2 + 2 + 49, false},
		{"no test images", hidden, nil,
			[]string{InputHidden, InputEncoding, InputLogProbs}, 2 + 2 + 2, false},
		{"hidden layer of another length", short, nil, nil, 0, true},
		{"test set of another length", hidden, other, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, names, err := subclassInputs(&tfrunner.Artifacts{Dir: "runs/A", Hidden: tt.hidden}, enc, lp, tt.test)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names, tt.names) {
				t.Errorf("inputs %v, want %v", names, tt.names)
			}
			if _, c := x.Dims(); c != tt.cols {
				t.Errorf("%d columns, want %d", c, tt.cols)
			}
		})
	}
}

func TestLogProbs(t *testing.T) {
	got := logProbs(&tfrunner.Predictions{Probs: [][]float64{{1, 0}, {0.5, 0.5}}})
	want := []float64{0, math.Log(1e-30), math.Log(0.5), math.Log(0.5)}
	if !slices.Equal(got.RawMatrix().Data, want) {
		t.Errorf("log-probabilities %v, want %v", got.RawMatrix().Data, want)
	}
}

func TestTestBytes(t *testing.T) {
	test := &dataset.Split{N: 1, X: make([]float32, 256)}
	for i := range test.X {
		test.X[i] = float32(i) / 255
	}
	for i, b := range testBytes(test) {
		if int(b) != i {
			t.Fatalf("byte %d came back as %d", i, b)
		}
	}
}

func TestDiscoverKeptApart(t *testing.T) {
	// Two labels of 600 images, each holding two classes of 300. In the
	// encoding both labels' classes lie 12 sd apart; the network scores
	// the classes of label 0 alike (two clear modes, kept apart) and tells
	// those of label 1 apart (split by evidence as well).
	const per, d = 300, 4
	rng := rand.New(rand.NewPCG(7, 7))
	n := 4 * per
	x := mat.NewDense(n, d, nil)
	pred := &tfrunner.Predictions{}
	for i := range n {
		class := i / per // 0..3
		row := x.RawRowView(i)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		row[0] += 12 * float64(class%2)
		p := 0.5 + 0.1*rng.Float64()
		if class == 3 {
			p = 0.99 // label 1's second class: another score entirely
		}
		pred.Labels = append(pred.Labels, class/2)
		pred.Original = append(pred.Original, class)
		pred.Probs = append(pred.Probs, []float64{p, 1 - p})
	}
	var a Analysis
	part, _, err := discover(&a, &tfrunner.Artifacts{Dir: "run"}, x, pred, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(part) != n || len(a.Subclasses) != 2 {
		t.Fatalf("partition of %d rows, %d labels; want %d, 2", len(part), len(a.Subclasses), n)
	}
	for l, want := range []int{1, 0} {
		s := a.Subclasses[l]
		if s.K != 2 || s.KeptApart != want {
			t.Errorf("label %d: k %d, %d pairs kept apart; want 2, %d", l, s.K, s.KeptApart, want)
		}
	}
}
