package tboard_test

import (
	"fmt"
	"log"
	"os"

	"fmnist/tfrunner/tboard"
)

// Create a log directory, write two epochs' loss and read them back.
func Example() {
	dir, err := os.MkdirTemp("", "tboard-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	w, err := tboard.Create(dir, false)
	if err != nil {
		log.Fatal(err)
	}
	w.Scalar("epoch_loss", 1, 0.75)
	w.Scalar("epoch_loss", 2, 0.5)
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	scalars, err := tboard.ReadScalars(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range scalars {
		fmt.Println(s.Tag, s.Step, s.Value)
	}
	// Output:
	// epoch_loss 1 0.75
	// epoch_loss 2 0.5
}
