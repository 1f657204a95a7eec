//go:build !unix

package tfrunner

import (
	"fmt"
	"os"
	"runtime"
)

// tryLock fails: run-directory locks are implemented with flock, on Unix
// systems only.
func tryLock(f *os.File) (bool, error) {
	return false, fmt.Errorf("run-directory locks are not implemented on %s", runtime.GOOS)
}
