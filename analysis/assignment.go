package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"fmnist/internal/textfile"
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

// readAssignment reads subclasses.csv, path, for a, which must hold
// a.Rows rows and, for each label, a sub-class index below that label's k
// in a.Subclasses. A missing file gives an error wrapping [fs.ErrNotExist].
func readAssignment(path string, a *Analysis) (*Assignment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := textfile.NewReader(f, path)
	header, err := r.Header()
	if err != nil {
		return nil, err
	}
	if string(header) != "label,subclass" {
		return nil, fmt.Errorf("%s line 1: header %q, want \"label,subclass\"", path, textfile.Clip(string(header)))
	}
	k := map[int]int{}
	for _, s := range a.Subclasses {
		k[s.Label] = s.K
	}
	out := &Assignment{}
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		fields := bytes.Split(line, []byte{','})
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s line %d: %d columns, want 2", path, r.Line(), len(fields))
		}
		l, err1 := strconv.Atoi(string(fields[0]))
		s, err2 := strconv.Atoi(string(fields[1]))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s line %d: %q is not two integers", path, r.Line(), line)
		}
		kl, ok := k[l]
		if !ok {
			return nil, fmt.Errorf("%s line %d: label %d has no sub-classes in %s", path, r.Line(), l, File)
		}
		if s < 0 || s >= kl {
			return nil, fmt.Errorf("%s line %d: sub-class %d of label %d outside 0..%d", path, r.Line(), s, l, kl-1)
		}
		out.Labels = append(out.Labels, l)
		out.Subclass = append(out.Subclass, s)
	}
	if len(out.Labels) != a.Rows {
		return nil, fmt.Errorf("%s: %d rows, but %s says %d", path, len(out.Labels), File, a.Rows)
	}
	return out, nil
}
