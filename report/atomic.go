package report

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// insideStagingPrefix names the staging directories made inside an
// output directory that is not replaced whole (see writeOutputs).
const insideStagingPrefix = ".report-staging-"

// renaming is held while writeOutputs moves the staged report into place
// and removes the one it replaced, so that Interrupted never cuts that
// short.
var renaming sync.Mutex

// outPath is where a report goes: the output directory, by its real path
// (symbolic links followed, so that "." and a link to a folder work), and
// the folder holding it.
type outPath struct {
	dir, parent, base string
}

// resolve returns the outPath of the output directory dir.
func resolve(dir string) (outPath, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return outPath{}, fmt.Errorf("output directory %s: %w", dir, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	parent, base := filepath.Split(abs)
	if base == "" {
		return outPath{}, fmt.Errorf("output directory %s: the root cannot hold a report", dir)
	}
	return outPath{dir: abs, parent: filepath.Clean(parent), base: base}, nil
}

// stagingPrefix names the directories, beside the output directory, in
// which a report is staged: "." + base + ".staging-" and digits.
func (p outPath) stagingPrefix() string { return "." + p.base + ".staging-" }

// staging lists the staging directories of p: beside it, and inside it.
func (p outPath) staging() []string {
	var out []string
	for _, at := range []struct{ dir, prefix string }{{p.parent, p.stagingPrefix()}, {p.dir, insideStagingPrefix}} {
		entries, _ := os.ReadDir(at.dir)
		for _, e := range entries {
			rest, ok := strings.CutPrefix(e.Name(), at.prefix)
			if ok && e.IsDir() && rest != "" && strings.Trim(rest, "0123456789") == "" {
				out = append(out, filepath.Join(at.dir, e.Name()))
			}
		}
	}
	return out
}

// RemoveStaging removes the staging directories of the output directory
// dir that a report killed while writing left behind (beside dir, or
// inside it), and a replaced report not yet removed. The caller holds
// dir's lock (LockOutDir). It does what it can: a staging directory it
// may not remove (another user's) is left, as it harms no report.
func RemoveStaging(dir string) error {
	p, err := resolve(dir)
	if err != nil {
		return err
	}
	renaming.Lock()
	defer renaming.Unlock()
	p.removeStaging()
	return nil
}

// removeStaging removes p's staging directories, as far as it may; the
// caller holds renaming.
func (p outPath) removeStaging() {
	for _, s := range p.staging() {
		os.RemoveAll(s)
	}
}

// Interrupted is for a signal handler about to exit the process: it waits
// for any move of a report in progress to finish, removes this report's
// staging directories, and keeps every later move from starting (it never
// returns the hold), so that the process exits leaving dir as a whole
// report, old or new.
func Interrupted(dir string) {
	interrupted.Store(true)
	renaming.Lock()
	if p, err := resolve(dir); err == nil {
		p.removeStaging()
	}
}

// interrupted is set by Interrupted.
var interrupted atomic.Bool

// IsInterrupted reports whether Interrupted was called: an error the
// report meets afterwards (its staging removed under it) is the signal's
// doing, and the caller should leave the exit to the signal handler.
func IsInterrupted() bool { return interrupted.Load() }

// writeOutputs writes files as the report in dir so that no reader ever
// sees a half-written file, and an error leaves dir as it was (and creates
// no dir). keep names files of dir that belong to the new report without
// being rewritten (the analysis files a report made with -skip-analysis
// read); those that exist are kept whichever way the report is put in
// place. The files, and ContentsFile listing them and the kept ones, are
// written and synced in a staging directory, then:
//   - a missing dir: the staging directory, made beside it, is renamed to
//     dir;
//   - a dir holding only an earlier report's files (those its ContentsFile
//     lists), on Linux, on the same mount as its folder, both writable,
//     and not this process's working directory: the staging
//     directory, made beside it, and dir are exchanged in one atomic rename
//     (renameat2 RENAME_EXCHANGE), and the earlier report is removed. A
//     reader, or a kill at any moment, sees the old report or the new
//     one, never a mix; files of the old one that the new one does not
//     write (a sub-class that is gone) go with it, while files that appear
//     in the old folder meanwhile are moved into the new one;
//   - any other dir (files of the user's, a mount point, a folder or parent
//     that is not writable, another OS), or when the exchange is refused:
//     the staging directory is made inside dir
//     and each file is renamed into place, in order (put the page that
//     links the others last); other files are kept. A kill during these
//     renames can leave some files new and some old until the next report.
//
// A directory holding Go source files is refused: generated output stays
// out of the source tree.
func writeOutputs(dir string, files []outFile, keep []string) (err error) {
	p, err := resolve(dir)
	if err != nil {
		return err
	}
	if err := checkOutDir(dir, p); err != nil {
		return err
	}
	var contents bytes.Buffer
	for _, f := range files {
		if f.name == "" || filepath.Base(f.name) != f.name || f.name[0] == '.' || strings.ContainsAny(f.name, "\n\r") {
			return fmt.Errorf("output file name %q is not a plain file name", f.name)
		}
		contents.WriteString(f.name + "\n")
	}
	st, statErr := os.Stat(p.dir)
	switch {
	case statErr == nil && !st.IsDir():
		return fmt.Errorf("output directory %s is not a directory", dir)
	case statErr != nil && !errors.Is(statErr, os.ErrNotExist):
		return fmt.Errorf("output directory: %w", statErr)
	}
	exists := statErr == nil
	var kept []string // the files of keep that dir holds
	for _, name := range keep {
		if slices.ContainsFunc(files, func(f outFile) bool { return f.name == name }) {
			continue
		}
		if st, err := os.Lstat(filepath.Join(p.dir, name)); err == nil && st.Mode().IsRegular() {
			kept = append(kept, name)
			contents.WriteString(name + "\n")
		}
	}
	all := append(slices.Clone(files), outFile{ContentsFile, contents.Bytes()})
	whole := !exists || onlyReport(p.dir) && canExchange(p.dir, p.parent) && !holdsWorkingDir(p.dir)
	if whole {
		if !exists {
			if err := os.MkdirAll(p.parent, 0o755); err != nil {
				return fmt.Errorf("create the folder of output directory %s: %w", dir, err)
			}
		}
		switch err := replaceWhole(p, st, all, kept); {
		case err == nil:
			return nil
		case !errors.Is(err, errNoExchange) || !exists:
			return err
		}
	}
	return renameEach(p, all)
}

// replaceWhole stages all beside p.dir and puts it in place in one rename:
// a rename when dir does not exist (old is nil), an exchange when it does
// (the kept files linked in first, and the mode and group of old, dir's,
// given to the new folder). errNoExchange means that it changed nothing
// and that the files must go in one by one.
func replaceWhole(p outPath, old os.FileInfo, all []outFile, kept []string) (err error) {
	exists := old != nil
	stage, err := mkdirStaging(p.parent, p.stagingPrefix())
	if err != nil {
		if exists {
			return errNoExchange // a folder we cannot write: file by file
		}
		return fmt.Errorf("create a staging directory in %s: %w", p.parent, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(stage)
		}
	}()
	if err := writeAll(stage, all); err != nil {
		return err
	}
	for _, name := range kept {
		// Hard links (the same file system), so that the exchange carries
		// them into the new report; where they are refused (another user's
		// files), the files go in one by one instead.
		if err := os.Link(filepath.Join(p.dir, name), filepath.Join(stage, name)); err != nil {
			return errNoExchange
		}
	}
	if exists && !sameOwnerAndMode(stage, old) {
		return errNoExchange // the new folder could not be made like the old
	}
	syncDir(stage)
	renaming.Lock()
	defer renaming.Unlock()
	if !exists {
		if err := os.Rename(stage, p.dir); err != nil {
			return fmt.Errorf("move the report into place at %s: %w", p.dir, err)
		}
		syncDir(p.parent)
		return nil
	}
	if err := exchange(stage, p.dir); err != nil {
		if errors.Is(err, errNoExchange) || refused(err) {
			return errNoExchange
		}
		return fmt.Errorf("exchange %s with the new report: %w", p.dir, err)
	}
	syncDir(p.parent)
	if testHookExchanged != nil {
		testHookExchanged(stage)
	}
	// stage now holds the earlier report. Files that appeared in it since
	// onlyReport looked (another process writing there) join the new one;
	// then it goes. Failing to remove it leaves the new report in place,
	// and the next report removes it: not an error.
	// A late file never replaces one of the new report's. When one cannot
	// be moved (it has a new file's name, or the old list is gone and
	// nothing tells late files apart), the old folder is kept aside under
	// a name no report removes.
	listed := listedFiles(stage)
	entries, _ := os.ReadDir(stage)
	stranded := listed == nil
	for _, e := range entries {
		if listed == nil || listed[e.Name()] {
			continue
		}
		to := filepath.Join(p.dir, e.Name())
		if _, err := os.Lstat(to); !errors.Is(err, os.ErrNotExist) || os.Rename(filepath.Join(stage, e.Name()), to) != nil {
			stranded = true
		}
	}
	if stranded {
		aside := filepath.Join(p.parent, "."+p.base+".replaced"+strings.TrimPrefix(filepath.Base(stage), p.stagingPrefix()))
		if os.Rename(stage, aside) == nil {
			return nil
		}
	}
	os.RemoveAll(stage)
	return nil
}

// renameEach stages all inside p.dir, which exists, and renames each file
// into place, in order.
func renameEach(p outPath, all []outFile) (err error) {
	// A directory in the way would stop the renames half-way.
	for _, f := range all {
		if st, err := os.Lstat(filepath.Join(p.dir, f.name)); err == nil && st.IsDir() {
			return fmt.Errorf("cannot write %s: it is a directory", filepath.Join(p.dir, f.name))
		}
	}
	stage, err := mkdirStaging(p.dir, insideStagingPrefix)
	if err != nil {
		return fmt.Errorf("create a staging directory in %s: %w", p.dir, err)
	}
	defer os.RemoveAll(stage)
	if err := writeAll(stage, all); err != nil {
		return err
	}
	renaming.Lock()
	defer renaming.Unlock()
	for _, f := range all {
		if err := os.Rename(filepath.Join(stage, f.name), filepath.Join(p.dir, f.name)); err != nil {
			return fmt.Errorf("move %s into place: %w", filepath.Join(p.dir, f.name), err)
		}
	}
	syncDir(p.dir)
	return nil
}

// mkdirStaging makes a new directory in dir named prefix and random
// digits, with mode 0777 less the umask and the group and setgid bit dir
// passes on, as os.Mkdir gives (os.MkdirTemp would make it 0700).
func mkdirStaging(dir, prefix string) (string, error) {
	for range 100 {
		path := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		err := os.Mkdir(path, 0o777)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("create a staging directory in %s: %w", dir, err)
		}
	}
	return "", fmt.Errorf("create a staging directory in %s: too many names taken", dir)
}

// sameOwnerAndMode gives the directory stage the mode (setgid and sticky
// bits included) and group of old, and reports whether stage then has
// old's owner, group and mode.
func sameOwnerAndMode(stage string, old os.FileInfo) bool {
	if gid, ok := fileGroup(old); ok {
		os.Lchown(stage, -1, gid)
	}
	mode := old.Mode() & (os.ModePerm | os.ModeSetgid | os.ModeSticky)
	if os.Chmod(stage, mode) != nil {
		return false
	}
	st, err := os.Stat(stage)
	if err != nil || st.Mode()&(os.ModePerm|os.ModeSetgid|os.ModeSticky) != mode {
		return false
	}
	return sameOwner(st, old)
}

// writeAll writes and syncs every file into dir.
func writeAll(dir string, all []outFile) error {
	for _, f := range all {
		if err := writeSynced(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

// listedFiles returns the names dir's ContentsFile lists, and
// ContentsFile; nil when it has none.
func listedFiles(dir string) map[string]bool {
	data, err := os.ReadFile(filepath.Join(dir, ContentsFile))
	if err != nil {
		return nil
	}
	listed := map[string]bool{ContentsFile: true}
	for _, name := range strings.Split(string(data), "\n") {
		if name != "" {
			listed[name] = true
		}
	}
	return listed
}

// onlyReport reports whether dir holds a report's files and nothing else:
// every entry is ContentsFile, a regular file it lists, or a staging
// directory of an earlier report.
func onlyReport(dir string) bool {
	if st, err := os.Lstat(filepath.Join(dir, ContentsFile)); err != nil || !st.Mode().IsRegular() {
		return false
	}
	listed := listedFiles(dir)
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

// holdsWorkingDir reports whether this process works in dir or below it:
// replacing dir whole would pull the working directory away.
func holdsWorkingDir(dir string) bool {
	wd, err := os.Getwd()
	if err != nil {
		return true
	}
	if real, err := filepath.EvalSymlinks(wd); err == nil {
		wd = real
	}
	rel, err := filepath.Rel(dir, wd)
	outside := rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
	return err != nil || !outside
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

// testHookExchanged, when set by a test, is called right after an
// exchange with the path that now holds the earlier report.
var testHookExchanged func(old string)

// errNoExchange says that two directories cannot be exchanged atomically
// here.
var errNoExchange = errors.New("atomic directory exchange not supported")
