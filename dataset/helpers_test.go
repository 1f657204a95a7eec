package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Fixture directories, relative to the package directory.
const (
	fixtureDir    = "../testdata/dataset"
	fixtureIDXDir = fixtureDir + "/idx"
	fixtureCSVDir = fixtureDir + "/csv"
)

// Fixture sizes: rows of the IDX and CSV fixtures.
const (
	fixtureIDXTrain = 300
	fixtureIDXTest  = 100
	fixtureCSVTrain = 200
	fixtureCSVTest  = 50
)

// encodeIDX returns an IDX file with the given magic number, dimensions and
// data.
func encodeIDX(magic uint32, dims []int, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

// gzipBytes returns b gzipped, deterministically.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readFile returns the contents of path.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyDir copies the regular files of src into a new temporary directory
// and returns it.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			writeFile(t, dst, e.Name(), readFile(t, filepath.Join(src, e.Name())))
		}
	}
	return dst
}

// realDataset returns DefaultDir, skipping the test if the real dataset is
// not installed or the tests run with -short.
func realDataset(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the real dataset in -short mode")
	}
	if _, missing := idxPaths(DefaultDir); len(missing) > 0 {
		t.Skipf("real dataset not installed in %s", DefaultDir)
	}
	return DefaultDir
}

// imagesCSV returns a valid images CSV file of the given rows, each filled
// with its row number.
func imagesCSV(rows int) []byte {
	pix := make([]uint8, rows*Pixels)
	for i := range pix {
		pix[i] = uint8((i/Pixels + i) % 256)
	}
	b := append(append([]byte{}, imagesHeader...), '\n')
	return appendImageRows(b, pix)
}

// gunzip returns b decompressed.
func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
