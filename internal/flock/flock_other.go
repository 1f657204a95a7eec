//go:build !unix

package flock

import (
	"fmt"
	"os"
	"runtime"
)

// TryLock fails with ErrUnsupported: the locks are implemented with flock,
// on Unix systems only.
func TryLock(f *os.File) (bool, error) {
	return false, fmt.Errorf("%w on %s", ErrUnsupported, runtime.GOOS)
}
