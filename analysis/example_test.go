package analysis_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// tinyRun fabricates a run of model A, as tfrunner.ReadArtifacts would
// give it: for perClass test images of each of the 10 original classes an
// encoding (a tight blob around a class-specific corner of a 10-D cube) and
// a perfect prediction of the grouped label.
func tinyRun(perClass int) *tfrunner.Artifacts {
	r := rand.New(rand.NewPCG(1, 2))
	n := 10 * perClass
	enc := &tfrunner.Encoding{Rows: n, Columns: 10}
	pred := &tfrunner.Predictions{}
	for i := range n {
		class := i % 10
		label := dataset.Grouping[class]
		for j := range 10 {
			v := 0.1 * r.Float64()
			if j == class {
				v += 5
			}
			enc.Values = append(enc.Values, v)
		}
		// The network is sure of the label and leaves a little probability
		// to the other labels in a pattern of the original class, as a
		// trained one does (shirts look more like pullovers than T-shirts do).
		probs := make([]float64, 5)
		sure := 1.0
		for k := range probs {
			if k != label {
				probs[k] = 0.01 * float64(1+(class+2*k)%4)
				sure -= probs[k]
			}
		}
		probs[label] = math.Round(100*sure) / 100
		pred.Labels = append(pred.Labels, label)
		pred.Original = append(pred.Original, class)
		pred.Predicted = append(pred.Predicted, label)
		pred.Probs = append(pred.Probs, probs)
	}
	return &tfrunner.Artifacts{Name: "A", Dir: "runs/A", Encoding: enc, Predictions: pred}
}

// Example analyses a tiny fabricated run of model A whose encoding holds
// ten well-separated blobs, one per original class.
func Example() {
	res, err := analysis.Analyse(tinyRun(24), analysis.Options{
		Model: "A", K: 10, Eps: 1, MinSamples: 4, Perplexity: 10, Seed: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	a := res.Analysis
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
