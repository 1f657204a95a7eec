package dataset

import (
	"fmt"
	"path/filepath"
)

// rawSplit is a split as read from disk, before scaling.
type rawSplit struct {
	pix      []uint8 // n*Pixels
	n        int
	labels   []int // labels as in the files: grouped (CSV) or original (IDX)
	xPath    string
	yPath    string
	original bool // labels are the original 10 classes
	// xSum and ySum are the content digests of the images and of the
	// grouped labels (see digest), whatever the format.
	xSum, ySum digest
}

// head returns the first n rows of r.
func (r rawSplit) head(n int) rawSplit {
	r.pix, r.labels, r.n = r.pix[:n*Pixels], r.labels[:n], n
	return r
}

// readSource reads the train and test splits of the dataset of the given
// format in dir, the four files concurrently, and validates them: label
// ranges (0-4 for CSV, 0-9 for IDX) and matching image and label counts.
func readSource(dir string, format Format) (train, test rawSplit, err error) {
	var paths []string
	if format == FormatCSV {
		for _, name := range csvNames {
			paths = append(paths, filepath.Join(dir, name))
		}
	} else {
		var missing []string
		paths, missing = idxPaths(dir)
		if len(missing) > 0 {
			return train, test, fmt.Errorf("incomplete IDX dataset in %s: missing %s", dir, missing[0])
		}
	}
	var splits [2]rawSplit
	errs := make([]error, 4)
	parallel(4, func(i int) {
		s := &splits[i/2]
		if i%2 == 0 {
			s.xPath = paths[i]
			if format == FormatCSV {
				s.pix, s.n, errs[i] = ReadCSVImages(paths[i])
			} else {
				s.pix, s.n, errs[i] = ReadIDXImages(paths[i])
			}
			if errs[i] == nil {
				s.xSum = imagesDigest(s.pix)
			}
			return
		}
		s.yPath = paths[i]
		if format == FormatCSV {
			s.labels, errs[i] = readCSVLabelsChecked(paths[i], len(GroupNames))
		} else {
			s.labels, errs[i] = readIDXLabelsChecked(paths[i])
			s.original = true
		}
		if errs[i] == nil {
			s.ySum = labelsDigest(s.labels, s.original)
		}
	})
	if err := firstNonNil(errs); err != nil {
		return train, test, err
	}
	for _, s := range splits {
		if len(s.labels) != s.n {
			return train, test, fileError(s.yPath, fmt.Errorf("%d labels, but %s has %d images", len(s.labels), s.xPath, s.n))
		}
	}
	return splits[0], splits[1], nil
}

// readCSVLabelsChecked reads a CSV labels file and checks that every label
// is in 0..classes-1.
func readCSVLabelsChecked(path string, classes int) ([]int, error) {
	labels, err := ReadCSVLabels(path)
	if err != nil {
		return nil, err
	}
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, lineError(path, i+2, fmt.Errorf("label %d outside 0-%d (CSV files hold the %d grouped labels)", l, classes-1, classes))
		}
	}
	return labels, nil
}

// readIDXLabelsChecked reads an IDX labels file and checks that every label
// is an original class 0..9.
func readIDXLabelsChecked(path string) ([]int, error) {
	raw, err := readRegular(path)
	if err != nil {
		return nil, fmt.Errorf("read IDX labels: %w", err)
	}
	b, err := parseIDXLabels(path, raw)
	if err != nil {
		return nil, err
	}
	labels := make([]int, len(b))
	for i, l := range b {
		if int(l) >= len(ClassNames) {
			return nil, offsetError(path, int64(8+i), isGzip(raw), fmt.Errorf("label %d outside 0-%d", l, len(ClassNames)-1))
		}
		labels[i] = int(l)
	}
	return labels, nil
}

// isGzip reports whether raw starts with the gzip magic number.
func isGzip(raw []byte) bool {
	return len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b
}
