package cluster

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func TestKDTreeQueries(t *testing.T) {
	tests := []struct {
		name string
		n, d int
		dup  bool
	}{
		{"1d", 300, 1, false},
		{"2d", 500, 2, false},
		{"10d", 400, 10, false},
		{"32d dup", 600, 32, true},
		{"tiny", 3, 4, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.d)))
			data := make([]float64, tc.n*tc.d)
			for i := range data {
				data[i] = rng.NormFloat64() * float64(1+i%tc.d)
			}
			if tc.dup {
				for i := 0; i < tc.n/4; i++ {
					copy(data[(tc.n-1-i)*tc.d:(tc.n-i)*tc.d], data[i*tc.d:(i+1)*tc.d])
				}
			}
			tr := newKDTree(data, tc.n, tc.d)
			row := func(i int) []float64 { return data[i*tc.d : (i+1)*tc.d] }
			var rs radiusScratch
			var ks knnScratch
			k := min(7, tc.n)
			gotR := make([]int32, k)
			gotD := make([]float64, k)
			for p := 0; p < tc.n; p++ {
				i := int(tr.index[p])
				// Brute force, ordered by (distance, row).
				all := make([]int, tc.n)
				dist := make([]float64, tc.n)
				for j := range all {
					all[j] = j
					dist[j] = sqDist(row(i), row(j))
				}
				sort.SliceStable(all, func(a, b int) bool { return dist[all[a]] < dist[all[b]] })
				r2 := dist[all[k-1]] // radius hitting exactly the k-th neighbour
				var want []int
				for j := range dist {
					if dist[j] <= r2 {
						want = append(want, j)
					}
				}
				var got []int
				tr.radiusAt(p, r2, &rs, func(q int32) { got = append(got, int(tr.index[q])) })
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("row %d radius %v: %v, want %v", i, r2, got, want)
				}
				tr.knnAt(p, k, &ks, gotR, gotD)
				for j := 0; j < k; j++ {
					if gotD[j] != dist[all[j]] {
						t.Fatalf("row %d: neighbour %d at %v, want %v", i, j, gotD[j], dist[all[j]])
					}
				}
			}
		})
	}
}
