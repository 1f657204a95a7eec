package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
// staging or mix their files. The lock is an OS lock (see package flock)
// on the file "."+name+".lock" beside dir (symbolic links followed), which
// outlives a report that replaces dir whole and stays there (removing it
// would let a third report lock a new file while a second waits on the
// old); when dir's folder is not writable, on dir itself. The operating
// system releases it when the process ends, however it ends. It creates
// dir's folder if missing, never dir itself, and refuses a dir that exists
// but is not a directory. unlock releases the lock. Where the OS has no
// flock (outside Unix), the report goes on unlocked.
func LockOutDir(dir string) (unlock func(), err error) {
	p, err := resolve(dir)
	if err != nil {
		return nil, err
	}
	st, statErr := os.Stat(p.dir)
	if statErr == nil && !st.IsDir() {
		return nil, fmt.Errorf("output directory %s is not a directory", dir)
	}
	if err := os.MkdirAll(p.parent, 0o755); err != nil {
		return nil, fmt.Errorf("create the folder of output directory %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(p.parent, "."+p.base+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) && statErr == nil {
		f, err = os.Open(p.dir) // a folder we cannot write: lock dir itself
	}
	if err != nil {
		return nil, fmt.Errorf("lock output directory %s: %w", dir, err)
	}
	held, err := flock.TryLock(f)
	if errors.Is(err, flock.ErrUnsupported) {
		// No locks on this OS: write unlocked, as reports did before.
		return func() { f.Close() }, nil
	}
	if err != nil || !held {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("lock output directory %s: %w", dir, err)
		}
		return nil, &InUseError{Dir: dir}
	}
	return func() { f.Close() }, nil
}
