package dataset

import (
	"bytes"
)

// attachOriginals gives CSV splits their original 10-class labels when the
// IDX files in dir hold exactly the same images, in the same order, with
// labels that group to the CSV labels: the CSV files were then made from
// them (as cmd/prepare does) and the original classes are known for sure.
// Anything else (no IDX files, unreadable ones, any difference) leaves the
// splits as they are. It reports whether the labels were attached, and the
// error met reading IDX files that are all present (nil when some are
// missing: there is then nothing to read).
func attachOriginals(train, test *rawSplit, dir string) (bool, error) {
	if train.original || dir == "" {
		return false, nil
	}
	if _, missing := idxPaths(dir); len(missing) > 0 {
		return false, nil
	}
	idxTrain, idxTest, err := readSource(dir, FormatIDX)
	if err != nil {
		return false, err
	}
	if !sameImages(*train, idxTrain) || !sameImages(*test, idxTest) {
		return false, nil
	}
	train.labels, test.labels = idxTrain.labels, idxTest.labels
	train.original, test.original = true, true
	return true, nil
}

// sameImages reports whether the grouped-label CSV split c and the IDX
// split x hold the same images and labels.
func sameImages(c, x rawSplit) bool {
	if c.n != x.n || !bytes.Equal(c.pix, x.pix) {
		return false
	}
	for i, l := range x.labels {
		if Grouping[l] != c.labels[i] {
			return false
		}
	}
	return true
}
