package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fmnist/internal/atomicfile"
)

// prepareHint tells how to get the IDX files Prepare reads.
const prepareHint = "install them with `apt-get install dataset-fashion-mnist`, or give the directory holding them with -from DIR"

// Prepare converts the four IDX files in from (plain or .gz) into the four
// CSV files x_train.csv, y_train.csv, x_test.csv and y_test.csv in out,
// which it creates if needed, and writes their [ManifestFile] last. The y
// files hold the 5 grouped labels. The files are byte-identical to what
// pandas DataFrame.to_csv(index=False) writes.
//
// The directory is whole or refused: all inputs are read and validated
// before out is touched; the four files are written completely under
// temporary names before any is renamed into place; while they are renamed,
// a marker makes [Load] refuse the directory, and the manifest, written
// after them, lets Load refuse a directory whose files do not belong
// together. Temporary files left by an earlier Prepare that was killed are
// removed. When ctx is done before the renames, out is left as it was and
// the error wraps ctx's; the renames themselves are not interrupted. It
// returns the paths written, the manifest last.
func Prepare(ctx context.Context, from, out string) ([]string, error) {
	if out == "" {
		return nil, errors.New("no output directory given")
	}
	if _, missing := idxPaths(from); len(missing) > 0 {
		return nil, fmt.Errorf("no IDX dataset in %s: missing %s (plain or .gz); %s", from, strings.Join(missing, ", "), prepareHint)
	}
	train, test, err := readSource(from, FormatIDX)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	if err := removeStale(out); err != nil {
		return nil, err
	}
	var staged []*atomicfile.Staged
	abort := func() {
		for _, s := range staged {
			s.Abort()
		}
	}
	var sizes [4]int64
	for i, s := range []rawSplit{train, test} {
		xPath := filepath.Join(out, csvNames[2*i])
		fill, err := imagesFill(ctx, xPath, s.pix, s.n)
		if err != nil {
			abort()
			return nil, err
		}
		grouped := make([]int, s.n)
		for j, l := range s.labels {
			grouped[j] = Grouping[l]
		}
		fills := []func(io.Writer) error{fill, labelsFill(ctx, grouped)}
		for j, fill := range fills {
			k := 2*i + j
			st, err := atomicfile.Stage(filepath.Join(out, csvNames[k]), counting(&sizes[k], fill))
			if err != nil {
				abort()
				return nil, err
			}
			staged = append(staged, st)
		}
	}
	if err := ctx.Err(); err != nil {
		abort()
		return nil, err
	}
	// From here on the directory changes: the marker says so until the
	// four files are in place.
	marker := filepath.Join(out, incompleteMarker)
	if err := atomicfile.WriteBytes(marker, []byte("prepare is replacing the dataset files of this directory\n")); err != nil {
		abort()
		return nil, err
	}
	manifestPath := filepath.Join(out, ManifestFile)
	if err := os.Remove(manifestPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		abort()
		return nil, fmt.Errorf("remove the old manifest: %w", err)
	}
	var written []string
	for i, st := range staged {
		if err := st.Commit(); err != nil {
			for _, rest := range staged[i+1:] {
				rest.Abort()
			}
			return written, fmt.Errorf("%w (%s is left in place: the directory is refused until prepare succeeds)", err, marker)
		}
		written = append(written, filepath.Join(out, csvNames[i]))
	}
	if err := os.Remove(marker); err != nil {
		return written, fmt.Errorf("remove %s: %w", marker, err)
	}
	atomicfile.SyncDir(out)
	if err := newManifest(train, test, sizes).write(out); err != nil {
		return written, err
	}
	return append(written, manifestPath), nil
}

// counting wraps fill so that it adds the bytes it writes to *n.
func counting(n *int64, fill func(io.Writer) error) func(io.Writer) error {
	return func(w io.Writer) error {
		return fill(&countWriter{w: w, n: n})
	}
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n *int64
}

// Write writes p and counts it.
func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}
