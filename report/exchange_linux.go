package report

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// canExchange reports whether the directory dir can be exchanged with one
// made in parent, its folder: both on one file system (dir is no mount
// point).
func canExchange(dir, parent string) bool {
	a, errA := os.Stat(dir)
	b, errB := os.Stat(parent)
	if errA != nil || errB != nil {
		return false
	}
	sa, okA := a.Sys().(*syscall.Stat_t)
	sb, okB := b.Sys().(*syscall.Stat_t)
	return okA && okB && sa.Dev == sb.Dev
}

// exchange swaps the directories a and b in one atomic rename; it returns
// errNoExchange when the file system cannot.
func exchange(a, b string) error {
	for {
		err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
			return errNoExchange
		}
		return err
	}
}
