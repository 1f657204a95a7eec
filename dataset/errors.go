package dataset

import (
	"errors"
	"fmt"
)

// ErrNoDataset is wrapped by the errors of [Locate] and [Load] when a
// directory holds no recognisable dataset at all.
var ErrNoDataset = errors.New("no Fashion-MNIST dataset")

// FormatError reports malformed input: which file, where in it, and what is
// wrong.
type FormatError struct {
	// Path is the file's path.
	Path string
	// Line is the 1-based line of a CSV file, or 0 when not applicable.
	Line int
	// Offset is the byte offset in an IDX file, or -1 when not applicable.
	// For a gzipped file it counts decompressed bytes.
	Offset int64
	// Gzip reports that Offset counts decompressed bytes.
	Gzip bool
	// Err says what is wrong.
	Err error
}

// Error formats the error as "PATH line N: what", "PATH byte N: what" or
// "PATH: what".
func (e *FormatError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("%s line %d: %v", e.Path, e.Line, e.Err)
	case e.Offset >= 0 && e.Gzip:
		return fmt.Sprintf("%s decompressed byte %d: %v", e.Path, e.Offset, e.Err)
	case e.Offset >= 0:
		return fmt.Sprintf("%s byte %d: %v", e.Path, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *FormatError) Unwrap() error { return e.Err }

// lineError returns a FormatError at a CSV line.
func lineError(path string, line int, err error) *FormatError {
	return &FormatError{Path: path, Line: line, Offset: -1, Err: err}
}

// offsetError returns a FormatError at a byte offset of an IDX file.
func offsetError(path string, off int64, gz bool, err error) *FormatError {
	return &FormatError{Path: path, Offset: off, Gzip: gz, Err: err}
}

// fileError returns a FormatError about a whole file.
func fileError(path string, err error) *FormatError {
	return &FormatError{Path: path, Offset: -1, Err: err}
}
