package analysis

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"

	"fmnist/internal/atomicfile"
)

// Assignment gives each test image the sub-class it was put in: its true
// label and the index of its sub-class among that label's sub-classes
// (Analysis.Subclasses[label]), as subclasses.csv stores them.
type Assignment struct {
	Labels   []int // true label of each test image
	Subclass []int // index of each image's sub-class within its label
}

// assign turns the flat (label, sub-class) partition of sub-class
// discovery, whose IDs number the sub-classes label after label in the
// order of a.Subclasses, into per-label indices, and checks them against
// the sub-class sizes of a.
func assign(a *Analysis, labels, partition []int) (*Assignment, error) {
	if len(labels) != len(partition) {
		return nil, fmt.Errorf("sub-class assignment: %d labels but %d partition entries", len(labels), len(partition))
	}
	first := map[int]int{} // label -> ID of its sub-class 0
	k := map[int]int{}
	counts := map[int][]int{}
	id := 0
	for _, s := range a.Subclasses {
		first[s.Label], k[s.Label], counts[s.Label] = id, s.K, make([]int, s.K)
		id += s.K
	}
	out := &Assignment{Labels: labels, Subclass: make([]int, len(labels))}
	for i, l := range labels {
		local := partition[i] - first[l]
		if _, ok := k[l]; !ok || local < 0 || local >= k[l] {
			return nil, fmt.Errorf("sub-class assignment: test image %d (label %d) has sub-class ID %d, outside its label's", i, l, partition[i])
		}
		out.Subclass[i] = local
		counts[l][local]++
	}
	for _, s := range a.Subclasses {
		for j, n := range counts[s.Label] {
			if n != s.Members[j] {
				return nil, fmt.Errorf("sub-class assignment: sub-class %d of label %d has %d images, but %d members", j, s.Label, n, s.Members[j])
			}
		}
	}
	return out, nil
}

// WriteAssignment writes subclasses.csv atomically: the header
// "label,subclass", then one row per test image.
func WriteAssignment(path string, as *Assignment) error {
	if len(as.Labels) != len(as.Subclass) {
		return fmt.Errorf("write %s: %d labels but %d sub-classes", path, len(as.Labels), len(as.Subclass))
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		buf := []byte("label,subclass\n")
		for i, l := range as.Labels {
			buf = strconv.AppendInt(buf, int64(l), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(as.Subclass[i]), 10)
			buf = append(buf, '\n')
		}
		_, err := w.Write(buf)
		return err
	})
}

// ReadAssignment reads subclasses.csv as WriteAssignment wrote it for a,
// which must hold rows rows and, for each label, a sub-class index below
// that label's k in a.Subclasses. Errors name the file and the 1-based
// line; a missing file gives an error wrapping [os.ErrNotExist].
func ReadAssignment(path string, a *Analysis) (*Assignment, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := splitLines(raw)
	if len(lines) < 1 || string(lines[0]) != "label,subclass" {
		first := ""
		if len(lines) > 0 {
			first = string(lines[0])
		}
		return nil, fmt.Errorf("%s line 1: header %q, want \"label,subclass\"", path, first)
	}
	if err := checkTruncated(path, raw, len(lines)); err != nil {
		return nil, err
	}
	if len(lines)-1 != a.Rows {
		return nil, fmt.Errorf("%s: %d rows, but %s says %d", path, len(lines)-1, File, a.Rows)
	}
	k := map[int]int{}
	for _, s := range a.Subclasses {
		k[s.Label] = s.K
	}
	out := &Assignment{Labels: make([]int, a.Rows), Subclass: make([]int, a.Rows)}
	for i, line := range lines[1:] {
		fields := bytes.Split(line, []byte{','})
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s line %d: %d columns, want 2", path, i+2, len(fields))
		}
		l, err1 := strconv.Atoi(string(fields[0]))
		s, err2 := strconv.Atoi(string(fields[1]))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s line %d: %q is not two integers", path, i+2, line)
		}
		kl, ok := k[l]
		if !ok {
			return nil, fmt.Errorf("%s line %d: label %d has no sub-classes in %s", path, i+2, l, File)
		}
		if s < 0 || s >= kl {
			return nil, fmt.Errorf("%s line %d: sub-class %d of label %d outside 0..%d", path, i+2, s, l, kl-1)
		}
		out.Labels[i], out.Subclass[i] = l, s
	}
	return out, nil
}
