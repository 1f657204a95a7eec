package tfrunner_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
	_ "fmnist/tfrunner/native" // registers the "native" engine
)

// syntheticSplit makes n 28×28 images whose label (0..4) is drawn as a
// bright horizontal bar at a label-specific height, so that the data is
// tiny, deterministic and learnable.
func syntheticSplit(n int) dataset.Split {
	s := dataset.Split{X: make([]float32, n*dataset.Pixels), Labels: make([]int, n), N: n}
	for i := range n {
		label := i % 5
		s.Labels[i] = label
		img := s.Image(i)
		for y := 4 + 4*label; y < 7+4*label; y++ {
			for x := 4; x < 24; x++ {
				img[y*dataset.Width+x] = 1
			}
		}
	}
	return s
}

// Example trains model A for one epoch on the native engine and reads the
// checkpoint Fit leaves in the run directory.
func Example() {
	m := graphs.A(5)
	w := tfrunner.InitWeights(m, 1)
	fmt.Println("weights fit model A:", w.Check(m) == nil)

	eng, err := tfrunner.Open("native")
	if err != nil {
		log.Fatal(err)
	}
	d := &dataset.Data{Train: syntheticSplit(40), Validation: syntheticSplit(10), Classes: 5}

	dir, err := os.MkdirTemp("", "tfrunner-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// Threads 1 makes the run reproducible bit for bit for a seed.
	f, err := tfrunner.Fit(context.Background(), eng, m, d,
		tfrunner.Options{Epochs: 1, Batch: 8, Seed: 1, Threads: 1, Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer f.Program.Close()

	e := f.History.Epochs[len(f.History.Epochs)-1]
	fmt.Println("engine:", eng.Name())
	fmt.Println("parameters:", m.ParamCount())
	fmt.Println("epochs in the history:", len(f.History.Epochs))
	fmt.Println("finite losses:", !math.IsNaN(e.Loss) && !math.IsInf(e.Loss, 0) &&
		!math.IsNaN(e.ValLoss) && !math.IsInf(e.ValLoss, 0))

	ck, err := tfrunner.ReadCheckpoint(filepath.Join(dir, tfrunner.WeightsFile), m)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("checkpoint: model %s, %d epoch(s) done, Adam step %d\n", ck.Model, ck.Epoch, ck.Adam.Step)
	// Output:
	// weights fit model A: true
	// engine: native
	// parameters: 174629
	// epochs in the history: 1
	// finite losses: true
	// checkpoint: model A, 1 epoch(s) done, Adam step 5
}
