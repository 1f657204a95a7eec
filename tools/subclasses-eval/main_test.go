package main

import (
	"testing"

	"fmnist/cluster"
)

func TestAllFound(t *testing.T) {
	sub := func(class int, purity float64) cluster.Subclass {
		return cluster.Subclass{Classes: []cluster.ClassCount{{Class: class, Count: 1}}, Purity: purity}
	}
	tests := []struct {
		name string
		l    cluster.LabelSubclasses
		want bool
	}{
		// Label 3 merges Sneaker (7) and Bag (8).
		{"both majorities", cluster.LabelSubclasses{Label: 3, Subclasses: []cluster.Subclass{sub(7, 0.99), sub(8, 0.6)}}, true},
		{"one below 60%", cluster.LabelSubclasses{Label: 3, Subclasses: []cluster.Subclass{sub(7, 0.99), sub(8, 0.59)}}, false},
		{"one mixed group", cluster.LabelSubclasses{Label: 3, Subclasses: []cluster.Subclass{sub(7, 0.5)}}, false},
		{"a class twice, the other missing", cluster.LabelSubclasses{Label: 3, Subclasses: []cluster.Subclass{sub(8, 1), sub(8, 1)}}, false},
		// Label 1 holds Sandal (5) only: found by any pure enough sub-class.
		{"single class split", cluster.LabelSubclasses{Label: 1, Subclasses: []cluster.Subclass{sub(5, 1), sub(5, 1)}}, true},
	}
	for _, tt := range tests {
		if got := allFound(tt.l); got != tt.want {
			t.Errorf("%s: allFound = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRatioList(t *testing.T) {
	if got := ratioList([]float64{1.234, 2}); got != "1.23, 2.00" {
		t.Errorf("ratioList = %q", got)
	}
}
