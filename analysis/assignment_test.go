package analysis

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// twoLabels is an analysis of 4 images: label 0 with 2 sub-classes of
// sizes 2 and 1, label 1 with 1 sub-class of size 1.
func twoLabels() *Analysis {
	return &Analysis{Rows: 4, Subclasses: []Subclasses{
		{Label: 0, K: 2, Members: []int{2, 1}},
		{Label: 1, K: 1, Members: []int{1}},
	}}
}

func TestAssign(t *testing.T) {
	tests := []struct {
		name      string
		labels    []int
		partition []int
		want      []int // nil: an error containing err
		err       string
	}{
		{"ok", []int{0, 1, 0, 0}, []int{0, 2, 1, 0}, []int{0, 0, 1, 0}, ""},
		{"ID of another label", []int{0, 1, 0, 0}, []int{0, 1, 1, 0}, nil, "test image 1 (label 1) has sub-class ID 1"},
		{"unknown label", []int{0, 2, 0, 0}, []int{0, 2, 1, 0}, nil, "test image 1 (label 2)"},
		{"sizes differ", []int{0, 1, 0, 0}, []int{0, 2, 1, 1}, nil, "sub-class 0 of label 0 has 1 images, but 2 members"},
		{"lengths differ", []int{0, 1, 0}, []int{0, 2, 1, 0}, nil, "3 labels but 4 partition entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := assign(twoLabels(), tt.labels, tt.partition)
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Subclass, tt.want) || !slices.Equal(got.Labels, tt.labels) {
				t.Errorf("got %+v, want sub-classes %v", got, tt.want)
			}
		})
	}
}

func TestAssignmentRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), SubclassesFile)
	want := &Assignment{Labels: []int{0, 1, 0, 0}, Subclass: []int{0, 0, 1, 0}}
	raw, err := encodeAssignment(want.Labels, want.Subclass)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != "label,subclass\n0,0\n1,0\n0,1\n0,0\n" {
		t.Errorf("file %q", raw)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readAssignment(path, twoLabels())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Labels, want.Labels) || !slices.Equal(got.Subclass, want.Subclass) {
		t.Errorf("read %+v, wrote %+v", got, want)
	}
	if _, err := encodeAssignment([]int{0}, nil); err == nil {
		t.Error("encodeAssignment accepted 1 label and 0 sub-classes")
	}
}

func TestReadAssignmentBadInput(t *testing.T) {
	const header = "label,subclass\n"
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", "empty file, want a header row"},
		{"wrong header", "label,cluster\n0,0\n1,0\n0,1\n0,0\n", "line 1: header \"label,cluster\""},
		{"too few rows", header + "0,0\n1,0\n0,1\n", "3 rows, but analysis.json says 4"},
		{"truncated", header + "0,0\n1,0\n0,1\n0,", "line 5: no newline"},
		{"three columns", header + "0,0\n1,0,1\n0,1\n0,0\n", "line 3: 3 columns, want 2"},
		{"not a number", header + "0,0\n1,x\n0,1\n0,0\n", "line 3: \"1,x\" is not two integers"},
		{"label without sub-classes", header + "0,0\n7,0\n0,1\n0,0\n", "line 3: label 7 has no sub-classes"},
		{"sub-class too large", header + "0,0\n1,1\n0,1\n0,0\n", "line 3: sub-class 1 of label 1 outside 0..0"},
		{"negative sub-class", header + "0,-1\n1,0\n0,1\n0,0\n", "line 2: sub-class -1 of label 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), SubclassesFile)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := readAssignment(path, twoLabels())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want one naming %s and containing %q", err, path, tt.want)
			}
		})
	}
	if _, err := readAssignment(filepath.Join(t.TempDir(), "none.csv"), twoLabels()); !os.IsNotExist(err) {
		t.Errorf("missing file: %v, want a not-exist error", err)
	}
}

// TestAnalyseAssignment checks that the analysis's sub-class of each image
// agrees with its sub-class sizes.
func TestAnalyseAssignment(t *testing.T) {
	res, err := Analyse(readFixture(t), Options{Model: "A", Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Analysis.Subclasses {
		counts := make([]int, s.K)
		for i, l := range res.SubclassLabels {
			if l == s.Label {
				counts[res.Subclass[i]]++
			}
		}
		if !slices.Equal(counts, s.Members) {
			t.Errorf("label %d: subclasses.csv counts %v, analysis.json members %v", s.Label, counts, s.Members)
		}
	}
}
