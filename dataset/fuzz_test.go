package dataset

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// checkFuzzError checks that err is a *FormatError about path.
func checkFuzzError(t *testing.T, err error, path string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Path != path {
		t.Fatalf("error %v is not a *FormatError about %s", err, path)
	}
}

func FuzzReadCSVImages(f *testing.F) {
	good := imagesCSV(2)
	f.Add(good)
	f.Add(bytes.ReplaceAll(good, []byte{'\n'}, []byte("\r\n")))
	f.Add(replaceLine(good, 3, row(785, "1")))
	f.Add(replaceLine(good, 2, rowWith(4, "256")))
	f.Add(replaceLine(good, 2, ""))
	f.Add(append([]byte("a\n"), row(Pixels, "0")...))
	f.Add([]byte("0\n1\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "fuzz/x.csv"
		pix, n, err := parseCSVImages(path, data, 1)
		// Any cut into chunks gives the same result.
		for _, parts := range []int{2, 5} {
			pix2, n2, err2 := parseCSVImages(path, data, parts)
			if n2 != n || !bytes.Equal(pix2, pix) || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
				t.Fatalf("1 part: %d images, %v; %d parts: %d images, %v", n, err, parts, n2, err2)
			}
		}
		if err != nil {
			checkFuzzError(t, err, path)
			if pix != nil || n != 0 {
				t.Fatalf("error %v with %d images", err, n)
			}
			return
		}
		if n < 1 || len(pix) != n*Pixels {
			t.Fatalf("%d images, %d pixels", n, len(pix))
		}
		// What was read writes and reads back the same.
		again := appendImageRows(append(slices.Clone(imagesHeader), '\n'), pix)
		pix2, n2, err := parseCSVImages(path, again, 3)
		if err != nil || n2 != n || !bytes.Equal(pix2, pix) {
			t.Fatalf("round trip: %d images, %v", n2, err)
		}
	})
}

func FuzzReadCSVLabels(f *testing.F) {
	f.Add([]byte("0\n4\n0\n"))
	f.Add([]byte("label\r\n1\r\n"))
	f.Add([]byte("0\n1,2\n"))
	f.Add([]byte("0\n-3\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "fuzz/y.csv"
		labels, err := parseCSVLabels(path, data, 1)
		labels2, err2 := parseCSVLabels(path, data, 4)
		if !slices.Equal(labels, labels2) || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("1 part: %v, %v; 4 parts: %v, %v", labels, err, labels2, err2)
		}
		if err != nil {
			checkFuzzError(t, err, path)
			return
		}
		if len(labels) == 0 {
			t.Fatal("no labels and no error")
		}
	})
}

func FuzzReadIDXImages(f *testing.F) {
	good := encodeIDX(idxImagesMagic, []int{2, Height, Width}, smallImages(2))
	f.Add(good)
	f.Add(gzipBytes(f, good))
	f.Add(good[:100])
	f.Add(gzipBytes(f, good)[:50])
	f.Add(encodeIDX(idxImagesMagic, []int{1 << 30, Height, Width}, nil))
	f.Add(encodeIDX(idxLabelsMagic, []int{3}, []byte{1, 2, 3}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "fuzz/images"
		pix, n, err := parseIDXImages(path, data)
		if err != nil {
			checkFuzzError(t, err, path)
			if pix != nil || n != 0 {
				t.Fatalf("error %v with %d images", err, n)
			}
		} else {
			if n < 1 || len(pix) != n*Pixels {
				t.Fatalf("%d images, %d pixels", n, len(pix))
			}
			if !isGzip(data) && !bytes.Equal(encodeIDX(idxImagesMagic, []int{n, Height, Width}, pix), data) {
				t.Fatal("re-encoding differs from the input")
			}
		}
		labels, err := parseIDXLabels(path, data)
		if err != nil {
			checkFuzzError(t, err, path)
		} else if !isGzip(data) && !bytes.Equal(encodeIDX(idxLabelsMagic, []int{len(labels)}, labels), data) {
			t.Fatal("labels re-encoding differs from the input")
		}
	})
}
