package dataset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Prepare converts the four IDX files in from (plain or .gz) into the four
// CSV files x_train.csv, y_train.csv, x_test.csv and y_test.csv in out,
// which it creates if needed. The y files hold the 5 grouped labels. The
// files are byte-identical to what pandas DataFrame.to_csv(index=False)
// writes, and each is written atomically, so an interrupted or failed run
// leaves no partial file; all inputs are read and validated before out is
// touched. It returns the paths written.
func Prepare(ctx context.Context, from, out string) ([]string, error) {
	if _, missing := idxPaths(from); len(missing) > 0 {
		return nil, fmt.Errorf("no IDX dataset in %s: missing %s (plain or .gz); %s", from, strings.Join(missing, ", "), getHint)
	}
	train, test, err := readSource(from, FormatIDX)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	var written []string
	for i, s := range []rawSplit{train, test} {
		xPath := filepath.Join(out, csvNames[2*i])
		yPath := filepath.Join(out, csvNames[2*i+1])
		if err := writeCSVImages(ctx, xPath, s.pix, s.n); err != nil {
			return written, err
		}
		written = append(written, xPath)
		grouped := make([]int, s.n)
		for j, l := range s.labels {
			grouped[j] = Grouping[l]
		}
		if err := writeCSVLabels(ctx, yPath, grouped); err != nil {
			return written, err
		}
		written = append(written, yPath)
	}
	return written, nil
}
