package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ReadCSVImages reads a CSV file of images (a header row, then one row of
// Pixels integers 0-255 per image) and returns its pixels, n*Pixels bytes
// image after image, and n. Lines are parsed in parallel; an error names
// the first bad line in file order.
func ReadCSVImages(path string) (pix []uint8, n int, err error) {
	data, err := readRegular(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read CSV images: %w", err)
	}
	return parseCSVImages(path, data, 0)
}

// ReadCSVLabels reads a CSV file of labels (a header row, then one integer
// per row). It does not check their range, which depends on the class count;
// [Load] does.
func ReadCSVLabels(path string) ([]int, error) {
	data, err := readRegular(path)
	if err != nil {
		return nil, fmt.Errorf("read CSV labels: %w", err)
	}
	return parseCSVLabels(path, data, 0)
}

// maxImageLine bounds the length of an image row (and of the images
// header): the longest valid pandas row is 3,135 bytes; 64 KiB leaves room
// for zero-padded values while refusing a runaway line before it is split
// into fields.
const maxImageLine = 64 << 10

// maxLabelLine bounds the length of a labels row and header.
const maxLabelLine = 1 << 10

// lineTooLong reports a line longer than limit bytes.
func lineTooLong(n, limit int, what string) error {
	return fmt.Errorf("line of %d bytes, longer than any %s can be (at most %d bytes)", n, what, limit)
}

// minImageRow is the length of the shortest valid image row plus its line
// end: Pixels one-digit values and Pixels-1 commas, then "\n".
const minImageRow = 2 * Pixels

// parseCSVImages parses data, the contents of the images CSV file at path,
// cutting its body into parts chunks (0 = by size).
func parseCSVImages(path string, data []byte, parts int) ([]uint8, int, error) {
	f, err := cutCSV(path, data)
	if err != nil {
		return nil, 0, err
	}
	if len(f.header) > maxImageLine {
		return nil, 0, lineError(path, 1, lineTooLong(len(f.header), maxImageLine, "images header"))
	}
	if err := checkHeader(f, Pixels, imagesHeader, "0,1,...,783"); err != nil {
		return nil, 0, err
	}
	if parts <= 0 {
		parts = defaultParts(len(f.body))
	}
	ls := cutLines(f.body, parts)
	if ls.n*minImageRow > len(f.body)+1 {
		// Too many lines for the size: some line is too short. Find it
		// without allocating ls.n images, in one chunk sharing a scratch
		// row.
		var scratch [Pixels]uint8
		err := cutLines(f.body, 1).each(path, 2, func(_ int, line []byte) error {
			if len(line) > maxImageLine {
				return lineTooLong(len(line), maxImageLine, "image row")
			}
			if parseImageRow(line, scratch[:]) {
				return nil
			}
			return diagnoseImageRow(line)
		})
		if err == nil {
			err = fileError(path, errors.New("internal error: short line not found"))
		}
		return nil, 0, err
	}
	pix := make([]uint8, ls.n*Pixels)
	err = ls.each(path, 2, func(row int, line []byte) error {
		if len(line) > maxImageLine {
			return lineTooLong(len(line), maxImageLine, "image row")
		}
		if parseImageRow(line, pix[row*Pixels:(row+1)*Pixels]) {
			return nil
		}
		return diagnoseImageRow(line)
	})
	if err != nil {
		return nil, 0, err
	}
	return pix, ls.n, nil
}

// parseImageRow parses a row of Pixels comma-separated integers 0-255 into
// dst and reports whether it was valid. It is the fast path, which reads
// values of one to three digits with few branches and falls back to
// parseImageRowSlow for anything else; on failure, diagnoseImageRow says
// what is wrong.
func parseImageRow(line []byte, dst []uint8) bool {
	dst = dst[:Pixels]
	i := 0
	for col := range Pixels {
		// A value is 1-3 digits followed by ',' (or the end of the last one).
		if i >= len(line) {
			return false
		}
		d := uint(line[i]) - '0'
		if d > 9 {
			return false
		}
		v := d
		i++
		if i < len(line) && line[i] != ',' {
			if d = uint(line[i]) - '0'; d > 9 {
				return false
			}
			v = v*10 + d
			i++
			if i < len(line) && line[i] != ',' {
				if d = uint(line[i]) - '0'; d > 9 {
					return false
				}
				v = v*10 + d
				i++
				if v > 255 || (i < len(line) && line[i] != ',') {
					return parseImageRowSlow(line, dst)
				}
			}
		}
		dst[col] = uint8(v)
		if col < Pixels-1 {
			if i >= len(line) {
				return false
			}
			i++ // the comma
		}
	}
	return i == len(line)
}

// parseImageRowSlow is parseImageRow for values of any number of digits,
// such as "0042".
func parseImageRowSlow(line []byte, dst []uint8) bool {
	dst = dst[:Pixels]
	col, v, digits := 0, 0, 0
	for _, c := range line {
		if c == ',' {
			if digits == 0 || col >= Pixels-1 {
				return false
			}
			dst[col] = uint8(v)
			col, v, digits = col+1, 0, 0
			continue
		}
		d := int(c) - '0'
		if uint(d) > 9 {
			return false
		}
		v = v*10 + d
		if v > 255 {
			return false
		}
		digits++
	}
	if digits == 0 || col != Pixels-1 {
		return false
	}
	dst[col] = uint8(v)
	return true
}

// diagnoseImageRow says what is wrong with an image row that parseImageRow
// rejected.
func diagnoseImageRow(line []byte) error {
	if len(line) == 0 {
		return errors.New("empty line")
	}
	fields := bytes.Split(line, []byte{','})
	if len(fields) != Pixels {
		return fmt.Errorf("%d columns, want %d", len(fields), Pixels)
	}
	for i, fld := range fields {
		if err := checkPixel(fld); err != nil {
			return fmt.Errorf("column %d: %w", i+1, err)
		}
	}
	return errors.New("malformed row") // not reached: parseImageRow accepts the rest
}

// checkPixel says what is wrong with a pixel field, or returns nil.
func checkPixel(fld []byte) error {
	switch {
	case len(fld) == 0:
		return errors.New("empty value, want an integer 0-255")
	case !isInteger(fld):
		return fmt.Errorf("%q is not an integer 0-255", clip(fld))
	case fld[0] == '-':
		return fmt.Errorf("value %s outside 0-255", clip(fld))
	}
	v, err := strconv.Atoi(string(fld))
	if err != nil || v > 255 {
		return fmt.Errorf("value %s outside 0-255", clip(fld))
	}
	return nil
}

// parseCSVLabels parses data, the contents of the labels CSV file at path,
// cutting its body into parts chunks (0 = by size).
func parseCSVLabels(path string, data []byte, parts int) ([]int, error) {
	f, err := cutCSV(path, data)
	if err != nil {
		return nil, err
	}
	if len(f.header) > maxLabelLine {
		return nil, lineError(path, 1, lineTooLong(len(f.header), maxLabelLine, "labels header"))
	}
	if err := checkHeader(f, 1, labelsHeader, "0"); err != nil {
		return nil, err
	}
	if parts <= 0 {
		parts = defaultParts(len(f.body))
	}
	ls := cutLines(f.body, parts)
	labels := make([]int, ls.n)
	err = ls.each(path, 2, func(row int, line []byte) error {
		if len(line) > maxLabelLine {
			return lineTooLong(len(line), maxLabelLine, "label row")
		}
		v, err := parseLabel(line)
		labels[row] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return labels, nil
}

// maxLabelDigits bounds the digits of a label so that it fits an int.
const maxLabelDigits = 9

// parseLabel parses a label row: one decimal integer.
func parseLabel(line []byte) (int, error) {
	switch {
	case len(line) == 0:
		return 0, errors.New("empty line")
	case bytes.IndexByte(line, ',') >= 0:
		return 0, fmt.Errorf("%d columns, want 1", bytes.Count(line, []byte{','})+1)
	case !isInteger(line):
		return 0, fmt.Errorf("%q is not an integer label", clip(line))
	case len(bytes.TrimPrefix(line, []byte{'-'})) > maxLabelDigits:
		return 0, fmt.Errorf("label %s is out of range", clip(line))
	}
	v, err := strconv.Atoi(string(line))
	if err != nil {
		return 0, fmt.Errorf("label %q: %w", clip(line), err)
	}
	return v, nil
}

// clip shortens a field quoted in an error message.
func clip(b []byte) string {
	const max = 40
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
