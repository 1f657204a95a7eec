package dataset

import (
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	if n := Names(5); len(n) != 5 || n[4] != "Dress/Coat/Ankle boot" {
		t.Errorf("Names(5) = %v", n)
	}
	if n := Names(10); len(n) != 10 || n[9] != "Ankle boot" {
		t.Errorf("Names(10) = %v", n)
	}
	if Names(3) != nil {
		t.Error("Names(3) != nil")
	}
	// Every group holds at least one class, and the names agree.
	var seen [5]bool
	for _, g := range Grouping {
		seen[g] = true
	}
	if slices.Contains(seen[:], false) {
		t.Errorf("Grouping %v leaves a group empty", Grouping)
	}
}
