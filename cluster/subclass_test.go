package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// subclassData builds rows with labels and classes: label l holds
// subs[l] Gaussian sub-clusters of 150 rows each (class = 10·l + sub),
// centres 8 apart in 8-D, plus a stretched single cluster when subs[l] is 1.
func subclassData(subs []int, seed uint64) (x *mat.Dense, labels, classes []int) {
	rng := rand.New(rand.NewPCG(seed, 17))
	const d, per = 8, 150
	var rows []float64
	for l, k := range subs {
		base := make([]float64, d)
		for j := range base {
			base[j] = 40 * rng.NormFloat64()
		}
		for s := 0; s < k; s++ {
			ctr := slices.Clone(base)
			ctr[s%d] += 8 * float64(s/d+1)
			for i := 0; i < per; i++ {
				for j := 0; j < d; j++ {
					sd := 1.0
					if k == 1 && j == 0 {
						sd = 4 // elongated, still one cluster
					}
					rows = append(rows, ctr[j]+sd*rng.NormFloat64())
				}
				labels = append(labels, l)
				classes = append(classes, 10*l+s)
			}
		}
	}
	x, perm := mat.NewDense(len(labels), d, rows), rng.Perm(len(labels))
	y := mat.NewDense(len(labels), d, nil)
	l2 := make([]int, len(labels))
	c2 := make([]int, len(labels))
	for i, p := range perm {
		y.SetRow(i, x.RawRowView(p))
		l2[i], c2[i] = labels[p], classes[p]
	}
	return y, l2, c2
}

func TestDiscoverSubclasses(t *testing.T) {
	subs := []int{2, 1, 3, 2, 4}
	x, labels, classes := subclassData(subs, 1)
	res, err := DiscoverSubclasses(x, labels, classes, SubclassOptions{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Labels) != len(subs) {
		t.Fatalf("%d labels", len(res.Labels))
	}
	for l, ls := range res.Labels {
		if ls.Label != l || ls.K != subs[l] {
			t.Errorf("label %d: k = %d, want %d (gap %v ± %v, silhouettes %v)", ls.Label, ls.K, subs[l], ls.Gap, ls.GapSE, ls.Silhouette)
		}
		for _, sc := range ls.Subclasses {
			if sc.Purity != 1 {
				t.Errorf("label %d sub %d: purity %v, classes %v", l, sc.Index, sc.Purity, sc.Classes)
			}
			if len(sc.Representatives) != 8 || !slices.IsSorted(sc.Members) {
				t.Errorf("label %d sub %d: %d representatives", l, sc.Index, len(sc.Representatives))
			}
			// Representatives are members, nearest the centroid first,
			// and no other member is nearer than the last of them.
			last := -1.0
			for _, r := range sc.Representatives {
				if _, ok := slices.BinarySearch(sc.Members, r); !ok {
					t.Fatalf("representative %d not a member", r)
				}
				dr := sqDist(x.RawRowView(r), sc.Centroid)
				if dr < last {
					t.Fatalf("representatives not by distance")
				}
				last = dr
			}
			for _, r := range sc.Members {
				if !slices.Contains(sc.Representatives, r) && sqDist(x.RawRowView(r), sc.Centroid) < last {
					t.Fatalf("member %d nearer than representatives", r)
				}
			}
		}
	}
	if res.ClassARI != 1 || math.Abs(res.ClassNMI-1) > 1e-12 {
		t.Errorf("partition ARI %v NMI %v, want 1", res.ClassARI, res.ClassNMI)
	}
	for i, id := range res.Partition {
		found := false
		for _, ls := range res.Labels {
			for _, sc := range ls.Subclasses {
				if sc.ID == id {
					found = sc.Label == labels[i]
				}
			}
		}
		if !found {
			t.Fatalf("row %d: partition id %d not a sub-class of label %d", i, id, labels[i])
		}
	}
	// Same seed, same result.
	again, err := DiscoverSubclasses(x, labels, classes, SubclassOptions{Seed: 2, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Partition, again.Partition) {
		t.Error("same seed, different partition")
	}
}

func TestDiscoverSubclassesEdgeCases(t *testing.T) {
	x := mat.NewDense(5, 2, []float64{0, 0, 1, 1, 2, 2, 3, 3, 9, 9})
	// Labels too small to split, no classes.
	res, err := DiscoverSubclasses(x, []int{0, 0, 1, 2, 2}, nil, SubclassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ls := range res.Labels {
		if ls.K != 1 || len(ls.Subclasses) != 1 || !math.IsNaN(ls.Subclasses[0].Purity) {
			t.Errorf("label %d: %+v", ls.Label, ls)
		}
	}
	if !math.IsNaN(res.ClassARI) {
		t.Errorf("ARI without classes: %v", res.ClassARI)
	}
	for _, tc := range []struct {
		labels, classes []int
		opt             SubclassOptions
	}{
		{[]int{0, 0}, nil, SubclassOptions{}},
		{[]int{0, 0, 0, 0, 0}, []int{1}, SubclassOptions{}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{MaxK: -1}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{B: 1}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{Shrink: math.NaN()}},
	} {
		if _, err := DiscoverSubclasses(x, tc.labels, tc.classes, tc.opt); err == nil {
			t.Errorf("%+v: no error", tc)
		}
	}
	for name, bad := range badInputs() {
		if _, err := DiscoverSubclasses(bad, []int{0, 0, 0}, nil, SubclassOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func ExampleDiscoverSubclasses() {
	// Label 0 holds two groups, label 1 a single one.
	x, labels, classes := subclassData([]int{2, 1}, 3)
	res, err := DiscoverSubclasses(x, labels, classes, SubclassOptions{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ls := range res.Labels {
		fmt.Printf("label %d: %d rows, %d sub-classes\n", ls.Label, ls.Rows, ls.K)
		for _, sc := range ls.Subclasses {
			fmt.Printf("  %d rows, purity %.2f, class %d\n", len(sc.Members), sc.Purity, sc.Classes[0].Class)
		}
	}
	fmt.Printf("ARI %.2f\n", res.ClassARI)
	// Output:
	// label 0: 300 rows, 2 sub-classes
	//   150 rows, purity 1.00, class 1
	//   150 rows, purity 1.00, class 0
	// label 1: 150 rows, 1 sub-classes
	//   150 rows, purity 1.00, class 10
	// ARI 1.00
}
