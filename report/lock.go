package report

import (
	"errors"
	"fmt"
	"os"

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

// LockOutDir takes the lock of the output directory dir, creating dir if
// it is missing, at once or not at all: when another process holds it, the
// error is an *InUseError. A report holds it from before it clears stale
// staging directories until its files are in place, so two reports never
// remove each other's staging or mix their files. The lock is on the
// directory itself (see package flock), so it leaves no file behind, and
// the operating system releases it when the process ends, however it ends.
// unlock releases it and removes dir again if LockOutDir created it and it
// is still empty (the report failed).
func LockOutDir(dir string) (unlock func(), err error) {
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory %s: %w", dir, err)
	}
	removeCreated := func() {
		if created {
			os.Remove(dir) // only succeeds if empty
		}
	}
	f, err := os.Open(dir)
	if err != nil {
		removeCreated()
		return nil, fmt.Errorf("lock output directory %s: %w", dir, err)
	}
	held, err := flock.TryLock(f)
	if err != nil || !held {
		f.Close()
		removeCreated()
		if err != nil {
			return nil, fmt.Errorf("lock output directory %s: %w", dir, err)
		}
		return nil, &InUseError{Dir: dir}
	}
	return func() {
		removeCreated()
		f.Close()
	}, nil
}
