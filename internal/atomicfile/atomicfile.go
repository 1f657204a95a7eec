// Package atomicfile writes files so that readers never see a partial one:
// the content goes to a temporary file in the same directory, which is
// synced and then renamed over the destination.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Staged is a file written and synced under a temporary name in its
// destination's directory, not yet renamed into place: Commit renames it,
// Abort removes it. Several staged files let a caller write a group of
// files completely before it replaces any of them.
type Staged struct {
	path, tmp string
}

// TempPattern is the os.CreateTemp pattern of the temporary files made for
// a destination named base: "." + base + ".tmp-*".
func TempPattern(base string) string { return "." + base + ".tmp-*" }

// RemoveTemps removes from dir the temporary files that a writer of the
// destinations named bases, killed before it renamed them, left behind
// (regular files only). The caller must be the only writer of those files
// in dir, else it would remove another's work in progress. A missing dir
// is an error matching fs.ErrNotExist.
func RemoveTemps(dir string, bases []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		for _, base := range bases {
			if strings.HasPrefix(e.Name(), strings.TrimSuffix(TempPattern(base), "*")) {
				// Gone already is as good as removed.
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("remove a stale temporary file: %w", err)
				}
				break
			}
		}
	}
	return nil
}

// Stage writes the bytes that fill writes to a synced temporary file next
// to path. On any error nothing is left behind.
func Stage(path string, fill func(w io.Writer) error) (s *Staged, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPattern(base))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = fill(bw); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return nil, fmt.Errorf("sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", path, err)
	}
	return &Staged{path: path, tmp: tmp}, nil
}

// Commit renames the staged file over its destination and syncs the
// directory.
func (s *Staged) Commit() error {
	if err := os.Rename(s.tmp, s.path); err != nil {
		os.Remove(s.tmp)
		return fmt.Errorf("rename %s: %w", s.path, err)
	}
	SyncDir(filepath.Dir(s.path))
	return nil
}

// Abort removes the staged file; the destination is untouched.
func (s *Staged) Abort() {
	os.Remove(s.tmp)
}

// Write creates path atomically with the bytes that fill writes. On any
// error the destination is untouched and the temporary file is removed.
func Write(path string, fill func(w io.Writer) error) error {
	s, err := Stage(path, fill)
	if err != nil {
		return err
	}
	return s.Commit()
}

// WriteBytes creates path atomically with data.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SyncDir makes renames and removals in dir durable where the platform
// allows it.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
