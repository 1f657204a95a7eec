package cluster

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/clustering"
	"github.com/sjwhitworth/golearn/metrics/pairwise"
	"gonum.org/v1/gonum/mat"
)

// golearnDBSCAN runs golearn's clustering.DBSCAN and returns its labels
// renumbered from 0 (noise -1). golearn panics on some inputs (a non-core
// row marks its neighbours as clustered, and expanding a later core row
// among them panics); the panic is returned as an error.
func golearnDBSCAN(x *mat.Dense, eps float64, minSamples int) (labels []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("golearn DBSCAN panicked: %v", r)
		}
	}()
	n, d := x.Dims()
	inst := base.InstancesFromMat64(n, d, x)
	params := clustering.DBSCANParameters{
		ClusterParameters: clustering.ClusterParameters{
			Attributes: inst.AllAttributes(),
			Metric:     pairwise.NewEuclidean(),
		},
		Eps:      eps,
		MinCount: minSamples,
	}
	m, err := clustering.DBSCAN(inst, params)
	if err != nil {
		return nil, err
	}
	labels = make([]int, n)
	for i := range labels {
		labels[i] = Noise
	}
	for c, rows := range m {
		for _, r := range rows {
			labels[r] = c - 1 // golearn numbers clusters from 1
		}
	}
	return labels, nil
}

func TestDBSCANMatchesGolearn(t *testing.T) {
	// Separated blobs in 4-D plus isolated noise rows: a case golearn
	// handles correctly (no noise row within eps of a cluster).
	x, _ := blobs(randomCentres(4, 4, 30, 12), 40, 0.5, 13)
	n, d := x.Dims()
	all := mat.NewDense(n+3, d, nil)
	all.Slice(0, n, 0, d).(*mat.Dense).Copy(x)
	all.SetRow(n, []float64{100, 100, 100, 100})
	all.SetRow(n+1, []float64{-100, 100, -100, 100})
	all.SetRow(n+2, []float64{100, -100, 100, -100})
	all, _ = shuffled(all, make([]int, n+3), 14)

	want, err := golearnDBSCAN(all, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DBSCAN(all, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	if ari, _ := AdjustedRandIndex(want, got.Labels); ari != 1 {
		t.Errorf("ARI with golearn %v, want 1", ari)
	}
	// Identical up to renumbering: same noise rows, bijective cluster map.
	fw := map[int]int{}
	bw := map[int]int{}
	for i := range want {
		a, b := want[i], got.Labels[i]
		if (a == Noise) != (b == Noise) {
			t.Fatalf("row %d: golearn %d, ours %d", i, a, b)
		}
		if v, ok := fw[a]; ok && v != b {
			t.Fatalf("golearn cluster %d maps to %d and %d", a, v, b)
		}
		if v, ok := bw[b]; ok && v != a {
			t.Fatalf("our cluster %d maps to %d and %d", b, v, a)
		}
		fw[a], bw[b] = b, a
	}
	if got.Noise != 3 || len(got.Sizes) != 4 {
		t.Errorf("%d clusters, %d noise", len(got.Sizes), got.Noise)
	}
}

// BenchmarkGolearnDBSCAN times golearn's DBSCAN against ours on the first n
// rows of $FMNIST_ENCODING (or on synthetic 32-D blobs), eps 2.8 and
// min_samples 4. golearn's cost is quadratic in memory (an n×n float64
// distance matrix, 800 MB for n = 10,000) and its expansion rescans
// neighbourhoods from the start; sizes above $GOLEARN_MAX_N (default 2000)
// are skipped.
func BenchmarkGolearnDBSCAN(b *testing.B) {
	var x *mat.Dense
	if os.Getenv("FMNIST_ENCODING") != "" {
		x, _, _ = realData(b)
	} else {
		x, _ = blobs(randomCentres(10, 32, 3, 15), 1000, 0.3, 16)
	}
	maxN := 2000
	if s := os.Getenv("GOLEARN_MAX_N"); s != "" {
		fmt.Sscan(s, &maxN)
	}
	rows, d := x.Dims()
	for _, n := range []int{500, 1000, 2000, 5000, 10000} {
		if n > rows || n > maxN {
			continue
		}
		sub := mat.DenseCopyOf(x.Slice(0, n, 0, d))
		b.Run(fmt.Sprintf("golearn/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				t0 := time.Now()
				if _, err := golearnDBSCAN(sub, 2.8, 4); err != nil {
					b.Logf("n=%d: %v after %v", n, err, time.Since(t0))
				}
			}
		})
		b.Run(fmt.Sprintf("ours/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := DBSCAN(sub, 2.8, 4); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
