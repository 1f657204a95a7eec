package dataset

import (
	"bytes"
	"fmt"
	"strconv"
)

// imagesHeader is the header pandas writes for a 784-column frame:
// "0,1,...,783".
var imagesHeader = func() []byte {
	var b []byte
	for i := range Pixels {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(i), 10)
	}
	return b
}()

// labelsHeader is the header pandas writes for a 1-column frame.
var labelsHeader = []byte("0")

// checkHeader checks that the first line of f is a header row with cols
// columns: the exact pandas header want, or a row with cols columns of which
// at least one is not a number. wantText describes want in messages.
func checkHeader(f csvFile, cols int, want []byte, wantText string) error {
	h := f.header
	if bytes.Equal(h, want) {
		return nil
	}
	if len(h) == 0 {
		return lineError(f.path, 1, fmt.Errorf("empty line, want the header row %s", wantText))
	}
	fields := bytes.Split(h, []byte{','})
	if len(fields) != cols {
		hint := ""
		if len(fields) == cols+1 && len(fields[0]) == 0 {
			hint = " (an index column? write the file with to_csv(index=False))"
		}
		return lineError(f.path, 1, fmt.Errorf("header has %d columns, want %d%s", len(fields), cols, hint))
	}
	for _, fld := range fields {
		if !isNumber(fld) {
			return nil
		}
	}
	return lineError(f.path, 1, fmt.Errorf("missing header: the first line holds data, want the header row %s", wantText))
}

// isNumber reports whether b is a decimal number: an optional sign, digits,
// and optionally a point and more digits.
func isNumber(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	digits, point := 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// isInteger reports whether b is an optionally negative decimal integer.
func isInteger(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte{'-'})
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
