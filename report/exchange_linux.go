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
// made in parent, its folder: both writable, and on one mount (dir is no
// mount point, bind mounts included), by their mount IDs, or by their
// devices where the kernel gives no mount ID (before Linux 5.8); a bind
// mount it misses then fails the exchange with EXDEV, and the files go in
// one by one.
func canExchange(dir, parent string) bool {
	if unix.Access(dir, unix.W_OK) != nil || unix.Access(parent, unix.W_OK) != nil {
		return false
	}
	id := func(path string) (mnt, dev uint64, ok bool) {
		var st unix.Statx_t
		if err := unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_MNT_ID, &st); err != nil {
			return 0, 0, false
		}
		dev = uint64(st.Dev_major)<<32 | uint64(st.Dev_minor)
		if st.Mask&unix.STATX_MNT_ID == 0 {
			return 0, dev, true
		}
		return st.Mnt_id, dev, true
	}
	ma, da, okA := id(dir)
	mb, db, okB := id(parent)
	return okA && okB && ma == mb && da == db
}

// refused reports whether err says that the file system or the
// permissions refuse an exchange that the renames one by one may still
// manage.
func refused(err error) bool {
	return errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.EBUSY)
}
