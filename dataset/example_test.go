package dataset_test

import (
	"fmt"

	"fmnist/dataset"
)

func ExampleLoad() {
	// The CSV fixture holds the first 200 training and 50 test images.
	d, err := dataset.Load(dataset.Options{Dir: "../testdata/dataset/csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Format, d.Classes, "classes")
	fmt.Println("train", d.Train.N, "validation", d.Validation.N, "test", d.Test.N)
	fmt.Println("first label:", dataset.GroupNames[d.Train.Labels[0]])
	// Output:
	// csv 5 classes
	// train 160 validation 40 test 50
	// first label: Dress/Coat/Ankle boot
}

func ExamplePermutation() {
	for epoch := range 2 {
		fmt.Println(dataset.Permutation(8, 42, epoch))
	}
	fmt.Println(dataset.Permutation(8, 42, 0)) // the same again
	// Output:
	// [3 4 2 1 5 0 6 7]
	// [1 2 6 0 5 7 4 3]
	// [3 4 2 1 5 0 6 7]
}

func ExampleSplit_Gather() {
	d, err := dataset.Load(dataset.Options{Dir: "../testdata/dataset/idx"})
	if err != nil {
		fmt.Println(err)
		return
	}
	const batch = 4
	x := make([]float32, batch*dataset.Pixels)
	y := make([]int, batch)
	perm := dataset.Permutation(d.Train.N, 1, 0)
	d.Train.Gather(perm[:batch], x, y)
	for k, i := range perm[:batch] {
		fmt.Printf("row %d: %s (%s)\n", i, dataset.GroupNames[y[k]], dataset.ClassNames[d.Train.Original[i]])
	}
	// Output:
	// row 152: Sneaker/Bag (Bag)
	// row 102: Trouser/Pullover (Trouser)
	// row 68: Dress/Coat/Ankle boot (Coat)
	// row 29: Dress/Coat/Ankle boot (Coat)
}
