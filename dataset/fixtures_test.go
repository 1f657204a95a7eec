package dataset

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "regenerate the fixtures in testdata/dataset from the real dataset in "+DefaultDir)

// TestFixtures checks the fixtures in testdata/dataset, regenerating them
// first with -update:
//
//	go test ./dataset -run TestFixtures -update
func TestFixtures(t *testing.T) {
	if *update {
		generateFixtures(t)
	}
	idx, err := Load(Options{Dir: fixtureIDXDir, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	if idx.Format != FormatIDX || idx.Train.N+idx.Validation.N != fixtureIDXTrain || idx.Test.N != fixtureIDXTest {
		t.Fatalf("IDX fixture: format %s, %d+%d train, %d test rows", idx.Format, idx.Train.N, idx.Validation.N, idx.Test.N)
	}
	csv, err := Load(Options{Dir: fixtureCSVDir})
	if err != nil {
		t.Fatal(err)
	}
	if csv.Format != FormatCSV || csv.Train.N+csv.Validation.N != fixtureCSVTrain || csv.Test.N != fixtureCSVTest {
		t.Fatalf("CSV fixture: format %s, %d+%d train, %d test rows", csv.Format, csv.Train.N, csv.Validation.N, csv.Test.N)
	}
	// The CSV fixture is the head of the IDX fixture, grouped.
	for _, c := range []struct {
		name     string
		csv, idx Split
	}{
		{"train", csv.Train, idx.Train},
		{"test", csv.Test, idx.Test},
	} {
		n := c.csv.N
		if !slices.Equal(c.csv.X, c.idx.X[:n*Pixels]) {
			t.Errorf("%s: CSV fixture images differ from the IDX fixture", c.name)
		}
		for i := range n {
			if c.csv.Labels[i] != Grouping[c.idx.Labels[i]] {
				t.Fatalf("%s row %d: CSV label %d, IDX label %d", c.name, i, c.csv.Labels[i], c.idx.Labels[i])
			}
		}
	}
}

// generateFixtures writes the fixtures from the head of the real dataset.
func generateFixtures(t *testing.T) {
	src := realDataset(t)
	train, test, err := readSource(src, FormatIDX)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{fixtureIDXDir, fixtureCSVDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []struct {
		s             rawSplit
		idxRows, rows int
	}{
		{train, fixtureIDXTrain, fixtureCSVTrain},
		{test, fixtureIDXTest, fixtureCSVTest},
	} {
		s := c.s.head(c.idxRows)
		labels := make([]byte, s.n)
		for j, l := range s.labels {
			labels[j] = byte(l)
		}
		writeFile(t, fixtureIDXDir, idxNames[2*i]+".gz", gzipBytes(t, encodeIDX(idxImagesMagic, []int{s.n, Height, Width}, s.pix)))
		writeFile(t, fixtureIDXDir, idxNames[2*i+1]+".gz", gzipBytes(t, encodeIDX(idxLabelsMagic, []int{s.n}, labels)))
		s = s.head(c.rows)
		grouped := make([]int, s.n)
		for j, l := range s.labels {
			grouped[j] = Grouping[l]
		}
		if err := WriteCSVImages(filepath.Join(fixtureCSVDir, csvNames[2*i]), s.pix, s.n); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSVLabels(filepath.Join(fixtureCSVDir, csvNames[2*i+1]), grouped); err != nil {
			t.Fatal(err)
		}
	}
}
