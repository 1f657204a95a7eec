// Package flock takes exclusive advisory locks on open files with flock(2),
// at once or not at all. The operating system releases a lock when its file
// is closed or its process ends, however it ends (SIGKILL included), so no
// stale lock outlives its holder. Two opens of one file, even in one
// process, exclude each other. A directory opened with os.Open can be
// locked too, which leaves no lock file behind.
package flock
