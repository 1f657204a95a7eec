package tfrunner

import (
	"strings"
	"testing"

	"fmnist/graphs"
)

func TestModelGraph(t *testing.T) {
	m, err := graphs.ByName("A", 5)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := modelGraph(m)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, n := range nodes {
		if names[n.Name] {
			t.Errorf("node %s twice", n.Name)
		}
		names[n.Name] = true
		for _, in := range n.Inputs {
			if !names[in] {
				t.Errorf("node %s reads %s before it is defined", n.Name, in)
			}
		}
	}
	if !names["input"] || !names["dense_2/Softmax"] {
		t.Errorf("graph lacks the input or the softmax: %d nodes", len(nodes))
	}
	// A model whose shapes do not work out is an error, not an empty graph.
	if _, err := modelGraph(&graphs.Model{Name: "broken"}); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("modelGraph of a model without input: %v, want an error naming it", err)
	}
}
