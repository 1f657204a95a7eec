package analysis

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"fmnist/dataset"
	"fmnist/internal/textfile"
)

// coordDigits is the precision, in significant digits, of the coordinates
// in pca.csv and tsne.csv.
const coordDigits = 8

// points turns the rows of a two-column matrix into points, each value
// rounded to the precision the CSV file stores, so that a report of a fresh
// analysis draws what one rendered from the written files would.
func points(m *mat.Dense) [][2]float64 {
	r, _ := m.Dims()
	out := make([][2]float64, r)
	for i := range out {
		for j := range 2 {
			s := strconv.FormatFloat(m.At(i, j), 'g', coordDigits, 64)
			out[i][j], _ = strconv.ParseFloat(s, 64)
		}
	}
	return out
}

// Files encodes the analysis files of r in the order they are to be
// written: pca.csv, tsne.csv, kmeans.csv, dbscan.csv, subclasses.csv, then
// analysis.json, whose presence marks a complete analysis. Files that r
// lacks (nil columns) are left out.
func (r *Result) Files() ([]OutputFile, error) {
	var out []OutputFile
	add := func(name string, data []byte) { out = append(out, OutputFile{Name: name, Data: data}) }
	if r.PCA != nil {
		add(PCAFile, encodePoints("pc1,pc2", r.PCA))
	}
	if r.TSNE != nil {
		add(TSNEFile, encodePoints("x,y", r.TSNE))
	}
	if r.KMeans != nil {
		add(KMeansFile, encodeClusters(r.KMeans))
	}
	if r.DBSCAN != nil {
		add(DBSCANFile, encodeClusters(r.DBSCAN))
	}
	if r.Subclass != nil {
		data, err := encodeAssignment(r.SubclassLabels, r.Subclass)
		if err != nil {
			return nil, err
		}
		add(SubclassesFile, data)
	}
	js, err := json.MarshalIndent(&r.Analysis, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", File, err)
	}
	add(File, append(js, '\n'))
	return out, nil
}

func encodePoints(header string, ps [][2]float64) []byte {
	buf := []byte(header + "\n")
	for _, p := range ps {
		buf = strconv.AppendFloat(buf, p[0], 'g', coordDigits, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, p[1], 'g', coordDigits, 64)
		buf = append(buf, '\n')
	}
	return buf
}

func encodeClusters(labels []int) []byte {
	buf := []byte("cluster\n")
	for _, l := range labels {
		buf = strconv.AppendInt(buf, int64(l), 10)
		buf = append(buf, '\n')
	}
	return buf
}

// encodeAssignment encodes subclasses.csv: the header "label,subclass",
// then one row per test image.
func encodeAssignment(labels, subclass []int) ([]byte, error) {
	if len(labels) != len(subclass) {
		return nil, fmt.Errorf("encode %s: %d labels but %d sub-classes", SubclassesFile, len(labels), len(subclass))
	}
	buf := []byte("label,subclass\n")
	for i, l := range labels {
		buf = strconv.AppendInt(buf, int64(l), 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(subclass[i]), 10)
		buf = append(buf, '\n')
	}
	return buf, nil
}

// Read reads analysis.json and the CSV files beside it in dir, the only
// reader of the analysis files. A missing analysis.json gives an error
// wrapping [fs.ErrNotExist]; a corrupt one, or a corrupt CSV file, or one
// that disagrees with analysis.json, an error naming the file (and line).
// Missing CSV files are noted in Result.Notes.
func Read(dir string) (*Result, error) {
	r := &Result{}
	path := filepath.Join(dir, File)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // names the file; wraps fs.ErrNotExist when missing
	}
	if err := textfile.DecodeJSON(path, data, &r.Analysis); err != nil {
		return nil, err
	}
	if err := validateAnalysis(path, &r.Analysis); err != nil {
		return nil, err
	}
	rows := r.Analysis.Rows
	if r.PCA, err = readPoints(dir, PCAFile, "pc1,pc2", rows, &r.Notes); err != nil {
		return nil, err
	}
	if r.TSNE, err = readPoints(dir, TSNEFile, "x,y", rows, &r.Notes); err != nil {
		return nil, err
	}
	if r.KMeans, err = readClusters(dir, KMeansFile, rows, 0, r.Analysis.KMeans.K, &r.Notes); err != nil {
		return nil, err
	}
	if r.DBSCAN, err = readClusters(dir, DBSCANFile, rows, -1, r.Analysis.DBSCAN.Clusters, &r.Notes); err != nil {
		return nil, err
	}
	subPath := filepath.Join(dir, SubclassesFile)
	switch as, err := readAssignment(subPath, &r.Analysis); {
	case errors.Is(err, fs.ErrNotExist):
		r.Notes = append(r.Notes, fmt.Sprintf("%s is missing: the explorer cannot colour by sub-class", subPath))
	case err != nil:
		return nil, err
	default:
		r.Subclass, r.SubclassLabels = as.Subclass, as.Labels
	}
	return r, nil
}

func validateAnalysis(path string, a *Analysis) error {
	if a.Rows <= 0 {
		return fmt.Errorf("%s: %d rows analysed", path, a.Rows)
	}
	for i, s := range a.Subclasses {
		if s.K != len(s.Members) || len(s.Representatives) > s.K {
			return fmt.Errorf("%s: sub-classes of label %d: k=%d but %d sizes and %d representative lists", path, i, s.K, len(s.Members), len(s.Representatives))
		}
		if s.KeptApart < 0 || s.KeptApart > s.K*(s.K-1)/2 {
			return fmt.Errorf("%s: sub-classes of label %d: kept_apart %d, but %d sub-classes make %d pairs", path, i, s.KeptApart, s.K, s.K*(s.K-1)/2)
		}
		for _, rep := range s.Representatives {
			for _, idx := range rep {
				if idx < 0 || idx >= a.Rows {
					return fmt.Errorf("%s: sub-classes of label %d: representative %d outside 0..%d", path, i, idx, a.Rows-1)
				}
			}
		}
		if (len(s.Purity) != 0 && len(s.Purity) != s.K) || (len(s.Majority) != 0 && len(s.Majority) != s.K) ||
			(len(s.Classes) != 0 && len(s.Classes) != s.K) {
			return fmt.Errorf("%s: sub-classes of label %d: purity, majority or classes do not have k=%d entries", path, i, s.K)
		}
		for k, counts := range s.Classes {
			if len(counts) != len(dataset.ClassNames) {
				return fmt.Errorf("%s: sub-classes of label %d: sub-class %d has %d class counts, want %d", path, i, k, len(counts), len(dataset.ClassNames))
			}
			sum := 0
			for _, v := range counts {
				if v < 0 {
					sum = -1
					break
				}
				sum += v
			}
			if sum != s.Members[k] {
				return fmt.Errorf("%s: sub-classes of label %d: sub-class %d has class counts %v for %d members", path, i, k, counts, s.Members[k])
			}
		}
	}
	for i, row := range a.KMeans.Contingency5 {
		if len(row) != a.KMeans.K {
			return fmt.Errorf("%s: k-means contingency row %d has %d columns for k=%d", path, i, len(row), a.KMeans.K)
		}
	}
	if err := checkSizes(path, "k-means", a.KMeans.Sizes, a.KMeans.K, 0, a.Rows); err != nil {
		return err
	}
	return checkSizes(path, "DBSCAN", a.DBSCAN.Sizes, a.DBSCAN.Clusters, a.DBSCAN.Noise, a.Rows)
}

// checkSizes checks that a clustering's sizes are k non-negative counts
// that, with noise points, add up to the rows analysed.
func checkSizes(path, method string, sizes []int, k, noise, rows int) error {
	if len(sizes) != k {
		return fmt.Errorf("%s: %s has %d cluster sizes for %d clusters", path, method, len(sizes), k)
	}
	sum := noise
	for i, n := range sizes {
		if n < 0 {
			return fmt.Errorf("%s: %s cluster %d has negative size %d", path, method, i, n)
		}
		sum += n
	}
	if noise < 0 || sum != rows {
		extra := ""
		if noise != 0 {
			extra = fmt.Sprintf(" with %d noise points", noise)
		}
		return fmt.Errorf("%s: %s cluster sizes %v%s add up to %d, but %d rows were analysed", path, method, sizes, extra, sum, rows)
	}
	return nil
}

// readNumbers reads the CSV file path of numbers with the given header:
// each other line holds as many finite numbers.
func readNumbers(path, header string) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := textfile.NewReader(f, path)
	first, err := r.Header()
	if err != nil {
		return nil, err
	}
	if text := strings.TrimPrefix(string(first), "\ufeff"); text != header {
		return nil, fmt.Errorf("%s line 1: header %q, want %q", path, textfile.Clip(text), header)
	}
	names := strings.Split(header, ",")
	var out [][]float64
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		fields := strings.Split(string(line), ",")
		if len(fields) != len(names) {
			return nil, fmt.Errorf("%s line %d: %d fields, header has %d", path, r.Line(), len(fields), len(names))
		}
		row := make([]float64, len(fields))
		for i, s := range fields {
			if row[i], err = r.Finite([]byte(s), i, names); err != nil {
				return nil, err
			}
		}
		out = append(out, row)
	}
}

// readColumns reads the analysis's CSV file name in dir, which must have
// the header and rows data rows. A missing file adds a note and gives nil
// rows.
func readColumns(dir, name, header string, rows int, notes *[]string) (path string, data [][]float64, err error) {
	path = filepath.Join(dir, name)
	data, err = readNumbers(path, header)
	if errors.Is(err, fs.ErrNotExist) {
		*notes = append(*notes, fmt.Sprintf("%s is missing: its chart is left out", path))
		return path, nil, nil
	}
	if err != nil {
		return path, nil, err
	}
	if len(data) != rows {
		return path, nil, fmt.Errorf("%s: %d rows, but %s says %d", path, len(data), File, rows)
	}
	return path, data, nil
}

// readPoints reads pca.csv or tsne.csv: rows points.
func readPoints(dir, name, header string, rows int, notes *[]string) ([][2]float64, error) {
	_, data, err := readColumns(dir, name, header, rows, notes)
	if data == nil {
		return nil, err
	}
	out := make([][2]float64, rows)
	for i, r := range data {
		out[i] = [2]float64{r[0], r[1]}
	}
	return out, nil
}

// readClusters reads kmeans.csv or dbscan.csv: a column "cluster" of rows
// integers from lowest to clusters-1, clusters being the count
// analysis.json gives.
func readClusters(dir, name string, rows, lowest, clusters int, notes *[]string) ([]int, error) {
	path, data, err := readColumns(dir, name, "cluster", rows, notes)
	if data == nil {
		return nil, err
	}
	out := make([]int, rows)
	for i, r := range data {
		v := int(r[0])
		if float64(v) != r[0] || v < lowest || v >= clusters {
			return nil, fmt.Errorf("%s line %d: cluster %v is not an integer from %d to %d (%s counts %d clusters)", path, i+2, r[0], lowest, clusters-1, File, clusters)
		}
		out[i] = v
	}
	return out, nil
}
