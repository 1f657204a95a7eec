package flock

import "errors"

// ErrUnsupported is the error TryLock wraps where the operating system has
// no flock (outside Unix).
var ErrUnsupported = errors.New("file locks are not implemented")
