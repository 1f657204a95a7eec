package analysis_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// writeTinyRun makes a temporary directory root and writes into
// root/runs/A the files analysis.Run reads: run.json, and for perClass test
// images of each of the 10 original classes an encoding (a tight blob
// around a class-specific corner of a 10-D cube) and a perfect prediction
// of the grouped label (see the probabilities below). The caller removes root.
func writeTinyRun(perClass int) (root string, err error) {
	root, err = os.MkdirTemp("", "analysis-example-")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "runs", "A")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return root, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	var enc, pred bytes.Buffer
	enc.WriteString("e0,e1,e2,e3,e4,e5,e6,e7,e8,e9\n")
	pred.WriteString("label,original,predicted,p0,p1,p2,p3,p4\n")
	for i := range 10 * perClass {
		class := i % 10
		label := dataset.Grouping[class]
		for j := range 10 {
			if j > 0 {
				enc.WriteByte(',')
			}
			v := 0.1 * r.Float64()
			if j == class {
				v += 5
			}
			fmt.Fprintf(&enc, "%.4f", v)
		}
		enc.WriteByte('\n')
		fmt.Fprintf(&pred, "%d,%d,%d", label, class, label)
		// The network is sure of the label and leaves a little probability
		// to the other labels in a pattern of the original class, as a
		// trained one does (shirts look more like pullovers than T-shirts do).
		rest := make([]float64, 5)
		sure := 1.0
		for k := range rest {
			if k != label {
				rest[k] = 0.01 * float64(1+(class+2*k)%4)
				sure -= rest[k]
			}
		}
		rest[label] = sure
		for _, p := range rest {
			fmt.Fprintf(&pred, ",%.2f", p)
		}
		pred.WriteByte('\n')
	}
	run, err := json.Marshal(tfrunner.Run{Model: "A", Classes: 5, TestExamples: 10 * perClass})
	if err != nil {
		return root, err
	}
	for name, data := range map[string][]byte{
		tfrunner.RunFile:         run,
		tfrunner.EncodingFile:    enc.Bytes(),
		tfrunner.PredictionsFile: pred.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return root, err
		}
	}
	return root, nil
}

// Example analyses a tiny fabricated run of model A whose encoding holds
// ten well-separated blobs, one per original class.
func Example() {
	root, err := writeTinyRun(24)
	defer os.RemoveAll(root)
	if err != nil {
		log.Fatal(err)
	}

	a, err := analysis.Run(analysis.Options{
		RunsDir: filepath.Join(root, "runs"), OutDir: filepath.Join(root, "report"), Model: "A",
		K: 10, Eps: 1, MinSamples: 4, Perplexity: 10, Seed: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d rows of %d values, original classes known: %v\n", a.Rows, a.Dims, a.HasClasses)
	fmt.Printf("k-means: k=%d, sizes %v\n", a.KMeans.K, a.KMeans.Sizes)
	fmt.Printf("DBSCAN: %d clusters, %d noise\n", a.DBSCAN.Clusters, a.DBSCAN.Noise)
	for _, s := range a.Subclasses {
		fmt.Printf("label %d (%s): k=%d, majority classes %q\n", s.Label, s.Name, s.K, s.Majority)
	}
	// Output:
	// 240 rows of 10 values, original classes known: true
	// k-means: k=10, sizes [24 24 24 24 24 24 24 24 24 24]
	// DBSCAN: 10 clusters, 0 noise
	// label 0 (T-shirt/Shirt): k=2, majority classes ["T-shirt/top" "Shirt"]
	// label 1 (Sandal): k=1, majority classes ["Sandal"]
	// label 2 (Trouser/Pullover): k=2, majority classes ["Trouser" "Pullover"]
	// label 3 (Sneaker/Bag): k=2, majority classes ["Sneaker" "Bag"]
	// label 4 (Dress/Coat/Ankle boot): k=3, majority classes ["Dress" "Coat" "Ankle boot"]
}
