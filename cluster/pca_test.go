package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPCALine(t *testing.T) {
	// Points on the line (1, 2, -2)·s plus tiny noise: one component
	// explains (almost) everything.
	rng := rand.New(rand.NewPCG(7, 7))
	n := 200
	x := mat.NewDense(n, 3, nil)
	for i := 0; i < n; i++ {
		s := rng.NormFloat64() * 5
		x.SetRow(i, []float64{1*s + 1e-3*rng.NormFloat64(), 2*s + 3, -2*s - 1})
	}
	res, err := PCA(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.ExplainedVarianceRatio[0]; math.Abs(r-1) > 1e-6 {
		t.Errorf("ratio[0] = %v, want ≈ 1", r)
	}
	// First axis ∥ (1, 2, -2)/3.
	want := []float64{1.0 / 3, 2.0 / 3, -2.0 / 3}
	dot := 0.0
	for j := range want {
		dot += want[j] * res.Components.At(0, j)
	}
	if math.Abs(math.Abs(dot)-1) > 1e-6 {
		t.Errorf("first axis %v not parallel to %v", mat.Row(nil, 0, res.Components), want)
	}
	// Coordinates reproduce the centred data along the axis.
	for i := 0; i < n; i++ {
		var proj float64
		for j := 0; j < 3; j++ {
			proj += (x.At(i, j) - res.Mean[j]) * res.Components.At(0, j)
		}
		if math.Abs(proj-res.Coords.At(i, 0)) > 1e-9 {
			t.Fatalf("row %d: coordinate %v, want %v", i, res.Coords.At(i, 0), proj)
		}
	}
}

func TestPCAKnown(t *testing.T) {
	// scikit-learn 1.2: PCA(2).fit(X) on this X gives explained_variance_
	// [10.26187138, 0.07146195] and ratio [0.99308433, 0.00691567];
	// transform(X)[0] = [-1.62310135, 0.29625031] (signs by svd_flip).
	x := mat.NewDense(6, 2, []float64{-1, -1, -2, -1, -3, -2, 1, 1, 2, 1, 4, 3})
	res, err := PCA(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{10.26187138, 0.07146195} {
		if got := res.ExplainedVariance[i]; math.Abs(got-want) > 1e-7 {
			t.Errorf("variance[%d] = %v, want %v", i, got, want)
		}
	}
	for i, want := range []float64{0.99308433, 0.00691567} {
		if got := res.ExplainedVarianceRatio[i]; math.Abs(got-want) > 1e-7 {
			t.Errorf("ratio[%d] = %v, want %v", i, got, want)
		}
	}
	for j, want := range []float64{-1.62310135, 0.29625031} {
		if got := res.Coords.At(0, j); math.Abs(got-want) > 1e-7 {
			t.Errorf("coords[0][%d] = %v, want %v", j, got, want)
		}
	}
}

func TestPCAErrors(t *testing.T) {
	for name, x := range badInputs() {
		if _, err := PCA(x, 1); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	x := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 7})
	for _, k := range []int{0, 3, -1} {
		if _, err := PCA(x, k); err == nil {
			t.Errorf("k=%d: no error", k)
		}
	}
	if _, err := PCA(mat.NewDense(1, 2, []float64{1, 2}), 1); err == nil {
		t.Error("one row: no error")
	}
	// Constant data: no variance, no error, zero ratios.
	res, err := PCA(mat.NewDense(3, 2, []float64{1, 1, 1, 1, 1, 1}), 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExplainedVarianceRatio[0] != 0 {
		t.Errorf("constant data ratio %v, want 0", res.ExplainedVarianceRatio)
	}
}

func ExamplePCA() {
	x := mat.NewDense(6, 2, []float64{-1, -1, -2, -1, -3, -2, 1, 1, 2, 1, 4, 3})
	res, err := PCA(x, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("explained variance ratio %.4f\n", res.ExplainedVarianceRatio[0])
	fmt.Printf("first row at %.4f\n", res.Coords.At(0, 0))
	// Output:
	// explained variance ratio 0.9931
	// first row at -1.6231
}
