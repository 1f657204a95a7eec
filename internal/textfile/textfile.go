// Package textfile holds the checks that the readers of the project's text
// files (the run artifacts of package tfrunner, the analysis files of
// package analysis) share. A CSV file is read line by line: every line, the
// last included, ends with a newline, so that a file cut short inside a
// number is an error, and no line is empty. A JSON file holds one value and
// nothing after it. Errors name the file, and the 1-based line of a CSV
// file.
package textfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Reader returns the lines of a CSV file one at a time.
type Reader struct {
	r    *bufio.Reader
	path string
	line int
	buf  []byte
}

// NewReader reads lines from r; path names the file in errors.
func NewReader(r io.Reader, path string) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 1<<16), path: path}
}

// Line is the 1-based number of the line Next returned last.
func (r *Reader) Line() int { return r.line }

// Next returns the next line without its "\n" or "\r\n" ending, valid until
// the next call. It returns io.EOF when no byte is left, and an error naming
// the file and the line for a last line without a newline (see
// [Truncated]), an empty line or a read error.
func (r *Reader) Next() ([]byte, error) {
	b, err := r.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.buf = append(r.buf[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = r.r.ReadSlice('\n')
			r.buf = append(r.buf, b...)
		}
		b = r.buf
	}
	if len(b) == 0 && errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	r.line++
	if errors.Is(err, io.EOF) {
		return nil, Truncated(r.path, r.line)
	}
	if err != nil {
		return nil, fmt.Errorf("%s line %d: %w", r.path, r.line, err)
	}
	b = bytes.TrimSuffix(b[:len(b)-1], []byte{'\r'})
	if len(b) == 0 {
		return nil, fmt.Errorf("%s line %d: empty line", r.path, r.line)
	}
	return b, nil
}

// Header returns the first line, the header row; an empty file is an
// error naming it.
func (r *Reader) Header() ([]byte, error) {
	b, err := r.Next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file, want a header row", r.path)
	}
	return b, err
}

// Truncated is the error for a file whose last line, line, has no newline:
// the writers end every line with one, so the file was cut short, possibly
// inside a number.
func Truncated(path string, line int) error {
	return fmt.Errorf("%s line %d: no newline at the end of the file (truncated?)", path, line)
}

// Finite parses a field of the line Next returned last as a finite
// number. col is the field's position, from 0; the error names the file,
// the line and the column: names[col] when names (the header's fields) is
// given, else col+1.
func (r *Reader) Finite(field []byte, col int, names []string) (float64, error) {
	v, err := strconv.ParseFloat(string(field), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		column := strconv.Itoa(col + 1)
		if col < len(names) {
			column = names[col]
		}
		return 0, fmt.Errorf("%s line %d, column %s: %q is not a finite number", r.path, r.line, column, Clip(string(field)))
	}
	return v, nil
}

// Clip shortens s for an error message.
func Clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// DecodeJSON decodes data, the content of the file path, into v: one JSON
// value, with nothing but white space after it.
func DecodeJSON(path string, data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: corrupt JSON: %w", path, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: corrupt JSON: data after the value", path)
	}
	return nil
}
