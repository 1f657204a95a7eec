package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"fmnist/analysis"
)

// AnalysisArtifacts is what the analysis step wrote into the report
// directory: analysis.json and the per-image CSV files.
type AnalysisArtifacts struct {
	// Analysis is analysis.json.
	Analysis analysis.Analysis
	// PCA holds pca.csv's (pc1, pc2) per test image; nil when missing.
	PCA [][2]float64
	// TSNE holds tsne.csv's (x, y) per test image; nil when missing.
	TSNE [][2]float64
	// KMeans holds kmeans.csv's cluster per test image; nil when missing.
	KMeans []int
	// DBSCAN holds dbscan.csv's cluster per test image (-1 = noise); nil
	// when missing.
	DBSCAN []int
	// Subclass holds subclasses.csv's sub-class of each test image, its
	// index among its label's sub-classes; nil when missing.
	Subclass []int
	// SubclassLabels holds subclasses.csv's label of each test image; nil
	// when missing.
	SubclassLabels []int
	// Notes say which files were missing.
	Notes []string
}

// ReadAnalysis reads analysis.json and the CSV files beside it in dir. A
// missing analysis.json gives an error wrapping [os.ErrNotExist]; a corrupt
// one, or a corrupt CSV file, an error naming the file. Missing CSV files are
// noted.
func ReadAnalysis(dir string) (*AnalysisArtifacts, error) {
	a := &AnalysisArtifacts{}
	path := filepath.Join(dir, analysis.File)
	if err := readJSON(path, &a.Analysis); err != nil {
		return nil, err
	}
	if err := validateAnalysis(path, &a.Analysis); err != nil {
		return nil, err
	}
	rows := a.Analysis.Rows
	var err error
	if a.PCA, err = readPoints(dir, analysis.PCAFile, []string{"pc1", "pc2"}, rows, &a.Notes); err != nil {
		return nil, err
	}
	if a.TSNE, err = readPoints(dir, analysis.TSNEFile, []string{"x", "y"}, rows, &a.Notes); err != nil {
		return nil, err
	}
	if a.KMeans, err = readClusters(dir, analysis.KMeansFile, rows, 0, a.Analysis.KMeans.K, &a.Notes); err != nil {
		return nil, err
	}
	if a.DBSCAN, err = readClusters(dir, analysis.DBSCANFile, rows, -1, a.Analysis.DBSCAN.Clusters, &a.Notes); err != nil {
		return nil, err
	}
	subPath := filepath.Join(dir, analysis.SubclassesFile)
	switch as, err := analysis.ReadAssignment(subPath, &a.Analysis); {
	case errors.Is(err, os.ErrNotExist):
		a.Notes = append(a.Notes, fmt.Sprintf("%s is missing: the explorer cannot colour by sub-class", subPath))
	case err != nil:
		return nil, err
	default:
		a.Subclass, a.SubclassLabels = as.Subclass, as.Labels
	}
	return a, nil
}

func validateAnalysis(path string, a *analysis.Analysis) error {
	if a.Rows <= 0 {
		return fmt.Errorf("%s: %d rows analysed", path, a.Rows)
	}
	for i, s := range a.Subclasses {
		if s.K != len(s.Members) || len(s.Represents) > s.K {
			return fmt.Errorf("%s: sub-classes of label %d: k=%d but %d sizes and %d representative lists", path, i, s.K, len(s.Members), len(s.Represents))
		}
		for _, rep := range s.Represents {
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

// readAnalysisCSV reads the analysis's CSV file name in dir, which must
// have the header and rows data rows. A missing file adds a note and gives
// nil rows.
func readAnalysisCSV(dir, name string, header []string, rows int, notes *[]string) (path string, data [][]float64, err error) {
	path = filepath.Join(dir, name)
	c, err := readNumericCSV(path, header)
	if errors.Is(err, os.ErrNotExist) {
		*notes = append(*notes, fmt.Sprintf("%s is missing: its chart is left out", path))
		return path, nil, nil
	}
	if err != nil {
		return path, nil, err
	}
	if len(c.Rows) != rows {
		return path, nil, fmt.Errorf("%s: %d rows, but %s says %d", path, len(c.Rows), analysis.File, rows)
	}
	return path, c.Rows, nil
}

// readPoints reads a two-column CSV file of rows points.
func readPoints(dir, name string, header []string, rows int, notes *[]string) ([][2]float64, error) {
	_, data, err := readAnalysisCSV(dir, name, header, rows, notes)
	if data == nil {
		return nil, err
	}
	out := make([][2]float64, rows)
	for i, r := range data {
		out[i] = [2]float64{r[0], r[1]}
	}
	return out, nil
}

// readClusters reads a one-column CSV file "cluster" of rows integers from
// lowest to clusters-1, clusters being the count analysis.json gives.
func readClusters(dir, name string, rows, lowest, clusters int, notes *[]string) ([]int, error) {
	path, data, err := readAnalysisCSV(dir, name, []string{"cluster"}, rows, notes)
	if data == nil {
		return nil, err
	}
	out := make([]int, rows)
	for i, r := range data {
		v := int(r[0])
		if float64(v) != r[0] || v < lowest || v >= clusters {
			return nil, fmt.Errorf("%s line %d: cluster %v is not an integer from %d to %d (%s counts %d clusters)", path, i+2, r[0], lowest, clusters-1, analysis.File, clusters)
		}
		out[i] = v
	}
	return out, nil
}
