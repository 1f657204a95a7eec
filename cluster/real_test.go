package cluster

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Benchmarks on a real encoding. Set FMNIST_ENCODING to a CSV file with a
// header row (one row per test image, in order) and optionally
// FMNIST_LABELS to the 10-class labels (IDX file, gzipped or not, or text
// with one integer per line). With FMNIST_OUT set to a directory, label
// outputs are written there as CSV for comparison with scikit-learn.
//
//	FMNIST_ENCODING=/tmp/encA.csv \
//	FMNIST_LABELS=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz \
//	go test ./cluster -run '^$' -bench Real -benchtime 1x

// fmnistGroup maps the 10 Fashion-MNIST classes to the 5 grouped labels.
var fmnistGroup = [10]int{0, 2, 2, 4, 4, 1, 0, 3, 3, 4}

// readCSV reads a numeric CSV file with a header row.
func readCSV(path string) (*mat.Dense, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var data []float64
	cols, rows := -1, 0
	header := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if header {
			header = false
			continue
		}
		fields := strings.Split(line, ",")
		if cols < 0 {
			cols = len(fields)
		} else if len(fields) != cols {
			return nil, fmt.Errorf("%s: row %d has %d fields, want %d", path, rows+1, len(fields), cols)
		}
		for _, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: row %d: %w", path, rows+1, err)
			}
			data = append(data, v)
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, fmt.Errorf("%s: no data rows", path)
	}
	return mat.NewDense(rows, cols, data), nil
}

// readLabels reads class labels from an IDX1 file (optionally gzipped) or
// from text with one integer per line (a non-numeric first line is skipped).
func readLabels(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	if len(b) >= 8 && binary.BigEndian.Uint32(b) == 0x801 {
		n := int(binary.BigEndian.Uint32(b[4:]))
		if len(b) < 8+n {
			return nil, fmt.Errorf("%s: truncated IDX file", path)
		}
		out := make([]int, n)
		for i := range out {
			out[i] = int(b[8+i])
		}
		return out, nil
	}
	var out []int
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, err := strconv.Atoi(line)
		if err != nil {
			if i == 0 {
				continue
			}
			return nil, fmt.Errorf("%s: line %d: %w", path, i+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// realData loads the encoding and labels named by the environment, or
// skips the benchmark.
func realData(b *testing.B) (x *mat.Dense, y10, y5 []int) {
	b.Helper()
	path := os.Getenv("FMNIST_ENCODING")
	if path == "" {
		b.Skip("FMNIST_ENCODING not set")
	}
	x, err := readCSV(path)
	if err != nil {
		b.Fatal(err)
	}
	if lp := os.Getenv("FMNIST_LABELS"); lp != "" {
		y10, err = readLabels(lp)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := x.Dims()
		if len(y10) != n {
			b.Fatalf("%d labels for %d rows", len(y10), n)
		}
		y5 = make([]int, n)
		for i, c := range y10 {
			if c < 0 || c >= len(fmnistGroup) {
				b.Fatalf("label %d out of range", c)
			}
			y5[i] = fmnistGroup[c]
		}
	}
	return x, y10, y5
}

// writeLabels writes labels, one per line under a header, to
// $FMNIST_OUT/name when FMNIST_OUT is set.
func writeLabels(b *testing.B, name string, labels []int) {
	dir := os.Getenv("FMNIST_OUT")
	if dir == "" {
		return
	}
	var sb strings.Builder
	sb.WriteString("label\n")
	for _, l := range labels {
		sb.WriteString(strconv.Itoa(l))
		sb.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkRealPCA(b *testing.B) {
	x, _, _ := realData(b)
	var res *PCAResult
	for b.Loop() {
		var err error
		if res, err = PCA(x, 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.ExplainedVarianceRatio[0], "ratio1")
	b.ReportMetric(res.ExplainedVarianceRatio[1], "ratio2")
}

func BenchmarkRealDBSCAN(b *testing.B) {
	x, _, _ := realData(b)
	eps, err := SuggestEps(x, 4)
	if err != nil {
		b.Fatal(err)
	}
	var res *DBSCANResult
	for b.Loop() {
		var err error
		if res, err = DBSCAN(x, 2.8, 4); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Sizes)), "clusters")
	b.ReportMetric(float64(res.Noise), "noise")
	b.ReportMetric(eps, "suggested_eps")
	writeLabels(b, "dbscan.csv", res.Labels)
}

func BenchmarkRealKMeans(b *testing.B) {
	x, y10, y5 := realData(b)
	var res *KMeansResult
	for b.Loop() {
		var err error
		if res, err = KMeans(x, KMeansOptions{K: 5}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Inertia, "inertia")
	if y10 != nil {
		a5, _ := AdjustedRandIndex(y5, res.Labels)
		a10, _ := AdjustedRandIndex(y10, res.Labels)
		b.ReportMetric(a5, "ARI5")
		b.ReportMetric(a10, "ARI10")
	}
	writeLabels(b, "kmeans.csv", res.Labels)
}

func BenchmarkRealTSNE(b *testing.B) {
	x, _, _ := realData(b)
	var res *TSNEResult
	for b.Loop() {
		var err error
		if res, err = TSNE(x, TSNEOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.KL, "KL")
	b.ReportMetric(float64(res.Iter), "iter")
	if dir := os.Getenv("FMNIST_OUT"); dir != "" {
		var sb strings.Builder
		sb.WriteString("x,y\n")
		n, _ := res.Embedding.Dims()
		for i := 0; i < n; i++ {
			fmt.Fprintf(&sb, "%g,%g\n", res.Embedding.At(i, 0), res.Embedding.At(i, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, "tsne.csv"), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRealSubclasses(b *testing.B) {
	x, y10, y5 := realData(b)
	if y10 == nil {
		b.Skip("FMNIST_LABELS not set")
	}
	var res *SubclassResult
	for b.Loop() {
		var err error
		if res, err = DiscoverSubclasses(x, y5, y10, SubclassOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var report strings.Builder
	for _, l := range res.Labels {
		var lc, lp []int
		for _, s := range l.Subclasses {
			for _, r := range s.Members {
				lc = append(lc, y10[r])
				lp = append(lp, s.Index)
			}
		}
		la, _ := AdjustedRandIndex(lc, lp)
		var tests []string
		for _, t := range l.Tests {
			var dips []string
			for i, d := range t.Dip {
				// Even entries test the larger half.
				rows := t.Rows / 2
				if i%2 == 0 {
					rows = t.Rows - rows
				}
				dips = append(dips, fmt.Sprintf("%.2f", d*math.Sqrt(float64(rows))))
			}
			split := ""
			if t.Reject {
				split = " split"
			}
			tests = append(tests, fmt.Sprintf("n=%d dip√n %s p %.3g%s", t.Rows, strings.Join(dips, "/"), t.PValue, split))
		}
		line := fmt.Sprintf("label %d rows %d dims %d k %d (ARI within label %.3f) tests [%s]",
			l.Label, l.Rows, l.Dims, l.K, la, strings.Join(tests, "; "))
		b.Log(line)
		fmt.Fprintln(&report, line)
		for _, s := range l.Subclasses {
			fmt.Fprintf(&report, "  sub-class %d (id %d): %d rows, purity %.3f, classes %v, representatives %v\n",
				s.Index, s.ID, len(s.Members), s.Purity, s.Classes, s.Representatives)
		}
		b.ReportMetric(float64(l.K), fmt.Sprintf("k%d", l.Label))
	}
	fmt.Fprintf(&report, "partition ARI10 %.4f NMI10 %.4f\n", res.ClassARI, res.ClassNMI)
	if dir := os.Getenv("FMNIST_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "subclasses.txt"), []byte(report.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.ClassARI, "ARI10")
	writeLabels(b, "subclasses.csv", res.Partition)
}
