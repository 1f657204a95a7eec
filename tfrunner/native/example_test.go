package native_test

import (
	"fmt"
	"log"

	"fmnist/graphs"
	"fmnist/tfrunner"
	"fmnist/tfrunner/native"
)

// Example compiles model A, trains one step on a batch and reads the
// encoding layer of two images.
func Example() {
	m := graphs.A(5)
	p, err := native.Compile(m, tfrunner.InitWeights(m, 1), tfrunner.Config{MaxBatch: m.Batch})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	x := make([]float32, m.Batch*784) // NHWC pixels in [0, 1]
	labels := make([]int, m.Batch)    // classes 0..4
	for i := range labels {
		labels[i] = i % 5
		x[i*784+100*labels[i]] = 1
	}
	loss, correct, err := p.TrainStep(x, labels)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loss %.2f, %d/%d correct before the update\n", loss, correct, len(labels))

	enc, err := p.Forward(x[:2*784], 2, m.Encoding)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(enc), "encoding values")
	// Output:
	// loss 1.61, 6/32 correct before the update
	// 64 encoding values
}
