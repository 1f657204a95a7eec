package tboard

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	summarypb "github.com/wamuir/graft/tensorflow/core/framework/summary_go_proto"
	eventpb "github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
	"google.golang.org/protobuf/proto"
)

// FileVersion is the file_version of an event file's first event, as
// TensorFlow's writers put it.
const FileVersion = "brain.Event:2"

// eventPrefix starts every event file's name; TensorBoard looks for
// "tfevents" in it.
const eventPrefix = "events.out.tfevents."

// Scalar is one scalar summary value of an event file.
type Scalar struct {
	Tag      string
	Step     int64
	Value    float32 // TensorBoard's simple_value is a float32
	WallTime float64 // seconds since the Unix epoch
}

type point struct {
	tag  string
	step int64
}

// Writer appends scalar events to a new event file in one log directory
// (a TensorBoard "run"). Each event is written with a single write, so a
// process killed at any moment leaves at most one record cut short at the
// end, which TensorBoard and ReadScalars stop before.
type Writer struct {
	f    *os.File
	path string
	seen map[point]bool // (tag, step) already in the directory's files
	// hasGraph is set once the directory holds a graph.
	hasGraph bool
}

var fileSeq atomic.Int64

// Create opens a new event file in dir (created if needed). With keep
// false the directory's existing event files are removed first (a fresh
// run); with keep true they are kept (a resumed run), a record cut short at
// the end of one is cut off, and Scalar skips every (tag, step) they already
// hold, so that replayed steps are not logged twice.
func Create(dir string, keep bool) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard log: %w", err)
	}
	files, err := eventFiles(dir)
	if err != nil {
		return nil, err
	}
	w := &Writer{seen: map[point]bool{}}
	for _, path := range files {
		if !keep {
			if err := os.Remove(path); err != nil {
				return nil, fmt.Errorf("tensorboard log: %w", err)
			}
			continue
		}
		c, err := readFile(path, true)
		if err != nil {
			return nil, err
		}
		for _, s := range c.scalars {
			w.seen[point{s.Tag, s.Step}] = true
		}
		w.hasGraph = w.hasGraph || c.graph != nil
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	now := time.Now()
	stamp := now.Unix()
	if keep && len(files) > 0 {
		// TensorBoard reads a run's files in name order: the new one must
		// sort after the kept ones even within the same second.
		if last := lastStamp(files[len(files)-1]); stamp <= last {
			stamp = last + 1
		}
	}
	name := fmt.Sprintf("%s%d.%s.%d.%d.v2", eventPrefix, stamp, host, os.Getpid(), fileSeq.Add(1))
	w.path = filepath.Join(dir, name)
	w.f, err = os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("tensorboard log: %w", err)
	}
	first := &eventpb.Event{WallTime: wallTime(now), What: &eventpb.Event_FileVersion{FileVersion: FileVersion}}
	if err := w.write(first); err != nil {
		w.f.Close()
		os.Remove(w.path)
		return nil, err
	}
	return w, nil
}

// Path is the event file being written.
func (w *Writer) Path() string { return w.path }

// Scalar logs value under tag at step, unless the directory already holds
// that (tag, step).
func (w *Writer) Scalar(tag string, step int64, value float64) error {
	p := point{tag, step}
	if w.seen[p] {
		return nil
	}
	ev := &eventpb.Event{
		WallTime: wallTime(time.Now()),
		Step:     step,
		What: &eventpb.Event_Summary{Summary: &summarypb.Summary{Value: []*summarypb.Summary_Value{{
			Tag:   tag,
			Value: &summarypb.Summary_Value_SimpleValue{SimpleValue: float32(value)},
		}}}},
	}
	if err := w.write(ev); err != nil {
		return err
	}
	w.seen[p] = true
	return nil
}

func (w *Writer) write(ev *eventpb.Event) error {
	data, err := proto.Marshal(ev)
	if err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	if err := writeRecord(w.f, data); err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	return nil
}

// Flush syncs the event file to disk.
func (w *Writer) Flush() error {
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	return nil
}

// Close syncs and closes the event file.
func (w *Writer) Close() error {
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	return nil
}

func wallTime(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// eventFiles lists dir's event files in name order (the order TensorBoard
// reads them in); a missing dir has none.
func eventFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tensorboard log: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), eventPrefix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// lastStamp is the Unix time in an event file's name
// (events.out.tfevents.<time>.…), or 0.
func lastStamp(path string) int64 {
	rest := strings.TrimPrefix(filepath.Base(path), eventPrefix)
	digits, _, _ := strings.Cut(rest, ".")
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// ReadScalars returns the scalar values of every event file in dir, file
// after file in name order. A record cut short at the end of a file (a
// writer killed mid-write) ends that file's values; any other damage is an
// error naming the file and byte offset.
func ReadScalars(dir string) ([]Scalar, error) {
	c, err := readDir(dir)
	return c.scalars, err
}

// readDir reads every event file of dir in name order: all their scalars
// and the last graph.
func readDir(dir string) (content, error) {
	var all content
	files, err := eventFiles(dir)
	if err != nil {
		return all, err
	}
	for _, path := range files {
		c, err := readFile(path, false)
		if err != nil {
			return content{}, err
		}
		all.scalars = append(all.scalars, c.scalars...)
		if c.graph != nil {
			all.graph = c.graph
		}
	}
	return all, nil
}

// content is what readFile finds in one event file.
type content struct {
	scalars []Scalar
	graph   []byte // the last serialized GraphDef, or nil
}

// readFile decodes one event file's scalars and graph; with repair, a
// record cut short at its end is truncated away.
func readFile(path string, repair bool) (content, error) {
	var c content
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("tensorboard log: %w", err)
	}
	records, valid, err := splitRecords(data)
	if errors.Is(err, errTorn) {
		if repair {
			if err := os.Truncate(path, int64(valid)); err != nil {
				return c, fmt.Errorf("tensorboard log: %w", err)
			}
		}
	} else if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	for i, rec := range records {
		var ev eventpb.Event
		if err := proto.Unmarshal(rec, &ev); err != nil {
			return c, fmt.Errorf("%s: event %d: %w", path, i, err)
		}
		if i == 0 && ev.GetFileVersion() == "" {
			return c, fmt.Errorf("%s: first event has no file_version", path)
		}
		if g := ev.GetGraphDef(); g != nil {
			c.graph = g
		}
		for _, v := range ev.GetSummary().GetValue() {
			if sv, ok := v.GetValue().(*summarypb.Summary_Value_SimpleValue); ok {
				c.scalars = append(c.scalars, Scalar{Tag: v.GetTag(), Step: ev.GetStep(), Value: sv.SimpleValue, WallTime: ev.GetWallTime()})
			}
		}
	}
	return c, nil
}
