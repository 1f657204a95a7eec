package cluster

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// ErrEmpty is returned when the input matrix has no rows or no columns.
var ErrEmpty = errors.New("cluster: empty input")

// rowMajor returns the elements of x as a row-major slice of n×d values,
// sharing x's storage when it is contiguous. It checks that x is non-empty
// and finite.
func rowMajor(x *mat.Dense) (data []float64, n, d int, err error) {
	if x == nil || x.IsEmpty() {
		return nil, 0, 0, ErrEmpty
	}
	raw := x.RawMatrix()
	n, d = raw.Rows, raw.Cols
	if n == 0 || d == 0 {
		return nil, 0, 0, ErrEmpty
	}
	if raw.Stride == d {
		data = raw.Data[:n*d]
	} else {
		data = make([]float64, n*d)
		for i := 0; i < n; i++ {
			copy(data[i*d:(i+1)*d], raw.Data[i*raw.Stride:i*raw.Stride+d])
		}
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, 0, fmt.Errorf("cluster: non-finite value %v at row %d, column %d", v, i/d, i%d)
		}
	}
	return data, n, d, nil
}

// checkLabels reports an error unless labels has length n.
func checkLabels(labels []int, n int, what string) error {
	if len(labels) != n {
		return fmt.Errorf("cluster: %s has %d labels, want %d", what, len(labels), n)
	}
	return nil
}

// sqDist returns the squared Euclidean distance between a and b.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d0 := a[i] - b[i]
		s0 += d0 * d0
	}
	return (s0 + s1) + (s2 + s3)
}
