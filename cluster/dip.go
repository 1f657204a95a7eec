package cluster

import (
	"cmp"
	"math"
	"slices"
)

// dip returns Hartigan's dip statistic of the values v (which it sorts):
// the largest distance between their empirical distribution function and
// the closest unimodal distribution function. It is at least 1/(2n) and at
// most 1/4. It follows the algorithm of Hartigan and Hartigan (1985):
// within a shrinking modal interval, compare the greatest convex minorant
// and least concave majorant of the distribution function; the dip is half
// the largest departure met outside the final interval.
func dip(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n < 2 {
		return 0
	}
	// Distinct values with the counts below (lo) and up to (hi) them.
	var x, lo, hi []float64
	for i := 0; i < n; {
		j := i
		for j < n && v[j] == v[i] {
			j++
		}
		x = append(x, v[i])
		lo = append(lo, float64(i))
		hi = append(hi, float64(j))
		i = j
	}
	// at evaluates at x[i] the piecewise-linear function through the
	// points (x[p], y[p]) of the hull h, returning the hull segment [h[s],
	// h[s+1]) holding i (s is i's own position when i is a hull point).
	at := func(h []int, y []float64, i int) (float64, int) {
		s, found := slices.BinarySearch(h, i)
		if found {
			return y[i], s
		}
		p, r := h[s-1], h[s]
		return y[p] + (y[r]-y[p])*(x[i]-x[p])/(x[r]-x[p]), s - 1
	}
	a, b := 0, len(x)-1
	var best float64 // twice the dip, in counts
	var gcm, lcm []int
	for {
		// Greatest convex minorant of (x, lo) and least concave majorant
		// of (x, hi) on [a, b].
		gcm, lcm = gcm[:0], lcm[:0]
		for i := a; i <= b; i++ {
			for len(gcm) >= 2 {
				p, r := gcm[len(gcm)-2], gcm[len(gcm)-1]
				if (lo[r]-lo[p])*(x[i]-x[p]) < (lo[i]-lo[p])*(x[r]-x[p]) {
					break
				}
				gcm = gcm[:len(gcm)-1]
			}
			gcm = append(gcm, i)
			for len(lcm) >= 2 {
				p, r := lcm[len(lcm)-2], lcm[len(lcm)-1]
				if (hi[r]-hi[p])*(x[i]-x[p]) > (hi[i]-hi[p])*(x[r]-x[p]) {
					break
				}
				lcm = lcm[:len(lcm)-1]
			}
			lcm = append(lcm, i)
		}
		// Largest gap between them and the modal interval it implies.
		gap, na, nb := -1.0, a, b
		for _, i := range lcm {
			g, s := at(gcm, lo, i)
			if d := hi[i] - g; d > gap {
				gap, na, nb = d, gcm[s], i
			}
		}
		for _, i := range gcm {
			c, s := at(lcm, hi, i)
			if d := c - lo[i]; d > gap {
				nb = lcm[s]
				if nb != i && s+1 < len(lcm) {
					nb = lcm[s+1]
				}
				gap, na = d, i
			}
		}
		if gap <= best {
			break
		}
		// Departures outside the new modal interval.
		for i := a; i < na; i++ {
			g, _ := at(gcm, lo, i)
			best = max(best, hi[i]-g)
		}
		for i := nb + 1; i <= b; i++ {
			c, _ := at(lcm, hi, i)
			best = max(best, c-lo[i])
		}
		if na == a && nb == b {
			break
		}
		a, b = na, nb
	}
	return max(best, 1) / (2 * float64(n))
}

// dipPValue returns the p-value of the dip d of n values: the chance that
// a uniform sample has a larger dip, interpolated linearly in log p from
// dipTable and clamped to its range.
func dipPValue(d float64, n int) float64 {
	s := d * math.Sqrt(float64(n))
	t := dipTable
	if s >= t[0].q {
		return t[0].p
	}
	if s < t[len(t)-1].q {
		return 1
	}
	i, _ := slices.BinarySearchFunc(t, s, func(e struct{ p, q float64 }, s float64) int { return cmp.Compare(s, e.q) })
	hiE, loE := t[i-1], t[i] // hiE.q > s >= loE.q
	f := (s - loE.q) / (hiE.q - loE.q)
	return math.Exp(math.Log(loE.p) + f*(math.Log(hiE.p)-math.Log(loE.p)))
}
