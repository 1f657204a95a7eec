package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// smallImages returns the pixels of n test images.
func smallImages(n int) []byte {
	pix := make([]byte, n*Pixels)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	return pix
}

func TestReadIDXImagesBad(t *testing.T) {
	const n = 3
	pix := smallImages(n)
	good := encodeIDX(idxImagesMagic, []int{n, Height, Width}, pix)
	cases := []struct {
		name string
		data []byte
		want string // after the path; "byte N" is "decompressed byte N" when gzipped
	}{
		{"truncated header", good[:10], "byte 10: truncated IDX header: 10 bytes, want 16"},
		{"labels file", encodeIDX(idxLabelsMagic, []int{n}, make([]byte, n)), "byte 0: magic number 0x00000801 (an IDX labels file), want 0x00000803 (IDX images)"},
		{"CSV file", imagesCSV(1), "byte 0: magic number 0x302c312c (not an IDX file), want 0x00000803 (IDX images)"},
		{"wrong dimension count", encodeIDX(0x00000802, []int{n, Pixels}, pix), "byte 0: magic number 0x00000802, want 0x00000803"},
		{"no images", encodeIDX(idxImagesMagic, []int{0, Height, Width}, nil), "byte 4: header declares 0 images"},
		{"32x32 images", encodeIDX(idxImagesMagic, []int{n, 32, 32}, pix), "byte 8: dimension 2 is 32, want 28"},
		{"28x32 images", encodeIDX(idxImagesMagic, []int{n, 28, 32}, pix), "byte 12: dimension 3 is 32, want 28"},
		{"truncated data", good[:len(good)-100], fmt.Sprintf("byte %d: truncated: header declares 3 images (2352 data bytes), file ends after 2252 of them", len(good)-100)},
		{"huge count", encodeIDX(idxImagesMagic, []int{1 << 31, Height, Width}, pix), fmt.Sprintf("byte %d: truncated: header declares 2147483648 images (1683627180032 data bytes), file ends after 2352 of them", len(good))},
		{"trailing data", append(bytes.Clone(good), 0), fmt.Sprintf("byte %d: unexpected data after the 3 images the header declares", len(good))},
	}
	for _, c := range cases {
		for _, gz := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/gzip=%t", c.name, gz), func(t *testing.T) {
				data, name := c.data, "train-images-idx3-ubyte"
				if gz {
					data, name = gzipBytes(t, data), name+".gz"
				}
				path := writeFile(t, t.TempDir(), name, data)
				pix, n, err := ReadIDXImages(path)
				if err == nil {
					t.Fatalf("no error; read %d images", n)
				}
				if pix != nil || n != 0 {
					t.Errorf("returned %d pixels, n = %d with the error", len(pix), n)
				}
				want := path + " " + c.want
				if gz {
					want = path + " decompressed " + c.want
				}
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\nwant it to contain\n%s", err, want)
				}
				var fe *FormatError
				if !errors.As(err, &fe) || fe.Path != path {
					t.Errorf("error %#v is not a *FormatError for %s", err, path)
				}
			})
		}
	}
}

func TestReadIDXGzipBad(t *testing.T) {
	good := gzipBytes(t, encodeIDX(idxImagesMagic, []int{3, Height, Width}, smallImages(3)))
	corrupt := bytes.Clone(good)
	for i := 20; i < 40; i++ {
		corrupt[i] ^= 0x55
	}
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-8] ^= 1
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty file", nil, ": empty file"},
		{"corrupt header", append([]byte{0x1f, 0x8b, 0x99}, good[3:]...), ": corrupt gzip header: gzip: invalid header"},
		{"corrupt data", corrupt, ": corrupt gzip data after"},
		{"truncated stream", good[:len(good)/2], ": corrupt gzip data after"},
		{"truncated trailer", good[:len(good)-3], ": corrupt gzip data after 2368 decompressed bytes: unexpected EOF"},
		{"bad checksum", badCRC, ": corrupt gzip data after 2368 decompressed bytes: gzip: invalid checksum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "train-images-idx3-ubyte.gz", c.data)
			_, n, err := ReadIDXImages(path)
			if err == nil {
				t.Fatalf("no error; read %d images", n)
			}
			if want := path + c.want; !strings.Contains(err.Error(), want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, want)
			}
		})
	}
}

func TestReadIDXLabelsBad(t *testing.T) {
	labels := []byte{9, 0, 3}
	good := encodeIDX(idxLabelsMagic, []int{3}, labels)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty file", nil, ": empty file"},
		{"truncated header", good[:6], " byte 6: truncated IDX header: 6 bytes, want 8"},
		{"images file", encodeIDX(idxImagesMagic, []int{1, Height, Width}, make([]byte, Pixels)), " byte 0: magic number 0x00000803 (an IDX images file), want 0x00000801 (IDX labels)"},
		{"truncated data", good[:9], " byte 9: truncated: header declares 3 labels (3 data bytes), file ends after 1 of them"},
		{"trailing data", append(bytes.Clone(good), 1, 2), " byte 11: unexpected data after the 3 labels the header declares"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "train-labels-idx1-ubyte", c.data)
			got, err := ReadIDXLabels(path)
			if err == nil {
				t.Fatalf("no error; read %v", got)
			}
			if want := path + c.want; !strings.Contains(err.Error(), want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, want)
			}
		})
	}
	path := writeFile(t, t.TempDir(), "l.gz", gzipBytes(t, good))
	if got, err := ReadIDXLabels(path); err != nil || !bytes.Equal(got, labels) {
		t.Errorf("good labels: %v, %v", got, err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := ReadIDXLabels(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	if _, _, err := ReadIDXImages(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadIDXImages(t *testing.T) {
	pix := smallImages(4)
	raw := encodeIDX(idxImagesMagic, []int{4, Height, Width}, pix)
	for _, data := range [][]byte{raw, gzipBytes(t, raw), append(gzipBytes(t, raw[:100]), gzipBytes(t, raw[100:])...)} {
		path := writeFile(t, t.TempDir(), "images", data)
		got, n, err := ReadIDXImages(path)
		if err != nil || n != 4 || !bytes.Equal(got, pix) {
			t.Errorf("n = %d, err = %v, equal = %t", n, err, bytes.Equal(got, pix))
		}
	}
}
