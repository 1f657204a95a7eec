package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"fmnist/dataset"
)

// Picture grid geometry, in pixels.
const (
	imageScale = 3 // each 28×28 image is drawn 84×84
	imageGap   = 4 // white gap between images
	gridCols   = 10
)

// imageGrid draws the images idx of split s in rows of at most cols, each
// enlarged imageScale times with the binary colour map the study showed
// them in (matplotlib's cm.binary: 0 white, 1 black, so a dark garment on a
// light ground), and encodes the grid as a PNG.
func imageGrid(s dataset.Split, idx []int, cols int) ([]byte, error) {
	if len(idx) == 0 {
		return nil, fmt.Errorf("image grid: no images")
	}
	cols = min(cols, len(idx))
	rows := (len(idx) + cols - 1) / cols
	cell := dataset.Width * imageScale
	w := cols*cell + (cols+1)*imageGap
	h := rows*cell + (rows+1)*imageGap
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for k, i := range idx {
		if i < 0 || i >= s.N {
			return nil, fmt.Errorf("image grid: image %d outside 0..%d", i, s.N-1)
		}
		px := s.Image(i)
		x0 := imageGap + (k%cols)*(cell+imageGap)
		y0 := imageGap + (k/cols)*(cell+imageGap)
		for y := 0; y < dataset.Height; y++ {
			for x := 0; x < dataset.Width; x++ {
				g := color.Gray{Y: binaryGray(px[y*dataset.Width+x])}
				for dy := 0; dy < imageScale; dy++ {
					for dx := 0; dx < imageScale; dx++ {
						img.SetGray(x0+x*imageScale+dx, y0+y*imageScale+dy, g)
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("image grid: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// binaryGray is the grey level of pixel value v (0..1, clamped) in the
// binary colour map: 0 is white, 1 black.
func binaryGray(v float32) uint8 {
	return 255 - uint8(min(max(v, 0), 1)*255+0.5)
}

// firstByLabel groups the first n images of s by label: out[label] lists
// their indices in order.
func firstByLabel(s dataset.Split, n, labels int) [][]int {
	out := make([][]int, labels)
	for i := 0; i < min(n, s.N); i++ {
		if l := s.Labels[i]; l >= 0 && l < labels {
			out[l] = append(out[l], i)
		}
	}
	return out
}
