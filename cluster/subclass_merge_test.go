package cluster

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestEvidenceSeparation(t *testing.T) {
	// Column 0 alike in both groups, column 1 shifted by sd·shift.
	rng := rand.New(rand.NewPCG(4, 4))
	make2 := func(shift float64) ([]float64, []int, []int) {
		var ev []float64
		var a, b []int
		for i := range 800 {
			g := i % 2
			ev = append(ev, rng.NormFloat64(), rng.NormFloat64()+shift*float64(g))
			if g == 0 {
				a = append(a, i)
			} else {
				b = append(b, i)
			}
		}
		return ev, a, b
	}
	tests := []struct {
		shift, lo, hi float64
	}{
		{0, 0, 0.15},      // no difference
		{1, 0.45, 0.65},   // AUC Φ(1/√2) ≈ 0.76: |2·AUC − 1| ≈ 0.52
		{100, 0.999, 1.0}, // complete separation
	}
	for _, tt := range tests {
		ev, a, b := make2(tt.shift)
		if s := evidenceSeparation(ev, 2, a, b); s < tt.lo || s > tt.hi {
			t.Errorf("shift %v: separation %.3f, want in [%v, %v]", tt.shift, s, tt.lo, tt.hi)
		}
	}
}

// twoBlobs returns rows of q columns: n drawn around the origin and n around
// shift·e₀, with the unit variances of scales along each axis, then rotated
// by a fixed orthogonal matrix, and the row indices of each blob.
func twoBlobs(n, q int, shift float64, scales []float64, seed uint64) (y []float64, a, b []int) {
	rng := rand.New(rand.NewPCG(seed, 9))
	y = make([]float64, 2*n*q)
	for i := range 2 * n {
		row := y[i*q : (i+1)*q]
		for j := range q {
			row[j] = rng.NormFloat64() * scales[j]
		}
		if i >= n {
			row[0] += shift
			b = append(b, i)
		} else {
			a = append(a, i)
		}
		// A Givens rotation of each pair of axes, so that no axis is
		// special.
		for j := 0; j+1 < q; j += 2 {
			c, s := math.Cos(0.7), math.Sin(0.7)
			row[j], row[j+1] = c*row[j]-s*row[j+1], s*row[j]+c*row[j+1]
		}
	}
	return y, a, b
}

func TestModeDip(t *testing.T) {
	scales := []float64{1, 3, 0.5, 2, 1}
	// The dip grows with the separation of the two groups, from that of
	// one Gaussian cut in two to that of two clear modes.
	prev := -1.0
	for _, tt := range []struct {
		shift, lo, hi float64
	}{
		{0, 0, 0.02},
		{2, 0, 0.03},
		{4, 0.02, 0.08},
		{8, 0.1, 0.2},
		{50, 0.2, 0.25},
	} {
		y, a, b := twoBlobs(1000, len(scales), tt.shift, scales, 1)
		d := modeDip(y, len(scales), a, b)
		if d < tt.lo || d > tt.hi || d < prev {
			t.Errorf("shift %v: modeDip %.4f, want in [%v, %v] and at least %.4f", tt.shift, d, tt.lo, tt.hi, prev)
		}
		prev = d
	}
	// The Fisher direction makes it invariant under a signed permutation
	// of the axes, a uniform scaling and a translation (the ridge, a share
	// of the mean variance, is not invariant under uneven scalings).
	q := len(scales)
	y, a, b := twoBlobs(500, q, 4, scales, 2)
	moved := make([]float64, len(y))
	for i := 0; i < len(y); i += q {
		for j := 0; j < q; j++ {
			moved[i+j] = -7*y[i+(j+1)%q] + float64(j)
		}
	}
	if d0, d1 := modeDip(y, q, a, b), modeDip(moved, q, a, b); math.Abs(d0-d1) > 1e-9 {
		t.Errorf("modeDip %v, %v after a rotation, scaling and shift", d0, d1)
	}
	// Equal rows: no direction, no second mode.
	same := make([]float64, 200*q)
	if d := modeDip(same, q, rangeInts(0, 100), rangeInts(100, 200)); d > 1.0/400+1e-12 {
		t.Errorf("equal rows: modeDip %v, want 1/(2n), the dip of one atom", d)
	}
}

// rangeInts returns lo, lo+1, ..., hi-1.
func rangeInts(lo, hi int) []int {
	out := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func TestMerger(t *testing.T) {
	// Three groups the evidence scores alike. In the coordinates, a and c
	// overlap (one mode), b lies 10 sd away (a second mode).
	rng := rand.New(rand.NewPCG(5, 5))
	const n, q = 400, 2
	y := make([]float64, 3*n*q)
	ev := make([]float64, 3*n)
	var groups [3][]int
	for i := range 3 * n {
		g := i / n
		groups[g] = append(groups[g], i)
		y[i*q], y[i*q+1] = rng.NormFloat64(), rng.NormFloat64()
		switch g {
		case 1:
			y[i*q] += 10
		case 2:
			y[i*q] += 0.5
		}
		ev[i] = rng.NormFloat64()
	}
	dipOf := func(a, b []int) float64 { return modeDip(y, q, a, b) }
	for _, tt := range []struct {
		name            string
		apart           float64
		wantK, wantKept int
	}{
		{"clear modes kept apart", 0.075, 2, 1},
		{"never kept apart", 0.25, 1, 0},
	} {
		mg := &merger{ev: ev, e: 1, tau: 0.6, apart: tt.apart, dip: dipOf}
		got, sep, kept := mg.merge([][]int{groups[0], groups[1], groups[2]})
		if len(got) != tt.wantK || kept != tt.wantKept {
			t.Errorf("%s: %d clusters, %d kept apart; want %d, %d", tt.name, len(got), kept, tt.wantK, tt.wantKept)
			continue
		}
		if tt.wantK == 2 {
			if len(got[0]) != 2*n || len(got[1]) != n || got[1][0] != n {
				t.Errorf("%s: clusters of %d and %d rows (second from %d), want a+c and b", tt.name, len(got[0]), len(got[1]), got[1][0])
			}
			if !(sep < 0.6) {
				t.Errorf("%s: separation %v left, want the low one of a+c and b", tt.name, sep)
			}
		}
	}
	// Evidence that tells the groups apart merges nothing.
	for i := range ev {
		ev[i] += 10 * float64(i/n)
	}
	mg := &merger{ev: ev, e: 1, tau: 0.6, apart: 0.075, dip: dipOf}
	if got, sep, kept := mg.merge([][]int{groups[0], groups[1], groups[2]}); len(got) != 3 || kept != 0 || sep < 0.99 {
		t.Errorf("separated evidence: %d clusters, %d kept apart, separation %v; want 3, 0, ≈ 1", len(got), kept, sep)
	}
}
