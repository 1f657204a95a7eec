package dataset

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"fmnist/internal/atomicfile"
)

// WriteCSVImages writes n images of Pixels bytes each to a CSV file at path
// exactly like pandas DataFrame.to_csv(index=False): the header
// "0,1,...,783", then one row of decimal integers per image, "\n" line ends.
// The file is written atomically with [atomicfile.Write] (temporary file in
// the same directory, fsync, rename). Rows are formatted in parallel.
func WriteCSVImages(path string, pix []uint8, n int) error {
	return writeCSVImages(context.Background(), path, pix, n)
}

// WriteCSVLabels writes labels to a CSV file at path like pandas
// DataFrame.to_csv(index=False): the header "0", then one label per row,
// "\n" line ends. The file is written atomically.
func WriteCSVLabels(path string, labels []int) error {
	return writeCSVLabels(context.Background(), path, labels)
}

// writeCSVImages is WriteCSVImages, stopping early when ctx is done.
func writeCSVImages(ctx context.Context, path string, pix []uint8, n int) error {
	fill, err := imagesFill(ctx, path, pix, n)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, fill)
}

// imagesFill returns the function that writes the images CSV file at path
// for atomicfile, stopping early when ctx is done.
func imagesFill(ctx context.Context, path string, pix []uint8, n int) (func(w io.Writer) error, error) {
	if n < 0 || len(pix) != n*Pixels {
		return nil, fmt.Errorf("write %s: %d pixel values for %d images, want %d", path, len(pix), n, n*Pixels)
	}
	return func(w io.Writer) error {
		if _, err := w.Write(append(imagesHeader[:len(imagesHeader):len(imagesHeader)], '\n')); err != nil {
			return err
		}
		if err := writeImageRows(ctx, w, pix, n); err != nil {
			return err
		}
		return ctx.Err()
	}, nil
}

// blockRows is how many image rows a worker formats at a time.
const blockRows = 1024

// writeImageRows formats the rows of pix in blocks, several blocks in
// parallel, and writes them in order.
func writeImageRows(ctx context.Context, w io.Writer, pix []uint8, n int) error {
	workers := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, workers)
	for start := 0; start < n; start += workers * blockRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		parallel(workers, func(k int) {
			lo := min(n, start+k*blockRows)
			hi := min(n, lo+blockRows)
			bufs[k] = appendImageRows(bufs[k][:0], pix[lo*Pixels:hi*Pixels])
		})
		for _, b := range bufs {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// decimal holds the decimal text of every byte value.
var decimal = func() (t [256][]byte) {
	for v := range t {
		t[v] = strconv.AppendInt(nil, int64(v), 10)
	}
	return t
}()

// appendImageRows appends the CSV rows of the images in pix to b.
func appendImageRows(b []byte, pix []uint8) []byte {
	for len(pix) >= Pixels {
		for _, v := range pix[:Pixels] {
			b = append(b, decimal[v]...)
			b = append(b, ',')
		}
		b[len(b)-1] = '\n'
		pix = pix[Pixels:]
	}
	return b
}

// writeCSVLabels is WriteCSVLabels, stopping early when ctx is done.
func writeCSVLabels(ctx context.Context, path string, labels []int) error {
	return atomicfile.Write(path, labelsFill(ctx, labels))
}

// labelsFill returns the function that writes a labels CSV file for
// atomicfile, stopping early when ctx is done.
func labelsFill(ctx context.Context, labels []int) func(w io.Writer) error {
	return func(w io.Writer) error {
		b := make([]byte, 0, 2+len(labels)*2)
		b = append(b, labelsHeader...)
		b = append(b, '\n')
		for _, l := range labels {
			b = strconv.AppendInt(b, int64(l), 10)
			b = append(b, '\n')
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return ctx.Err()
	}
}
