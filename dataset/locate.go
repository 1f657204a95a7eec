package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// csvNames are the four CSV files of a dataset: x_train, y_train, x_test,
// y_test.
var csvNames = [4]string{"x_train.csv", "y_train.csv", "x_test.csv", "y_test.csv"}

// idxNames are the four IDX files of a dataset in the same order, each
// accepted plain or with a .gz suffix.
var idxNames = [4]string{
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
}

// searchDirs are the directories Locate("") tries, in order.
var searchDirs = []string{"./data", DefaultDir}

// getHint tells how to get a dataset.
const getHint = "install the original files with `apt-get install dataset-fashion-mnist`, " +
	"or give a directory holding one with -data DIR"

// Locate finds a dataset directory and recognises its format by the files it
// holds: the four CSV files (FormatCSV, preferred when both are complete) or
// the four IDX files, plain or .gz (FormatIDX). With dir "", it searches
// "./data", then [DefaultDir]; a directory holding nothing recognisable is
// skipped, but one holding an incomplete dataset is an error. The returned
// directory is absolute. Errors about a directory holding no dataset wrap
// [ErrNoDataset] and say how to get one.
func Locate(dir string) (string, Format, error) {
	if dir != "" {
		return locateIn(dir)
	}
	for _, d := range searchDirs {
		abs, format, err := locateIn(d)
		if err == nil {
			return abs, format, nil
		}
		if !errors.Is(err, ErrNoDataset) {
			return "", "", err
		}
	}
	return "", "", fmt.Errorf("%w in %s: %s", ErrNoDataset, strings.Join(searchDirs, " or "), getHint)
}

// locateIn recognises the dataset in dir.
func locateIn(dir string) (string, Format, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("dataset directory %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("%w in %s: the directory does not exist; %s", ErrNoDataset, abs, getHint)
	}
	if err != nil {
		return "", "", fmt.Errorf("dataset directory: %w", err)
	}
	if !st.IsDir() {
		return "", "", fmt.Errorf("dataset directory %s: not a directory", abs)
	}
	csvFiles, csvMissing := csvPaths(abs)
	for _, p := range csvMissing {
		if kind := nonRegular(p); kind != "" {
			return "", "", fmt.Errorf("dataset %s: %s is %s, not a CSV file", abs, p, kind)
		}
	}
	if len(csvFiles) > 0 {
		if err := checkIncomplete(abs); err != nil {
			return "", "", err
		}
	}
	if len(csvMissing) == 0 {
		return abs, FormatCSV, nil
	}
	idxFiles, idxMissing := idxPaths(abs)
	if len(idxMissing) == 0 {
		return abs, FormatIDX, nil
	}
	switch {
	case len(csvFiles) > 0 && len(csvFiles) >= len(idxFiles):
		return "", "", fmt.Errorf("incomplete CSV dataset in %s: missing %s (rerun `go run ./cmd/prepare -out %s`)", abs, strings.Join(csvMissing, ", "), dir)
	case len(idxFiles) > 0:
		return "", "", fmt.Errorf("incomplete IDX dataset in %s: missing %s (plain or .gz)", abs, strings.Join(idxMissing, ", "))
	}
	return "", "", fmt.Errorf("%w in %s: want %s, or the IDX files %s (plain or .gz); %s",
		ErrNoDataset, abs, strings.Join(csvNames[:], ", "), strings.Join(idxNames[:], ", "), getHint)
}

// csvPaths returns the paths of the CSV files present in dir and the full
// paths of those missing.
func csvPaths(dir string) (present, missing []string) {
	for _, name := range csvNames {
		p := filepath.Join(dir, name)
		if isFile(p) {
			present = append(present, p)
		} else {
			missing = append(missing, p)
		}
	}
	return present, missing
}

// idxPaths returns the paths of the IDX files present in dir (the plain
// file preferred over .gz) and the full paths of those missing (without
// .gz).
func idxPaths(dir string) (present, missing []string) {
	for _, name := range idxNames {
		p := filepath.Join(dir, name)
		switch {
		case isFile(p):
			present = append(present, p)
		case isFile(p + ".gz"):
			present = append(present, p+".gz")
		default:
			missing = append(missing, p)
		}
	}
	return present, missing
}

// isFile reports whether path names a regular file (following links).
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
