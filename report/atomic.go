package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// outFile is one file of the report, held in memory until all are made.
type outFile struct {
	name string // base name inside the output directory
	data []byte
}

// ContentsFile, in a report's output directory, lists the files the report
// wrote, one name per line. A directory holding nothing else is replaced
// whole by the next report (see writeOutputs).
const ContentsFile = ".fmnist-report"

// beside returns the folder holding the output directory dir and dir's
// name in it, from dir's absolute path (so that "." works too).
func beside(dir string) (parent, base string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("output directory %s: %w", dir, err)
	}
	parent, base = filepath.Split(abs)
	if base == "" {
		return "", "", fmt.Errorf("output directory %s: the root cannot hold a report", dir)
	}
	return filepath.Clean(parent), base, nil
}

// stagingPattern names the directories, beside the output directory
// named base, in which a report is staged.
func stagingPattern(base string) string { return "." + base + ".staging-*" }

// insideStagingPrefix names the staging directories made inside an
// output directory that cannot be exchanged (see writeOutputs).
const insideStagingPrefix = ".report-staging-"

// renaming is held while writeOutputs moves the staged report into place
// and removes the one it replaced, so that RemoveStaging (called on SIGINT
// or SIGTERM) never cuts that short.
var renaming sync.Mutex

// RemoveStaging removes the staging directories of the output directory
// dir (beside it, and inside it from older versions) that a report killed
// while writing left behind, and a replaced report not yet removed; on a
// signal, this process's own, after any move in progress in this process
// has finished. The caller holds dir's lock (LockOutDir). Missing
// directories are not an error.
func RemoveStaging(dir string) error {
	renaming.Lock()
	defer renaming.Unlock()
	parent, base, err := beside(dir)
	if err != nil {
		return err
	}
	next, err := filepath.Glob(filepath.Join(parent, stagingPattern(base)))
	if err != nil {
		return fmt.Errorf("remove stale staging directories: %w", err)
	}
	inside, _ := filepath.Glob(filepath.Join(dir, insideStagingPrefix+"*"))
	for _, p := range append(next, inside...) {
		if st, err := os.Lstat(p); err != nil || !st.IsDir() {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("remove a stale staging directory: %w", err)
		}
	}
	return nil
}

// writeOutputs writes files as the report in dir so that no reader ever
// sees a half-written file, and an error leaves dir as it was (and creates
// no dir). keep names files of dir that belong to the new report without
// being rewritten (the analysis files a report made with -skip-analysis
// read); those that exist are kept whichever way the report is put in
// place. Every file, and ContentsFile listing them and the kept ones, is
// first written and synced in a staging directory beside dir. Then:
//   - a missing dir: the staging directory is renamed to dir;
//   - a dir holding only an earlier report's files (those its ContentsFile
//     lists): the two directories are exchanged in one atomic rename
//     (renameat2 RENAME_EXCHANGE, Linux), and the earlier report is
//     removed. A reader, or a kill at any moment, sees the old report or
//     the new one, never a mix, and files of the old one that the new one
//     does not write (a sub-class that is gone) go with it;
//   - any other dir (files of the user's, a file system or an OS without
//     the exchange): each file is renamed into dir, in order (put the page
//     that links the others last), and other files are kept. A kill during
//     these renames can leave some files new and some old until the next
//     report.
//
// The staging directory is made inside dir instead when the exchange
// cannot work there. A directory holding Go source files is refused:
// generated output stays out of the source tree.
func writeOutputs(dir string, files []outFile, keep []string) (err error) {
	if src, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(src) > 0 {
		return fmt.Errorf("output directory %s holds Go source files (%s): write the report outside the source tree", dir, filepath.Base(src[0]))
	}
	var contents bytes.Buffer
	for _, f := range files {
		if f.name == "" || filepath.Base(f.name) != f.name || f.name[0] == '.' {
			return fmt.Errorf("output file name %q is not a plain file name", f.name)
		}
		contents.WriteString(f.name + "\n")
	}
	var kept []string // the files of keep that dir holds
	for _, name := range keep {
		if slices.ContainsFunc(files, func(f outFile) bool { return f.name == name }) {
			continue
		}
		if st, err := os.Lstat(filepath.Join(dir, name)); err == nil && st.Mode().IsRegular() {
			kept = append(kept, name)
			contents.WriteString(name + "\n")
		}
	}
	parent, base, err := beside(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create the folder of output directory %s: %w", dir, err)
	}
	// Staged beside dir, unless dir exists and cannot be exchanged (another
	// OS, or a mount point: another file system than its folder's); then
	// inside it, for the renames file by file.
	stageIn, pattern := parent, stagingPattern(base)
	if st, err := os.Stat(dir); err == nil && st.IsDir() && !canExchange(dir, parent) {
		stageIn, pattern = dir, insideStagingPrefix+"*"
	}
	stage, err := os.MkdirTemp(stageIn, pattern)
	if err != nil {
		return fmt.Errorf("create a staging directory in %s: %w", stageIn, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	all := append(slices.Clone(files), outFile{ContentsFile, contents.Bytes()})
	for _, f := range all {
		if err := writeSynced(filepath.Join(stage, f.name), f.data); err != nil {
			return err
		}
	}
	syncDir(stage)
	renaming.Lock()
	defer renaming.Unlock()
	st, statErr := os.Lstat(dir)
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		if err := os.Rename(stage, dir); err != nil {
			return fmt.Errorf("move the report into place at %s: %w", dir, err)
		}
		syncDir(parent)
		return nil
	case statErr != nil:
		return fmt.Errorf("output directory: %w", statErr)
	case !st.IsDir():
		return fmt.Errorf("output directory %s is not a directory", dir)
	}
	if stageIn == parent && onlyReport(dir) {
		// The kept files go along: hard links (the same file system), so
		// that the exchange carries them into the new report.
		for _, name := range kept {
			if err := os.Link(filepath.Join(dir, name), filepath.Join(stage, name)); err != nil {
				return fmt.Errorf("keep %s in the new report: %w", filepath.Join(dir, name), err)
			}
		}
		switch err := exchange(stage, dir); {
		case err == nil:
			syncDir(parent)
			// stage now holds the earlier report.
			if err := os.RemoveAll(stage); err != nil {
				return fmt.Errorf("remove the replaced report (now %s): %w", stage, err)
			}
			return nil
		case !errors.Is(err, errNoExchange):
			return fmt.Errorf("exchange %s with the new report: %w", dir, err)
		}
	}
	// File by file; kept files stay where they are (linked into the stage
	// above only if the exchange was tried, and removed with it). A
	// directory in the way would stop the renames half-way.
	for _, name := range kept {
		os.Remove(filepath.Join(stage, name))
	}
	for _, f := range all {
		if st, err := os.Lstat(filepath.Join(dir, f.name)); err == nil && st.IsDir() {
			return fmt.Errorf("cannot write %s: it is a directory", filepath.Join(dir, f.name))
		}
	}
	for _, f := range all {
		if err := os.Rename(filepath.Join(stage, f.name), filepath.Join(dir, f.name)); err != nil {
			return fmt.Errorf("move %s into place: %w", filepath.Join(dir, f.name), err)
		}
	}
	syncDir(dir)
	if err := os.Remove(stage); err != nil {
		return fmt.Errorf("remove the staging directory %s: %w", stage, err)
	}
	return nil
}

// onlyReport reports whether dir holds a report's files and nothing else:
// every entry is ContentsFile, a regular file it lists, or an old staging
// directory.
func onlyReport(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, ContentsFile))
	if err != nil {
		return false
	}
	listed := map[string]bool{ContentsFile: true}
	for _, name := range strings.Split(string(data), "\n") {
		listed[name] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		switch {
		case e.IsDir() && strings.HasPrefix(e.Name(), insideStagingPrefix):
		case !listed[e.Name()] || !e.Type().IsRegular():
			return false
		}
	}
	return true
}

// syncDir syncs a directory's entries to disk, as far as it can.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// writeSynced creates path with data and syncs it to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// errNoExchange says that two directories cannot be exchanged atomically
// here.
var errNoExchange = errors.New("atomic directory exchange not supported")
