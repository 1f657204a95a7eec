package cluster

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Expected values computed with scikit-learn 1.2 (Debian python3-sklearn):
// adjusted_rand_score, normalized_mutual_info_score (arithmetic) and
// silhouette_score on the same inputs.
func TestARINMI(t *testing.T) {
	tests := []struct {
		name     string
		a, b     []int
		ari, nmi float64
	}{
		{"mixed", []int{0, 0, 0, 1, 1, 1, 2, 2, 2, 2}, []int{1, 1, 0, 0, 2, 2, 2, 2, -1, -1}, 0.19753086419753085, 0.555960101000571},
		{"renamed", []int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1, 1},
		{"one vs singletons", []int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0, 0},
		{"both single", []int{0, 0, 0}, []int{1, 1, 1}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ari, err := AdjustedRandIndex(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(ari-tc.ari) > 1e-12 {
				t.Errorf("ARI %v, sklearn %v", ari, tc.ari)
			}
			nmi, err := NMI(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(nmi-tc.nmi) > 1e-12 {
				t.Errorf("NMI %v, sklearn %v", nmi, tc.nmi)
			}
			// Both are symmetric.
			if r, _ := AdjustedRandIndex(tc.b, tc.a); math.Abs(r-ari) > 1e-15 {
				t.Errorf("ARI not symmetric: %v vs %v", r, ari)
			}
		})
	}
	for _, bad := range [][2][]int{{nil, nil}, {{1, 2}, {1}}} {
		if _, err := AdjustedRandIndex(bad[0], bad[1]); err == nil {
			t.Errorf("ARI(%v, %v): no error", bad[0], bad[1])
		}
		if _, err := NMI(bad[0], bad[1]); err == nil {
			t.Errorf("NMI(%v, %v): no error", bad[0], bad[1])
		}
	}
}

func TestSilhouette(t *testing.T) {
	x := mat.NewDense(8, 2, []float64{0, 0, 0, 1, 1, 0, 5, 5, 5, 6, 6, 5, 10, 0, 10, 1})
	tests := []struct {
		labels []int
		want   float64
	}{
		{[]int{0, 0, 0, 1, 1, 1, 2, 2}, 0.8381087202020668},
		{[]int{0, 0, 1, 1, 1, 2, 2, 2}, 0.23500384269206076},
		{[]int{0, 0, 0, 1, 1, 1, 2, -1}, 0.6221730933532161}, // singleton scores 0
	}
	for _, tc := range tests {
		got, err := Silhouette(x, tc.labels)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("silhouette(%v) = %v, sklearn %v", tc.labels, got, tc.want)
		}
		// A sample as large as the data is the exact score.
		s, err := SilhouetteSample(x, tc.labels, 100, 1)
		if err != nil || math.Abs(s-got) > 1e-12 {
			t.Errorf("full sample %v, %v; want %v", s, err, got)
		}
	}
	for _, labels := range [][]int{{0, 0, 0, 0, 0, 0, 0, 0}, {0, 1, 2, 3, 4, 5, 6, 7}, {0, 1}} {
		if _, err := Silhouette(x, labels); err == nil {
			t.Errorf("labels %v: no error", labels)
		}
	}
	for name, bad := range badInputs() {
		if _, err := Silhouette(bad, []int{0, 1, 0}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSilhouetteSample(t *testing.T) {
	x, truth := blobs(randomCentres(3, 5, 10, 3), 400, 1, 3)
	exact, err := Silhouette(x, truth)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := SilhouetteSample(x, truth, 300, 7)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := SilhouetteSample(x, truth, 300, 7)
	if s1 != s2 {
		t.Error("same seed, different sample score")
	}
	if math.Abs(s1-exact) > 0.05 {
		t.Errorf("sample %v far from exact %v", s1, exact)
	}
	if _, err := SilhouetteSample(x, truth, 1, 7); err == nil {
		t.Error("sample of 1: no error")
	}
}

func TestContingencyTable(t *testing.T) {
	ct, err := ContingencyTable([]int{5, 5, 1, 1, 1}, []int{0, 2, 2, 2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ct.Rows, []int{1, 5}) || !slices.Equal(ct.Cols, []int{0, 2}) {
		t.Errorf("rows %v cols %v", ct.Rows, ct.Cols)
	}
	want := [][]int{{1, 2}, {1, 1}}
	for r := range want {
		if !slices.Equal(ct.Counts[r], want[r]) {
			t.Errorf("counts %v, want %v", ct.Counts, want)
		}
	}
}

func ExampleAdjustedRandIndex() {
	truth := []int{0, 0, 0, 1, 1, 1}
	found := []int{2, 2, 1, 1, 0, 0}
	ari, _ := AdjustedRandIndex(truth, found)
	nmi, _ := NMI(truth, found)
	fmt.Printf("ARI %.4f NMI %.4f\n", ari, nmi)
	// Output:
	// ARI 0.2424 NMI 0.5158
}

func ExampleContingencyTable() {
	ct, _ := ContingencyTable([]int{0, 0, 1, 1, 1}, []int{7, 8, 8, 8, 8})
	fmt.Println(ct.Rows, ct.Cols, ct.Counts)
	// Output:
	// [0 1] [7 8] [[1 1] [0 3]]
}

func ExampleSilhouette() {
	x := mat.NewDense(6, 1, []float64{0, 1, 2, 10, 11, 12})
	// scikit-learn: silhouette_score(x, labels) = 0.8656565656565657
	s, err := Silhouette(x, []int{0, 0, 0, 1, 1, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", s)
	// Output:
	// 0.8657
}
