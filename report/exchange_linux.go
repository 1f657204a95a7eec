package report

import (
	"errors"

	"golang.org/x/sys/unix"
)

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

// canExchange reports whether the directory dir can be exchanged with one
// made in parent, its folder: both on one mount (dir is no mount point,
// bind mounts included), by their mount IDs.
func canExchange(dir, parent string) bool {
	id := func(path string) (uint64, bool) {
		var st unix.Statx_t
		if err := unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_MNT_ID, &st); err != nil || st.Mask&unix.STATX_MNT_ID == 0 {
			return 0, false
		}
		return st.Mnt_id, true
	}
	a, okA := id(dir)
	b, okB := id(parent)
	return okA && okB && a == b
}

// isCrossDevice reports whether err says that a rename crossed mounts.
func isCrossDevice(err error) bool { return errors.Is(err, unix.EXDEV) }
