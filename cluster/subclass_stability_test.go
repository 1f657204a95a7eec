package cluster

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestSubclassStability(t *testing.T) {
	x, labels, classes := subclassData([]int{2, 1}, 3)
	res, err := DiscoverSubclasses(x, labels, classes, SubclassOptions{Seed: 1, Bootstrap: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res.Labels {
		st := l.Stability
		if st == nil || st.Resamples != 4 || st.SameK != 4 || st.Agreement < 0.95 {
			t.Errorf("label %d (k=%d): stability %+v, want the same clear split in all 4 resamples", l.Label, l.K, st)
		}
	}
}

func TestSubclassStabilityWorkers(t *testing.T) {
	// The labels are searched in parallel, and the resamples too: the
	// result must not depend on the number of workers.
	// With evidence, so that the merge and KeepApart run too, and up to
	// more than twice as many workers as labels, so that each label's own
	// k-means and EM get several.
	x, labels, classes := subclassData([]int{2, 1, 3}, 4)
	n, _ := x.Dims()
	ev := mat.NewDense(n, 1, nil)
	for i := range n {
		ev.Set(i, 0, float64(labels[i]%2)+0.01*float64(i%7)) // scores alike within each label
	}
	var want *SubclassResult
	for _, w := range []int{1, 2, 7, 16} {
		res, err := DiscoverSubclasses(x, labels, classes, SubclassOptions{Seed: 3, Bootstrap: 3, Workers: w, Evidence: ev})
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = res
			kept := 0
			for _, l := range res.Labels {
				kept += l.KeptApart
			}
			if kept == 0 {
				t.Fatal("no sub-classes kept apart: the test does not reach KeepApart")
			}
			continue
		}
		if !slices.Equal(res.Partition, want.Partition) {
			t.Errorf("Workers=%d: a different partition than with Workers=1", w)
		}
		for i, l := range res.Labels {
			o := want.Labels[i]
			sameSep := l.Separation == o.Separation || math.IsNaN(l.Separation) && math.IsNaN(o.Separation)
			if l.K != o.K || l.Found != o.Found || l.KeptApart != o.KeptApart || !sameSep ||
				!reflect.DeepEqual(l.Tests, o.Tests) || !reflect.DeepEqual(l.Subclasses, o.Subclasses) ||
				(l.Stability == nil) != (o.Stability == nil) || l.Stability != nil && *l.Stability != *o.Stability {
				t.Errorf("Workers=%d: label %d differs from Workers=1", w, l.Label)
			}
		}
	}
}
