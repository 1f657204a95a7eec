package dataset

// Split is N images in float32 NHWC layout [N,28,28,1], scaled by 1/255,
// with their labels.
type Split struct {
	// X holds N*Pixels values, image after image.
	X []float32
	// Labels are the labels trained on: grouped 0..4, or the original 0..9
	// when Data.Classes is 10.
	Labels []int
	// Original holds the original 10-class labels when the source is IDX;
	// it is nil for CSV, whose files hold grouped labels only.
	Original []int
	// N is the number of images.
	N int
}

// Image returns the i-th image's Pixels values (sharing memory with s.X).
func (s Split) Image(i int) []float32 {
	return s.X[i*Pixels : (i+1)*Pixels : (i+1)*Pixels]
}

// Slice returns the rows lo..hi-1 of s, sharing memory with s.
func (s Split) Slice(lo, hi int) Split {
	out := Split{
		X:      s.X[lo*Pixels : hi*Pixels : hi*Pixels],
		Labels: s.Labels[lo:hi:hi],
		N:      hi - lo,
	}
	if s.Original != nil {
		out.Original = s.Original[lo:hi:hi]
	}
	return out
}

// Gather copies the rows idx of s into x, which must hold len(idx)*Pixels
// values, and their labels into y, which must hold len(idx) values (y may be
// nil to skip labels). It allocates nothing, for building batches.
func (s Split) Gather(idx []int, x []float32, y []int) {
	x = x[:len(idx)*Pixels]
	for k, i := range idx {
		copy(x[k*Pixels:(k+1)*Pixels], s.X[i*Pixels:(i+1)*Pixels])
	}
	if y != nil {
		y = y[:len(idx)]
		for k, i := range idx {
			y[k] = s.Labels[i]
		}
	}
}
