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
			t.Errorf("label %d: k = %d, want %d (tests %+v)", ls.Label, ls.K, subs[l], ls.Tests)
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

// relu returns rows shaped like a ReLU encoding: for each group, latent
// Gaussian points (centred at the group's centre) mapped linearly to d
// units plus a bias and rectified, so that many values are exactly zero.
func relu(groups [][]float64, per, d int, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 5))
	latent := len(groups[0])
	w := make([]float64, d*latent)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	bias := make([]float64, d)
	for i := range bias {
		bias[i] = rng.NormFloat64()
	}
	x := mat.NewDense(per*len(groups), d, nil)
	var group []int
	z := make([]float64, latent)
	for g, ctr := range groups {
		for i := 0; i < per; i++ {
			for j := range z {
				z[j] = ctr[j] + rng.NormFloat64()
			}
			row := x.RawRowView(len(group))
			for r := range row {
				v := bias[r]
				for j, zj := range z {
					v += w[r*latent+j] * zj
				}
				row[r] = max(v, 0)
			}
			group = append(group, g)
		}
	}
	return x, group
}

func TestDiscoverSubclassesRectified(t *testing.T) {
	// One skewed, zero-inflated group: one sub-class. Two and three
	// well-separated groups: found and recovered.
	for _, tc := range []struct {
		groups [][]float64
		want   int
	}{
		{[][]float64{{0, 0, 0, 0}}, 1},
		{[][]float64{{0, 0, 0, 0}, {8, 0, 0, 0}}, 2},
		{[][]float64{{0, 0, 0, 0}, {8, 0, 0, 0}, {0, 8, 0, 0}}, 3},
	} {
		x, group := relu(tc.groups, 500, 16, uint64(len(tc.groups)))
		n, _ := x.Dims()
		zeros := 0
		for _, v := range x.RawMatrix().Data {
			if v == 0 {
				zeros++
			}
		}
		if zeros < n*16/4 {
			t.Fatalf("%d zeros in %d values: not a rectified encoding", zeros, n*16)
		}
		res, err := DiscoverSubclasses(x, make([]int, n), group, SubclassOptions{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		ls := res.Labels[0]
		if ls.K != tc.want {
			t.Errorf("%d groups: k = %d (tests %+v)", len(tc.groups), ls.K, ls.Tests)
			continue
		}
		if ls.Dims < 1 || ls.Dims > 16 || len(ls.Tests) == 0 || ls.Tests[0].Rows != n || ls.Tests[0].Reject != (tc.want > 1) {
			t.Errorf("%d groups: dims %d, tests %+v", len(tc.groups), ls.Dims, ls.Tests)
		}
		for _, st := range ls.Tests {
			if len(st.Dip) != 6 || len(st.P) != 6 || st.PValue < 0.0005 || st.PValue > 1 {
				t.Errorf("test %+v", st)
			}
		}
		if tc.want > 1 && res.ClassARI < 0.95 {
			t.Errorf("%d groups: ARI %v", len(tc.groups), res.ClassARI)
		}
	}
}

func TestDip(t *testing.T) {
	for _, tc := range []struct {
		v    []float64
		want float64
	}{
		{[]float64{0, 0, 0, 1, 1, 1}, 0.25},          // two equal atoms
		{[]float64{1, 2, 3}, 1.0 / 6},                // the least possible, 1/(2n)
		{[]float64{4, 4, 4, 4}, 1.0 / 8},             // one atom
		{[]float64{0, 1, 1, 1, 1, 2}, 1.0 / 12},      // a mode at an atom
		{[]float64{1, 1, 2, 2, 2, 2, 2, 2}, 1.0 / 8}, // unequal atoms
	} {
		if got := dip(slices.Clone(tc.v)); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("dip(%v) = %v, want %v", tc.v, got, tc.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	normal := make([]float64, 2000)
	mixture := make([]float64, 2000)
	for i := range normal {
		normal[i] = rng.NormFloat64()
		mixture[i] = rng.NormFloat64() + 6*float64(i%2)
	}
	dn, dm := dip(slices.Clone(normal)), dip(slices.Clone(mixture))
	if p := dipPValue(dn, len(normal)); p < 0.2 {
		t.Errorf("normal sample: dip %v, p %v", dn, p)
	}
	if p := dipPValue(dm, len(mixture)); p != 0.0005 || dm < 0.05 {
		t.Errorf("bimodal sample: dip %v, p %v", dm, p)
	}
	// Invariant under increasing affine maps, and under reflection.
	affine := make([]float64, len(mixture))
	for i, v := range mixture {
		affine[i] = -3*v + 7
	}
	if da := dip(affine); math.Abs(da-dm) > 1e-12 {
		t.Errorf("dip after -3x+7: %v, before %v", da, dm)
	}
	// P-values fall as the dip grows, within [0.0005, 1], and match the
	// table at its knots (but the last, below which they are 1).
	prev := 2.0
	for s := 0.0; s < 1; s += 0.01 {
		p := dipPValue(s/math.Sqrt(1000), 1000)
		if p > prev || p < 0.0005 || p > 1 {
			t.Fatalf("p(%v) = %v after %v", s, p, prev)
		}
		prev = p
	}
	for _, e := range dipTable[:len(dipTable)-1] {
		if p := dipPValue(e.q/math.Sqrt(500), 500); math.Abs(p-e.p) > 1e-9 {
			t.Errorf("p at quantile %v = %v, want %v", e.q, p, e.p)
		}
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
	// Identical rows, and MaxK 1: one sub-class, no test.
	x2, labels2, _ := subclassData([]int{2}, 4)
	flat := mat.NewDense(300, 8, nil)
	for _, tc := range []struct {
		x   *mat.Dense
		opt SubclassOptions
	}{{flat, SubclassOptions{}}, {x2, SubclassOptions{MaxK: 1}}} {
		res, err := DiscoverSubclasses(tc.x, labels2, nil, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		if ls := res.Labels[0]; ls.K != 1 || len(ls.Tests) != 0 || len(ls.Subclasses[0].Members) != 300 {
			t.Errorf("%+v: k %d, tests %+v", tc.opt, ls.K, ls.Tests)
		}
	}
	for _, tc := range []struct {
		labels, classes []int
		opt             SubclassOptions
	}{
		{[]int{0, 0}, nil, SubclassOptions{}},
		{[]int{0, 0, 0, 0, 0}, []int{1}, SubclassOptions{}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{MaxK: -1}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{Alpha: 0.6}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{Alpha: math.NaN()}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{Variance: 1.5}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{NInit: -1}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{Halvings: -1}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{MergeBelow: 1.5}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{MergeBelow: math.NaN()}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{KeepApart: -0.1}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{KeepApart: 0.3}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{KeepApart: math.NaN()}},
		{[]int{0, 0, 0, 0, 0}, nil, SubclassOptions{Bootstrap: -1}},
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
