package cluster

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// exactScores is the reference: PCA's coordinates of x.
func exactScores(t *testing.T, x []float32, n, d, k int) []float64 {
	t.Helper()
	a := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			a.Set(i, j, float64(x[i*d+j]))
		}
	}
	r, err := PCA(a, k)
	if err != nil {
		t.Fatal(err)
	}
	return r.Coords.RawMatrix().Data
}

func TestRandomizedPCA(t *testing.T) {
	tests := []struct {
		name    string
		n, d, k int
		spread  []float64 // the data's standard deviation along each of its main directions
		noise   float64
	}{
		{"decaying spectrum", 400, 300, 5, []float64{40, 20, 10, 5, 2.5, 1.2}, 0.05},
		{"wide", 120, 400, 4, []float64{30, 12, 6, 3}, 0.01},
		{"rank below k", 200, 50, 8, []float64{10, 5, 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			dirs := make([][]float64, len(tt.spread))
			for r := range dirs {
				dirs[r] = make([]float64, tt.d)
				for j := range dirs[r] {
					dirs[r][j] = rng.NormFloat64() / math.Sqrt(float64(tt.d))
				}
			}
			x := make([]float32, tt.n*tt.d)
			for i := range tt.n {
				for r, s := range tt.spread {
					z := s * rng.NormFloat64()
					for j := range tt.d {
						x[i*tt.d+j] += float32(z * dirs[r][j])
					}
				}
				for j := range tt.d {
					x[i*tt.d+j] += float32(3 + tt.noise*rng.NormFloat64()) // an offset the centring removes
				}
			}
			got, err := RandomizedPCA(x, tt.n, tt.d, tt.k)
			if err != nil {
				t.Fatal(err)
			}
			want := exactScores(t, x, tt.n, tt.d, tt.k)
			rank := min(tt.k, len(tt.spread))
			for c := range rank {
				var diff, norm float64
				for i := range tt.n {
					d := float64(got[i*tt.k+c]) - want[i*tt.k+c]
					diff += d * d
					norm += want[i*tt.k+c] * want[i*tt.k+c]
				}
				if rel := math.Sqrt(diff / norm); rel > 1e-3 {
					t.Errorf("component %d: relative error %.2g", c+1, rel)
				}
			}
			for c := rank; c < tt.k && tt.noise == 0; c++ {
				for i := range tt.n {
					if v := got[i*tt.k+c]; math.Abs(float64(v)) > 1e-3 {
						t.Fatalf("component %d of rank-%d data: score %v, want 0", c+1, rank, v)
					}
				}
			}
		})
	}
	if _, err := RandomizedPCA(make([]float32, 5), 2, 3, 1); err == nil {
		t.Error("5 values for 2×3: no error")
	}
	same, err := RandomizedPCA(make([]float32, 60), 6, 10, 2)
	if err != nil {
		t.Fatalf("data without variance: %v", err)
	}
	for _, v := range same {
		if v != 0 {
			t.Fatalf("data without variance: score %v, want 0", v)
		}
	}
}

// BenchmarkRandomizedPCA times the default model's projector: 10,000
// encodings of 6,272 values reduced to 50 components.
func BenchmarkRandomizedPCA(b *testing.B) {
	const n, d = 10000, 6272
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = max(0, float32(rng.NormFloat64()))
	}
	b.ResetTimer()
	for range b.N {
		if _, err := RandomizedPCA(x, n, d, 50); err != nil {
			b.Fatal(err)
		}
	}
}
