package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned byte)
// and the number of dimensions.
const (
	idxLabelsMagic = 0x00000801
	idxImagesMagic = 0x00000803
)

// ReadIDXImages reads an IDX file of 28x28 unsigned-byte images, plain or
// gzipped (recognised by its content, not its name), and returns its pixels,
// n*Pixels bytes image after image, and n.
func ReadIDXImages(path string) (pix []uint8, n int, err error) {
	raw, err := readRegular(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read IDX images: %w", err)
	}
	return parseIDXImages(path, raw)
}

// ReadIDXLabels reads an IDX file of unsigned-byte labels, plain or gzipped.
// It does not check their range; [Load] does.
func ReadIDXLabels(path string) ([]uint8, error) {
	raw, err := readRegular(path)
	if err != nil {
		return nil, fmt.Errorf("read IDX labels: %w", err)
	}
	return parseIDXLabels(path, raw)
}

// parseIDXImages parses raw, the contents of the IDX images file at path.
func parseIDXImages(path string, raw []byte) ([]uint8, int, error) {
	dims, body, err := parseIDX(path, raw, idxImagesMagic, []int{0, Height, Width}, "images")
	if err != nil {
		return nil, 0, err
	}
	return body, dims[0], nil
}

// parseIDXLabels parses raw, the contents of the IDX labels file at path.
func parseIDXLabels(path string, raw []byte) ([]uint8, error) {
	_, body, err := parseIDX(path, raw, idxLabelsMagic, []int{0}, "labels")
	return body, err
}

// parseIDX parses an IDX file with the given magic number and dimensions
// (0 = any size, but the first must not be 0) and returns its dimensions and
// its data. what names the items of the first dimension in messages.
func parseIDX(path string, raw []byte, magic uint32, want []int, what string) ([]int, []byte, error) {
	if len(raw) == 0 {
		return nil, nil, fileError(path, errors.New("empty file"))
	}
	src := &idxReader{r: bytes.NewReader(raw)}
	if isGzip(raw) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, nil, fileError(path, fmt.Errorf("corrupt gzip header: %w", err))
		}
		src = &idxReader{r: zr, gz: true}
	}
	// Header: magic, then one big-endian uint32 per dimension.
	hdrLen := 4 + 4*len(want)
	hdr, err := src.read(4)
	if err != nil {
		return nil, nil, src.fail(path, err, fmt.Sprintf("truncated IDX header: %d bytes, want %d", len(hdr), hdrLen))
	}
	if got := binary.BigEndian.Uint32(hdr); got != magic {
		return nil, nil, offsetError(path, 0, src.gz, fmt.Errorf("magic number 0x%08x%s, want 0x%08x (IDX %s)", got, magicHint(got), magic, what))
	}
	rest, err := src.read(int64(hdrLen - 4))
	if err != nil {
		return nil, nil, src.fail(path, err, fmt.Sprintf("truncated IDX header: %d bytes, want %d", 4+len(rest), hdrLen))
	}
	hdr = append(hdr, rest...)
	dims := make([]int, len(want))
	size := int64(1)
	for i := range want {
		d := binary.BigEndian.Uint32(hdr[4+4*i:])
		dims[i] = int(d)
		if i == 0 && d == 0 {
			return nil, nil, offsetError(path, 4, src.gz, fmt.Errorf("header declares 0 %s", what))
		}
		if want[i] != 0 && dims[i] != want[i] {
			return nil, nil, offsetError(path, int64(4+4*i), src.gz, fmt.Errorf("dimension %d is %d, want %d", i+1, d, want[i]))
		}
		size *= int64(d)
	}
	body, err := src.read(size)
	if err != nil {
		return nil, nil, src.fail(path, err, fmt.Sprintf("truncated: header declares %d %s (%d data bytes), file ends after %d of them", dims[0], what, size, len(body)))
	}
	// Read on to the end, which also verifies a gzip checksum.
	extra, err := src.read(1)
	switch {
	case len(extra) > 0:
		return nil, nil, offsetError(path, src.off-1, src.gz, fmt.Errorf("unexpected data after the %d %s the header declares", dims[0], what))
	case err != io.EOF:
		return nil, nil, src.fail(path, err, "")
	}
	return dims, body, nil
}

// magicHint explains a wrong IDX magic number.
func magicHint(m uint32) string {
	switch m {
	case idxLabelsMagic:
		return " (an IDX labels file)"
	case idxImagesMagic:
		return " (an IDX images file)"
	}
	if m>>16 != 0 {
		return " (not an IDX file)"
	}
	return ""
}

// idxReader reads an IDX stream, counting bytes and remembering whether a
// short read came from a clean end or from a gzip error.
type idxReader struct {
	r   io.Reader
	gz  bool
	off int64
}

// read reads up to n bytes, growing its buffer only as data arrives, so
// that a lying header cannot make it allocate much more than the file
// holds. It returns io.EOF if the data ends before n bytes, another error
// if reading fails.
func (s *idxReader) read(n int64) ([]byte, error) {
	const step = 64 << 20
	buf := make([]byte, 0, min(n, step))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(n-int64(len(buf)), step)))
		}
		m, err := s.r.Read(buf[len(buf):min(int64(cap(buf)), n)])
		buf = buf[:len(buf)+m]
		s.off += int64(m)
		if err != nil {
			if err == io.EOF && int64(len(buf)) == n {
				break
			}
			return buf, err
		}
	}
	return buf, nil
}

// fail turns a read error into a FormatError: truncated (with message
// short) when the data ended cleanly, corrupt gzip otherwise.
func (s *idxReader) fail(path string, err error, short string) error {
	if err == io.EOF && short != "" {
		return offsetError(path, s.off, s.gz, errors.New(short))
	}
	if s.gz {
		return fileError(path, fmt.Errorf("corrupt gzip data after %d decompressed bytes: %w", s.off, err))
	}
	return fileError(path, fmt.Errorf("read: %w", err))
}
