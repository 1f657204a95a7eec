package report

import (
	"fmt"
	"strings"
	"testing"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// history builds epochs from (training loss, validation loss) pairs.
func history(pairs ...[2]float64) []tfrunner.Epoch {
	var out []tfrunner.Epoch
	for i, p := range pairs {
		out = append(out, tfrunner.Epoch{Epoch: i + 1, Loss: p[0], ValLoss: p[1]})
	}
	return out
}

func TestDetectOverfitting(t *testing.T) {
	tests := []struct {
		name     string
		epochs   []tfrunner.Epoch
		detected bool
		best     int
		from     int
		says     string
	}{
		{"empty", nil, false, 0, 0, "no history"},
		{"one epoch", history([2]float64{0.5, 0.4}), false, 1, 0, "lowest at the last epoch"},
		{"both falling", history([2]float64{0.5, 0.4}, [2]float64{0.3, 0.3}, [2]float64{0.2, 0.25}), false, 3, 0, "lowest at the last epoch"},
		{"classic", history([2]float64{0.5, 0.40}, [2]float64{0.3, 0.30}, [2]float64{0.2, 0.31}, [2]float64{0.1, 0.35}), true, 2, 3, "over-fitting from epoch 3"},
		{"plateau then rise", history([2]float64{0.5, 0.3}, [2]float64{0.4, 0.3}, [2]float64{0.3, 0.32}), true, 1, 3, "from epoch 3"},
		{"bump then recovery", history([2]float64{0.5, 0.4}, [2]float64{0.4, 0.45}, [2]float64{0.3, 0.35}), false, 3, 0, "lowest at the last epoch"},
		{"both rising", history([2]float64{0.3, 0.3}, [2]float64{0.4, 0.4}, [2]float64{0.5, 0.5}), false, 1, 0, "training loss did not fall"},
		{"rise ends below the minimum", history([2]float64{0.5, 0.4}, [2]float64{0.4, 0.3}, [2]float64{0.3, 0.5}, [2]float64{0.2, 0.29}), false, 4, 0, "lowest at the last epoch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DetectOverfitting(tt.epochs)
			if o.Detected != tt.detected || o.BestEpoch != tt.best || o.FromEpoch != tt.from {
				t.Errorf("got detected %v best %d from %d, want %v %d %d", o.Detected, o.BestEpoch, o.FromEpoch, tt.detected, tt.best, tt.from)
			}
			if !strings.Contains(o.String(), tt.says) {
				t.Errorf("%q does not say %q", o.String(), tt.says)
			}
		})
	}
}

func TestBestModel(t *testing.T) {
	run := func(name string, acc, loss float64) *RunArtifacts {
		return &RunArtifacts{Name: name, Run: tfrunner.Run{Model: name, TestAccuracy: acc, TestLoss: loss}}
	}
	tests := []struct {
		name string
		runs []*RunArtifacts
		want string
	}{
		{"none", nil, ""},
		{"one", []*RunArtifacts{run("A", 0.9, 0.3)}, "A"},
		{"highest accuracy", []*RunArtifacts{run("default", 0.931, 0.238), run("A", 0.927, 0.206), run("B", 0.932, 0.311)}, "B"},
		{"tie broken by loss", []*RunArtifacts{run("A", 0.93, 0.3), run("B", 0.93, 0.2)}, "B"},
		{"first of equals", []*RunArtifacts{run("A", 0.93, 0.2), run("B", 0.93, 0.2)}, "A"},
	}
	for _, tt := range tests {
		got := ""
		if b := BestModel(tt.runs); b != nil {
			got = b.Name
		}
		if got != tt.want {
			t.Errorf("%s: best %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestMergeFindings(t *testing.T) {
	names := dataset.GroupNames[:]
	tests := []struct {
		name string
		a    analysis.Analysis
		want []string
	}{
		{
			name: "original classes known",
			a: analysis.Analysis{HasClasses: true, Subclasses: []analysis.Subclasses{
				{Label: 0, Name: "T-shirt/Shirt", K: 2, Members: []int{400, 600},
					Classes: [][]int{countsByClass(map[int]int{0: 320, 6: 80}), countsByClass(map[int]int{0: 60, 6: 540})}},
				{Label: 1, Name: "Sandal", K: 2, Members: []int{500, 500},
					Classes: [][]int{countsByClass(map[int]int{5: 500}), countsByClass(map[int]int{5: 500})}},
				{Label: 2, Name: "Trouser/Pullover", K: 1, Members: []int{2000}, Classes: [][]int{countsByClass(map[int]int{1: 1000, 2: 1000})}},
				{Label: 3, Name: "Sneaker/Bag", K: 1, Members: []int{1000}, Classes: [][]int{countsByClass(map[int]int{7: 995, 8: 5})}},
				{Label: 4, Name: "Dress/Coat/Ankle boot", K: 2, Members: []int{2004, 996},
					Classes: [][]int{countsByClass(map[int]int{3: 1000, 4: 1000, 9: 4}), countsByClass(map[int]int{9: 996})}},
			}},
			want: []string{
				"Label 0 (T-shirt/Shirt) merges Shirt and T-shirt/top, and its encoding separates them: 2 sub-classes of 600 images (90% Shirt, 10% T-shirt/top) and 400 images (80% T-shirt/top, 20% Shirt).",
				"Label 1 (Sandal) holds Sandal only, yet its encoding splits it into 2 sub-classes of 500 images (100% Sandal) and 500 images (100% Sandal): a distinction within the class (see its sub-class images).",
				"Label 2 (Trouser/Pullover) merges Trouser and Pullover, and its encoding keeps them together: one sub-class of 2000 images (50% Trouser, 50% Pullover).",
				"Label 3 (Sneaker/Bag) holds Sneaker only, and its encoding forms a single group.",
				"Label 4 (Dress/Coat/Ankle boot) merges Dress, Coat and Ankle boot; its encoding isolates Ankle boot, while Dress and Coat stay mixed: 2 sub-classes of 2004 images (50% Dress, 50% Coat) and 996 images (100% Ankle boot).",
			},
		},
		{
			// One sub-class separates nothing however pure it is; small
			// pure sub-classes do not make a class isolated.
			name: "original classes known: edge cases",
			a: analysis.Analysis{HasClasses: true, Subclasses: []analysis.Subclasses{
				{Label: 0, Name: "T-shirt/Shirt", K: 3, Members: []int{1500, 300, 200},
					Classes: [][]int{countsByClass(map[int]int{6: 795, 0: 705}), countsByClass(map[int]int{0: 291, 6: 9}), countsByClass(map[int]int{6: 200})}},
				{Label: 2, Name: "Trouser/Pullover", K: 3, Members: []int{1000, 700, 500},
					Classes: [][]int{countsByClass(map[int]int{1: 1000}), countsByClass(map[int]int{2: 500, 1: 200}), countsByClass(map[int]int{2: 500})}},
				{Label: 3, Name: "Sneaker/Bag", K: 1, Members: []int{1000}, Classes: [][]int{countsByClass(map[int]int{7: 850, 8: 150})}},
			}},
			want: []string{
				"Label 0 (T-shirt/Shirt) merges Shirt and T-shirt/top, and its encoding does not separate them: 3 sub-classes of 1500 images (53% Shirt, 47% T-shirt/top), 300 images (97% T-shirt/top) and 200 images (100% Shirt).",
				"Label 2 (Trouser/Pullover) merges Trouser and Pullover; its encoding isolates Trouser, while Pullover stays mixed: 3 sub-classes of 1000 images (100% Trouser), 700 images (71% Pullover, 29% Trouser) and 500 images (100% Pullover).",
				"Label 3 (Sneaker/Bag) merges Sneaker and Bag, and its encoding keeps them together: one sub-class of 1000 images (85% Sneaker, 15% Bag).",
			},
		},
		{
			name: "classes unknown: k-means contingency",
			a: analysis.Analysis{KMeans: analysis.KMeans{K: 3, Contingency5: [][]int{
				{500, 450, 50},
				{0, 10, 990},
			}}},
			want: []string{
				"Label 0 (T-shirt/Shirt) spreads over 2 k-means clusters, cluster 0 (50%), cluster 1 (45%)",
				"Label 1 (Sandal) falls mostly into one k-means cluster (cluster 2 (99%))",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeFindings(&tt.a, names)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings %q, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) || tt.a.HasClasses && got[i] != tt.want[i] {
					t.Errorf("finding %d:\n got %q\nwant %q…", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestWorstConfusion(t *testing.T) {
	conf := [][]int{{90, 10, 0}, {2, 95, 3}, {0, 30, 70}}
	got := worstConfusion(conf, []string{"a", "b", "c"})
	if want := "most frequent mistake is c predicted as b (30 test images, 30.0% of that label)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := worstConfusion([][]int{{5, 0}, {0, 5}}, nil); got != "" {
		t.Errorf("perfect matrix: %q", got)
	}
}

func ExampleDetectOverfitting() {
	epochs := []tfrunner.Epoch{
		{Epoch: 1, Loss: 0.45, ValLoss: 0.33},
		{Epoch: 2, Loss: 0.27, ValLoss: 0.26},
		{Epoch: 3, Loss: 0.21, ValLoss: 0.28},
	}
	o := DetectOverfitting(epochs)
	fmt.Println(o.Detected, o.FromEpoch)
	fmt.Println(o)
	// Output:
	// true 3
	// over-fitting from epoch 3: validation loss rose from 0.260 (epoch 2) to 0.280 (epoch 3) while training loss fell from 0.270 to 0.210
}

// countsByClass spreads counts by original class into a 10-class row.
func countsByClass(counts map[int]int) []int {
	row := make([]int, len(dataset.ClassNames))
	for c, v := range counts {
		row[c] = v
	}
	return row
}
