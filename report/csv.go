package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// numericCSV is a CSV file of numbers with a header row.
type numericCSV struct {
	Header []string
	Rows   [][]float64
}

// readNumericCSV reads a comma-separated file whose first line is a header
// and whose other lines hold len(header) finite numbers each. When want is
// not nil the header must equal it. Errors name the file and the line.
func readNumericCSV(path string, want []string) (*numericCSV, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	out := &numericCSV{}
	line := 0
	for {
		text, err := readLine(r)
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if errors.Is(err, errNoNewline) {
			return nil, truncatedError(path, line)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if line == 1 {
			out.Header = strings.Split(strings.TrimPrefix(text, "\ufeff"), ",")
			if want != nil && strings.Join(out.Header, ",") != strings.Join(want, ",") {
				return nil, fmt.Errorf("%s line 1: header %q, want %q", path, clip(text), strings.Join(want, ","))
			}
			continue
		}
		if text == "" {
			return nil, fmt.Errorf("%s line %d: empty line", path, line)
		}
		fields := strings.Split(text, ",")
		if len(fields) != len(out.Header) {
			return nil, fmt.Errorf("%s line %d: %d fields, header has %d", path, line, len(fields), len(out.Header))
		}
		row := make([]float64, len(fields))
		for i, s := range fields {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s line %d column %s: %q is not a finite number", path, line, out.Header[i], clip(s))
			}
			row[i] = v
		}
		out.Rows = append(out.Rows, row)
	}
	if line == 0 {
		return nil, fmt.Errorf("%s: empty file, want a header row", path)
	}
	return out, nil
}

// readLine returns the next line without its "\n" or "\r\n" ending. It
// returns io.EOF only when no byte is left, and errNoNewline for a last
// line without a newline.
func readLine(r *bufio.Reader) (string, error) {
	b, err := r.ReadBytes('\n')
	if len(b) == 0 && err != nil {
		return "", err
	}
	if errors.Is(err, io.EOF) {
		return "", errNoNewline
	}
	if err != nil {
		return "", err
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	return string(b), nil
}

// csvShape counts a CSV file's header fields and data rows without parsing
// the values, checking that every row has as many fields as the header. It
// suits large files such as the encoding of the test set.
func csvShape(path string) (cols, rows int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	line := 0
	for {
		b, err := r.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: count it piece by piece.
			n := bytes.Count(b, []byte(","))
			var more []byte
			more, err = r.ReadSlice('\n')
			b = append(bytes.Repeat([]byte(","), n), more...)
		}
		if len(b) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, 0, fmt.Errorf("%s: %w", path, err)
		}
		line++
		trimmed := bytes.TrimRight(b, "\r\n")
		n := bytes.Count(trimmed, []byte(",")) + 1
		if len(trimmed) == 0 {
			return 0, 0, fmt.Errorf("%s line %d: empty line", path, line)
		}
		if line == 1 {
			cols = n
		} else if n != cols {
			return 0, 0, fmt.Errorf("%s line %d: %d fields, header has %d", path, line, n, cols)
		}
		if errors.Is(err, io.EOF) {
			return 0, 0, truncatedError(path, line)
		}
	}
	if line == 0 {
		return 0, 0, fmt.Errorf("%s: empty file, want a header row", path)
	}
	return cols, line - 1, nil
}

// errNoNewline is readLine's error for a last line without a newline.
var errNoNewline = errors.New("no newline at the end of the file")

// truncatedError reports a file whose last line, line, has no newline: the
// writers end every line with one, so the file was cut short, possibly
// inside a number.
func truncatedError(path string, line int) error {
	return fmt.Errorf("%s line %d: no newline at the end of the file (truncated?)", path, line)
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
