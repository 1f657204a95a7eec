//go:build !linux

package report

// exchange returns errNoExchange: the atomic exchange of two directories
// is implemented on Linux only, and the report is moved file by file.
func exchange(a, b string) error { return errNoExchange }

// canExchange is false: see exchange.
func canExchange(dir, parent string) bool { return false }

// refused is false: no exchange is tried.
func refused(err error) bool { return false }
