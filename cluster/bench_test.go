package cluster

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// synthEncoding returns n rows resembling a ReLU encoding: 10 classes of
// Gaussian points in a 6-D latent space, mapped linearly to 32 dimensions
// with a little noise and rectified; and the class of each row.
func synthEncoding(n int, seed uint64) (*mat.Dense, []int) {
	const d, latent, classes = 32, 6, 10
	rng := rand.New(rand.NewPCG(seed, 99))
	w := make([]float64, d*latent)
	for i := range w {
		w[i] = 0.6 * rng.NormFloat64()
	}
	ctr := make([]float64, classes*latent)
	for i := range ctr {
		ctr[i] = 3 * rng.NormFloat64()
	}
	x := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	z := make([]float64, latent)
	for i := 0; i < n; i++ {
		c := i % classes
		labels[i] = c
		for j := range z {
			z[j] = ctr[c*latent+j] + rng.NormFloat64()
		}
		row := x.RawRowView(i)
		for r := range row {
			s := 0.5 + 0.1*rng.NormFloat64()
			for j, v := range z {
				s += w[r*latent+j] * v
			}
			row[r] = math.Max(s, 0)
		}
	}
	return x, labels
}

func BenchmarkPCA(b *testing.B) {
	x, _ := synthEncoding(10000, 1)
	for b.Loop() {
		if _, err := PCA(x, 2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKMeans(b *testing.B) {
	x, _ := synthEncoding(10000, 1)
	var res *KMeansResult
	for b.Loop() {
		var err error
		if res, err = KMeans(x, KMeansOptions{K: 5}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Inertia, "inertia")
}

func BenchmarkDBSCAN(b *testing.B) {
	x, _ := synthEncoding(10000, 1)
	var res *DBSCANResult
	for b.Loop() {
		var err error
		if res, err = DBSCAN(x, 2.8, 4); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Sizes)), "clusters")
	b.ReportMetric(float64(res.Noise), "noise")
}

func BenchmarkTSNE(b *testing.B) {
	x, _ := synthEncoding(10000, 1)
	var res *TSNEResult
	for b.Loop() {
		var err error
		if res, err = TSNE(x, TSNEOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.KL, "KL")
}

func BenchmarkSilhouette(b *testing.B) {
	x, labels := synthEncoding(10000, 1)
	for b.Loop() {
		if _, err := Silhouette(x, labels); err != nil {
			b.Fatal(err)
		}
	}
}
