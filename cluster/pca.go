package cluster

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// PCAResult holds a principal component analysis of a matrix.
type PCAResult struct {
	// Coords holds the n×k projections of the centred rows onto the
	// components.
	Coords *mat.Dense
	// Components holds the k×d principal axes, one unit vector per row, in
	// order of decreasing variance.
	Components *mat.Dense
	// Mean is the column mean that was subtracted before projecting.
	Mean []float64
	// ExplainedVariance is the variance along each component (with the
	// n-1 denominator, as scikit-learn).
	ExplainedVariance []float64
	// ExplainedVarianceRatio is ExplainedVariance divided by the total
	// variance of x; it is zero when x has no variance.
	ExplainedVarianceRatio []float64
}

// PCA projects the rows of x onto their first k principal components.
// It diagonalises the d×d covariance matrix, so its cost is O(n d² + d³).
// The sign of each component is chosen, as scikit-learn's svd_flip, so that
// the projected coordinate of largest magnitude is positive.
// x must have at least two rows and 1 ≤ k ≤ d.
func PCA(x *mat.Dense, k int) (*PCAResult, error) {
	data, n, d, err := rowMajor(x)
	if err != nil {
		return nil, fmt.Errorf("pca: %w", err)
	}
	if n < 2 {
		return nil, fmt.Errorf("pca: need at least 2 rows, have %d", n)
	}
	if k < 1 || k > d {
		return nil, fmt.Errorf("pca: k=%d out of range [1, %d]", k, d)
	}
	mean, xc, vals, vecs, total, err := principalAxes(data, n, d)
	if err != nil {
		return nil, fmt.Errorf("pca: %w", err)
	}
	comps := mat.NewDense(k, d, nil)
	res := &PCAResult{
		Components:             comps,
		Mean:                   mean,
		ExplainedVariance:      make([]float64, k),
		ExplainedVarianceRatio: make([]float64, k),
	}
	for c := 0; c < k; c++ {
		v := vals[c]
		res.ExplainedVariance[c] = v
		if total > 0 {
			res.ExplainedVarianceRatio[c] = v / total
		}
		for j := 0; j < d; j++ {
			comps.Set(c, j, vecs[j*d+c])
		}
	}
	coords := make([]float64, n*k)
	blas64.Gemm(blas.NoTrans, blas.Trans, 1,
		blas64.General{Rows: n, Cols: d, Stride: d, Data: xc},
		comps.RawMatrix(), 0,
		blas64.General{Rows: n, Cols: k, Stride: k, Data: coords})
	// svd_flip: the largest |coordinate| of each component is positive.
	for c := 0; c < k; c++ {
		best, arg := -1.0, 0
		for i := 0; i < n; i++ {
			if a := math.Abs(coords[i*k+c]); a > best {
				best, arg = a, i
			}
		}
		if coords[arg*k+c] < 0 {
			for i := 0; i < n; i++ {
				coords[i*k+c] = -coords[i*k+c]
			}
			for j := 0; j < d; j++ {
				comps.Set(c, j, -comps.At(c, j))
			}
		}
	}
	res.Coords = mat.NewDense(n, k, coords)
	return res, nil
}

// principalAxes returns the column means of the n×d row-major data, the
// centred data, the eigenvalues of its covariance (n-1 denominator) in
// decreasing order, clamped at zero, the matching unit eigenvectors as the
// columns of a d×d row-major matrix, and the total variance.
func principalAxes(data []float64, n, d int) (mean, xc, vals, vecs []float64, total float64, err error) {
	mean = make([]float64, d)
	for i := 0; i < n; i++ {
		row := data[i*d : (i+1)*d]
		for j, v := range row {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	xc = make([]float64, n*d)
	for i := 0; i < n; i++ {
		row := data[i*d : (i+1)*d]
		dst := xc[i*d : (i+1)*d]
		for j, v := range row {
			dst[j] = v - mean[j]
		}
	}
	// Covariance C = Xcᵀ Xc / (n-1), upper triangle.
	den := float64(max(n-1, 1))
	cov := blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: d, Data: make([]float64, d*d)}
	blas64.Syrk(blas.Trans, 1/den, blas64.General{Rows: n, Cols: d, Stride: d, Data: xc}, 0, cov)
	for j := 0; j < d; j++ {
		total += cov.Data[j*d+j]
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(d, cov.Data), true) {
		return nil, nil, nil, nil, 0, fmt.Errorf("eigendecomposition of the %d×%d covariance failed", d, d)
	}
	asc := eig.Values(nil)
	var ev mat.Dense
	eig.VectorsTo(&ev)
	vals = make([]float64, d)
	vecs = make([]float64, d*d)
	for c := 0; c < d; c++ {
		col := d - 1 - c
		vals[c] = math.Max(asc[col], 0)
		for j := 0; j < d; j++ {
			vecs[j*d+c] = ev.At(j, col)
		}
	}
	return mean, xc, vals, vecs, total, nil
}
