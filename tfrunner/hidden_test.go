package tfrunner

import (
	"testing"

	"fmnist/graphs"
)

func TestHiddenLayer(t *testing.T) {
	tests := []struct {
		model *graphs.Model
		want  string
	}{
		{graphs.A(5), "dense"},
		{graphs.B(5), "dense"},
		{graphs.Default(5), ""}, // its encoding, the Flatten output, follows a convolution
	}
	for _, tt := range tests {
		if got := HiddenLayer(tt.model); got != tt.want {
			t.Errorf("HiddenLayer(%s) = %q, want %q", tt.model.Name, got, tt.want)
		}
	}
}
