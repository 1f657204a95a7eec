//go:build !unix

package flock

import (
	"fmt"
	"os"
	"runtime"
)

// TryLock fails: the locks are implemented with flock, on Unix systems
// only.
func TryLock(f *os.File) (bool, error) {
	return false, fmt.Errorf("directory locks are not implemented on %s", runtime.GOOS)
}
