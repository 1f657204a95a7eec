package onnx_test

import (
	"fmt"
	"log"

	"fmnist/graphs"
	"fmnist/tfrunner"
	"fmnist/tfrunner/onnx"
)

// Export model A with its initial weights; a trained program's Weights()
// go the same way (tfrunner.TrainModel writes runs/<model>/model.onnx so).
func ExampleMarshal() {
	m := graphs.A(5)
	var params [][]float32
	for _, t := range tfrunner.InitWeights(m, 5) {
		params = append(params, t.Data)
	}
	data, err := onnx.Marshal(m, params)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("opset %d, %d parameters in %d bytes\n", onnx.Opset, m.ParamCount(), len(data))
	// Output:
	// opset 13, 174629 parameters in 699899 bytes
}
