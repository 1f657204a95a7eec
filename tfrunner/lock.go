package tfrunner

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fmnist/internal/flock"
)

// LockFile is the file in a run directory that the training writing it
// holds locked; it records the holder's process ID.
const LockFile = ".lock"

// RunLock is a held run-directory lock.
type RunLock struct {
	f *os.File
}

// InUseError reports a run directory locked by another process.
type InUseError struct {
	Dir string
	PID int // the holder's process ID; 0 when it could not be read
}

// Error names the directory and the other process.
func (e *InUseError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("run directory %s is in use by %s (another training writes it): wait for it to finish, stop it, or use another -out", e.Dir, who)
}

// LockRunDir takes dir's lock, an exclusive OS lock on dir/.lock, at once
// or not at all: when another process holds it, the error is an
// *InUseError naming the directory and that process. The operating system
// releases the lock when the process ends, however it ends (SIGKILL
// included), so no stale lock is ever left behind. dir must exist.
func LockRunDir(dir string) (*RunLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock run directory: %w", err)
	}
	held, err := flock.TryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock run directory %s: %w", dir, err)
	}
	if !held {
		pid := readPID(f)
		f.Close()
		return nil, &InUseError{Dir: dir, PID: pid}
	}
	// The process ID is a hint for InUseError only: failing to record it
	// (a full disk) leaves the lock as good, and is not an error.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &RunLock{f: f}, nil
}

// Unlock releases the lock. The lock file stays: removing it would let a
// third process lock a new file while a second one waits on the old.
func (l *RunLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// readPID reads the process ID recorded in a lock file; 0 if none.
func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		return 0
	}
	return pid
}
