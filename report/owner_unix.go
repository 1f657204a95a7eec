//go:build unix

package report

import (
	"os"
	"syscall"
)

// fileGroup returns the group of fi.
func fileGroup(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Gid), true
}

// sameOwner reports whether a and b have the same owner and group.
func sameOwner(a, b os.FileInfo) bool {
	sa, okA := a.Sys().(*syscall.Stat_t)
	sb, okB := b.Sys().(*syscall.Stat_t)
	return okA && okB && sa.Uid == sb.Uid && sa.Gid == sb.Gid
}
