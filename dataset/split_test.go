package dataset

import (
	"slices"
	"testing"
)

// testSplit returns a split of n images whose values are row*1000+pixel.
func testSplit(n int, original bool) Split {
	s := Split{X: make([]float32, n*Pixels), Labels: make([]int, n), N: n}
	for i := range s.X {
		s.X[i] = float32(i/Pixels*1000 + i%Pixels)
	}
	for i := range s.Labels {
		s.Labels[i] = i % 5
	}
	if original {
		s.Original = make([]int, n)
		for i := range s.Original {
			s.Original[i] = i % 10
		}
	}
	return s
}

func TestSplitImageSliceGather(t *testing.T) {
	s := testSplit(10, true)
	if img := s.Image(3); len(img) != Pixels || img[0] != 3000 || img[Pixels-1] != 3783 || cap(img) != Pixels {
		t.Errorf("Image(3) = [%v ... %v], len %d, cap %d", img[0], img[len(img)-1], len(img), cap(img))
	}
	sub := s.Slice(2, 5)
	if sub.N != 3 || len(sub.X) != 3*Pixels || !slices.Equal(sub.Labels, []int{2, 3, 4}) || !slices.Equal(sub.Original, []int{2, 3, 4}) {
		t.Errorf("Slice(2, 5) = N %d, %d values, labels %v, original %v", sub.N, len(sub.X), sub.Labels, sub.Original)
	}
	if sub.Image(0)[5] != 2005 {
		t.Errorf("Slice(2, 5).Image(0)[5] = %v, want 2005", sub.Image(0)[5])
	}
	sub.X[0] = -1
	if s.X[2*Pixels] != -1 {
		t.Error("Slice does not share memory")
	}
	if noOrig := testSplit(4, false).Slice(1, 3); noOrig.Original != nil {
		t.Error("Slice of a split without Original has Original")
	}

	idx := []int{7, 0, 7}
	x := make([]float32, len(idx)*Pixels)
	y := make([]int, len(idx))
	s.Gather(idx, x, y)
	if x[0] != 7000 || x[Pixels] != 0 || x[2*Pixels+1] != 7001 || !slices.Equal(y, []int{2, 0, 2}) {
		t.Errorf("Gather: x = %v %v %v, y = %v", x[0], x[Pixels], x[2*Pixels+1], y)
	}
	s.Gather([]int{9}, x, nil) // nil y skips labels
	if x[0] != 9000 {
		t.Errorf("Gather with nil y: x[0] = %v", x[0])
	}
	if allocs := testing.AllocsPerRun(10, func() { s.Gather(idx, x, y) }); allocs != 0 {
		t.Errorf("Gather allocates %v times", allocs)
	}
}
