package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// outFile is one file of the report, held in memory until all are made.
type outFile struct {
	name string // base name inside the output directory
	data []byte
}

// stagingPrefix names the temporary directory in which outputs are staged.
const stagingPrefix = ".report-staging-"

// renaming is held while writeOutputs moves the staged files into place, so
// that RemoveStaging (called on SIGINT or SIGTERM) never cuts the renames
// short and leaves some files new and others old.
var renaming sync.Mutex

// RemoveStaging removes the staging directories in dir that a report killed
// while writing left behind (or, on a signal, this process's own), after
// any renames in progress in this process have finished. A missing dir is
// not an error.
func RemoveStaging(dir string) error {
	renaming.Lock()
	defer renaming.Unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // no output directory yet
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), stagingPrefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("remove a stale staging directory: %w", err)
			}
		}
	}
	return nil
}

// writeOutputs writes files into dir so that no reader ever sees a
// half-written file and an error leaves no new file behind: every file is
// first written and synced in a staging directory inside dir, then each is
// renamed into place, in order (put the page that links the others last).
// A directory holding Go source files is refused: generated output stays
// out of the source tree.
func writeOutputs(dir string, files []outFile) (err error) {
	if src, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(src) > 0 {
		return fmt.Errorf("output directory %s holds Go source files (%s): write the report outside the source tree", dir, filepath.Base(src[0]))
	}
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output directory %s: %w", dir, err)
	}
	stage, err := os.MkdirTemp(dir, stagingPrefix)
	if err != nil {
		return fmt.Errorf("create staging directory in %s: %w", dir, err)
	}
	defer func() {
		os.RemoveAll(stage)
		if err != nil && created {
			os.Remove(dir) // only succeeds if empty
		}
	}()
	for _, f := range files {
		if f.name == "" || filepath.Base(f.name) != f.name || f.name[0] == '.' {
			return fmt.Errorf("output file name %q is not a plain file name", f.name)
		}
		if err := writeSynced(filepath.Join(stage, f.name), f.data); err != nil {
			return err
		}
	}
	// A directory in the way would stop the renames half-way.
	for _, f := range files {
		if st, err := os.Lstat(filepath.Join(dir, f.name)); err == nil && st.IsDir() {
			return fmt.Errorf("cannot write %s: it is a directory", filepath.Join(dir, f.name))
		}
	}
	renaming.Lock()
	defer renaming.Unlock()
	for _, f := range files {
		if err := os.Rename(filepath.Join(stage, f.name), filepath.Join(dir, f.name)); err != nil {
			return fmt.Errorf("move %s into place: %w", filepath.Join(dir, f.name), err)
		}
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// writeSynced creates path with data and syncs it to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}
