package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"fmnist/internal/flock"
)

// InUseError reports an output directory another report is writing.
type InUseError struct {
	Dir string
}

// Error names the directory.
func (e *InUseError) Error() string {
	return fmt.Sprintf("output directory %s is in use by another report, which is writing it now: wait for it to finish, or use another -out", e.Dir)
}

// LockOutDir takes the lock of the output directory dir at once or not at
// all: when another process holds it, the error is an *InUseError. A
// report holds it from before it clears stale staging directories until
// its files are in place, so two reports never remove each other's
// staging or mix their files.
//
// The lock is an OS lock (see package flock) on the file "."+name+".lock"
// beside dir (symbolic links followed), which outlives a report that
// replaces dir whole and stays there (removing it would let a third report
// lock a new file while a second waits on the old), and on dir itself when
// it exists. A report that cannot create or write the lock file (a
// read-only parent, another user's file) still locks it read-only if it
// exists, and dir; with neither, it fails. Holding both whenever it can,
// a report conflicts with any other that holds either. The operating
// system releases the locks when the process ends, however it ends.
//
// It creates dir's folder if missing, never dir itself, and refuses at
// once a dir that exists but is not a directory, a symbolic link to
// nothing, and a folder holding Go source files. unlock releases the lock.
// Where the OS has no flock (outside Unix), the report goes on unlocked.
func LockOutDir(dir string) (unlock func(), err error) {
	p, err := resolve(dir)
	if err != nil {
		return nil, err
	}
	if err := checkOutDir(dir, p); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(p.parent, 0o755); err != nil {
		return nil, fmt.Errorf("create the folder of output directory %s: %w", dir, err)
	}
	var held []*os.File
	release := func() {
		for _, f := range held {
			f.Close()
		}
	}
	f, fileErr := openLockFile(filepath.Join(p.parent, "."+p.base+".lock"))
	var candidates []*os.File
	if fileErr == nil {
		candidates = append(candidates, f)
	}
	if d, err := os.Open(p.dir); err == nil {
		candidates = append(candidates, d)
	}
	lockErr := fileErr
	for i, c := range candidates {
		ok, err := flock.TryLock(c)
		switch {
		case errors.Is(err, flock.ErrUnsupported):
			// No locks on this OS: write unlocked, as reports did before.
			for _, c := range candidates {
				c.Close()
			}
			return func() {}, nil
		case err != nil:
			// This one cannot be locked here (a folder on NFS, say): the
			// other may still be.
			c.Close()
			lockErr = err
		case !ok:
			for _, c := range candidates[i:] {
				c.Close()
			}
			release()
			return nil, &InUseError{Dir: dir}
		default:
			held = append(held, c)
		}
	}
	if len(held) == 0 {
		return nil, fmt.Errorf("lock output directory %s: %w", dir, lockErr)
	}
	return release, nil
}

// openLockFile opens the lock file at path, creating it readable by all
// (whatever the umask, so that every user's report can lock it), or
// read-only when it cannot be written; never blocking (on a FIFO there)
// and only if it is a regular file.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NONBLOCK, 0o644)
	if err == nil {
		_ = f.Chmod(0o644) // ours to set; another's is left as it is
	} else {
		f, err = os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, nil
}

// checkOutDir refuses, before any work, an output directory the report
// could not be written to.
func checkOutDir(dir string, p outPath) error {
	if lst, err := os.Lstat(p.dir); err == nil && lst.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("output directory %s is a symbolic link to nothing", dir)
	}
	st, err := os.Stat(p.dir)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("output directory %s is not a directory", dir)
	case err == nil:
		entries, _ := os.ReadDir(p.dir)
		for _, e := range entries {
			if filepath.Ext(e.Name()) == ".go" && e.Type().IsRegular() {
				return fmt.Errorf("output directory %s holds Go source files (%s): write the report outside the source tree", dir, e.Name())
			}
		}
	}
	return nil
}
