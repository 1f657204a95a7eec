package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"

	"fmnist/internal/atomicfile"
)

// ManifestFile is the manifest [Prepare] writes beside the four CSV files,
// after them. It records, for each file, its size in bytes, its number of
// data rows and the CRC-32C and CRC-32 of its content as parsed (see digest),
// and the dataset's fingerprint. When a directory holds one, [Load] refuses
// CSV files that do not match it, so a directory whose files come from two
// datasets is refused instead of trained on. Directories without a manifest
// (written by hand or by an older prepare) are read without these checks.
//
// Its JSON form:
//
//	{"format": "fmnist-dataset-manifest/1", "fingerprint": "<32 hex digits>",
//	 "files": [{"name": "x_train.csv", "bytes": 132891899, "rows": 60000,
//	            "content_crc": "<16 hex digits>"}, ...]}
const ManifestFile = "manifest.json"

// manifestFormat names the version of the manifest's layout.
const manifestFormat = "fmnist-dataset-manifest/1"

// incompleteMarker exists in a dataset directory while Prepare replaces its
// files: if it is still there, prepare was cut short and the directory may
// mix two datasets.
const incompleteMarker = ".prepare-incomplete"

// digest is a content digest: the CRC-32C (Castagnoli) and the CRC-32
// (IEEE) of the bytes, big-endian. Both run in hardware on amd64 (over
// 5 GB/s), so the digests add about 1% to loading the real dataset, where
// SHA-256 added 10%; they detect other data, not forgery.
type digest [8]byte

// castagnoli is the CRC-32C table.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sum returns the digest of b.
func sum(b []byte) digest {
	var d digest
	binary.BigEndian.PutUint32(d[:4], crc32.Checksum(b, castagnoli))
	binary.BigEndian.PutUint32(d[4:], crc32.ChecksumIEEE(b))
	return d
}

// imagesDigest is the content digest of images: the digest of their pixel
// bytes, image after image.
func imagesDigest(pix []uint8) digest { return sum(pix) }

// labelsDigest is the content digest of labels: the digest of the grouped
// labels (0-4), one byte each. original says that labels are the 10
// original classes, which are grouped first, so that CSV and IDX files
// holding the same data have the same digest.
func labelsDigest(labels []int, original bool) digest {
	b := make([]byte, len(labels))
	for i, l := range labels {
		if original {
			l = Grouping[l]
		}
		b[i] = byte(l)
	}
	return sum(b)
}

// fingerprint combines the four content digests of a dataset into its
// fingerprint: 32 hex digits of the SHA-256 of the row counts and digests
// of x_train, y_train, x_test and y_test. It depends on the images and the grouped
// labels only, not on the format that holds them.
func fingerprint(train, test rawSplit) string {
	h := sha256.New()
	binary.Write(h, binary.BigEndian, [2]uint64{uint64(train.n), uint64(test.n)})
	for _, d := range []digest{train.xSum, train.ySum, test.xSum, test.ySum} {
		h.Write(d[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// manifest is the content of ManifestFile.
type manifest struct {
	Format      string         `json:"format"`
	Fingerprint string         `json:"fingerprint"`
	Files       []manifestFile `json:"files"`
}

// manifestFile is one file's entry in the manifest.
type manifestFile struct {
	Name    string `json:"name"`
	Bytes   int64  `json:"bytes"`
	Rows    int    `json:"rows"`
	Content string `json:"content_crc"`
}

// rerunHint tells how to write the dataset in dir again.
func rerunHint(dir string) string {
	return fmt.Sprintf("rerun `go run ./cmd/prepare -out %s`", dir)
}

// checkIncomplete fails when Prepare was cut short in dir.
func checkIncomplete(dir string) error {
	marker := filepath.Join(dir, incompleteMarker)
	if _, err := os.Lstat(marker); err == nil {
		return fmt.Errorf("dataset %s is incomplete: prepare was cut short while replacing its files (%s exists), "+
			"so they may mix two datasets; %s", dir, marker, rerunHint(dir))
	}
	return nil
}

// readManifest reads the manifest in dir; nil without error when there is
// none.
func readManifest(dir string) (*manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dataset manifest: %w", err)
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: corrupt manifest (%v); %s", path, err, rerunHint(dir))
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: corrupt manifest (data after the JSON value); %s", path, rerunHint(dir))
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("%s: format %q, want %q; %s", path, m.Format, manifestFormat, rerunHint(dir))
	}
	if len(m.Files) != len(csvNames) {
		return nil, fmt.Errorf("%s: %d files listed, want %d; %s", path, len(m.Files), len(csvNames), rerunHint(dir))
	}
	for i, f := range m.Files {
		if f.Name != csvNames[i] {
			return nil, fmt.Errorf("%s: file %d is %q, want %q; %s", path, i+1, f.Name, csvNames[i], rerunHint(dir))
		}
	}
	return &m, nil
}

// checkSizes compares the sizes of the CSV files in dir with the manifest,
// before they are read.
func (m *manifest) checkSizes(dir string) error {
	for _, f := range m.Files {
		p := filepath.Join(dir, f.Name)
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
		if st.Size() != f.Bytes {
			return m.mismatch(dir, f.Name, fmt.Sprintf("is %d bytes", st.Size()), fmt.Sprintf("%d", f.Bytes))
		}
	}
	return nil
}

// checkContent compares the rows and content digests read from dir with
// the manifest.
func (m *manifest) checkContent(dir string, train, test rawSplit) error {
	got := []struct {
		rows int
		sum  digest
	}{{train.n, train.xSum}, {len(train.labels), train.ySum}, {test.n, test.xSum}, {len(test.labels), test.ySum}}
	for i, f := range m.Files {
		if got[i].rows != f.Rows {
			return m.mismatch(dir, f.Name, fmt.Sprintf("has %d rows", got[i].rows), fmt.Sprintf("%d", f.Rows))
		}
		if got := hex.EncodeToString(got[i].sum[:]); got != f.Content {
			return m.mismatch(dir, f.Name, "has content digest "+got, "content digest "+f.Content)
		}
	}
	return nil
}

// mismatch reports a file that does not match the manifest.
func (m *manifest) mismatch(dir, name, got, want string) error {
	return fmt.Errorf("%s %s, but %s (written by prepare with the four files) says %s: "+
		"the directory mixes files of different datasets, or a file was changed; %s",
		filepath.Join(dir, name), got, filepath.Join(dir, ManifestFile), want, rerunHint(dir))
}

// newManifest describes the four files about to be written from train
// and test, with their sizes.
func newManifest(train, test rawSplit, sizes [4]int64) manifest {
	m := manifest{Format: manifestFormat, Fingerprint: fingerprint(train, test)}
	for i, s := range []struct {
		rows int
		sum  digest
	}{{train.n, train.xSum}, {train.n, train.ySum}, {test.n, test.xSum}, {test.n, test.ySum}} {
		m.Files = append(m.Files, manifestFile{Name: csvNames[i], Bytes: sizes[i], Rows: s.rows, Content: hex.EncodeToString(s.sum[:])})
	}
	return m
}

// write writes the manifest into dir atomically.
func (m manifest) write(dir string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("dataset manifest: %w", err)
	}
	return atomicfile.WriteBytes(filepath.Join(dir, ManifestFile), append(data, '\n'))
}

// removeStale removes the temporary files that an earlier Prepare killed
// before renaming them left in dir.
func removeStale(dir string) error {
	if err := atomicfile.RemoveTemps(dir, append(csvNames[:], ManifestFile, incompleteMarker)); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	return nil
}

// nonRegular says what path is when it exists but is not a regular file
// (following links): "a directory", "a named pipe (FIFO)", "a dangling
// symbolic link to T", ...; "" when it is a regular file or does not exist.
func nonRegular(path string) string {
	lst, err := os.Lstat(path)
	if err != nil {
		return ""
	}
	st, err := os.Stat(path)
	if err != nil {
		if lst.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			return fmt.Sprintf("a dangling symbolic link (to %s, which does not exist)", target)
		}
		return fmt.Sprintf("unreadable (%v)", err)
	}
	mode := st.Mode()
	switch {
	case mode.IsRegular():
		return ""
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// readRegular reads the file at path, refusing anything but a regular file
// (a FIFO would block the read, a directory fails obscurely).
func readRegular(path string) ([]byte, error) {
	if kind := nonRegular(path); kind != "" {
		return nil, fileError(path, fmt.Errorf("is %s, not a data file", kind))
	}
	return os.ReadFile(path)
}
