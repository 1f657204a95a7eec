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
				"Label 0 (T-shirt/Shirt) merges Shirt and T-shirt/top, and the sub-class search separates them: 2 sub-classes of 600 images (90% Shirt, 10% T-shirt/top) and 400 images (80% T-shirt/top, 20% Shirt).",
				"Label 1 (Sandal) holds Sandal only, yet the sub-class search splits it into 2 sub-classes of 500 images (100% Sandal) and 500 images (100% Sandal): a distinction within the class (see its sub-class images).",
				"Label 2 (Trouser/Pullover) merges Trouser and Pullover, and the sub-class search keeps them together: one sub-class of 2000 images (50% Trouser, 50% Pullover).",
				"Label 3 (Sneaker/Bag) holds Sneaker only, and the sub-class search finds a single group.",
				"Label 4 (Dress/Coat/Ankle boot) merges Dress, Coat and Ankle boot; the sub-class search isolates Ankle boot, while Dress and Coat stay mixed: 2 sub-classes of 2004 images (50% Dress, 50% Coat) and 996 images (100% Ankle boot).",
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
				"Label 0 (T-shirt/Shirt) merges Shirt and T-shirt/top, and the sub-class search separates them only partly (each leads a sub-class, none is isolated in 80%-pure ones): 3 sub-classes of 1500 images (53% Shirt, 47% T-shirt/top), 300 images (97% T-shirt/top) and 200 images (100% Shirt).",
				"Label 2 (Trouser/Pullover) merges Trouser and Pullover; the sub-class search isolates Trouser, while Pullover stays mixed: 3 sub-classes of 1000 images (100% Trouser), 700 images (71% Pullover, 29% Trouser) and 500 images (100% Pullover).",
				"Label 3 (Sneaker/Bag) merges Sneaker and Bag, and the sub-class search keeps them together: one sub-class of 1000 images (85% Sneaker, 15% Bag).",
			},
		},
		{
			// No class is the 60% majority of a sub-class: nothing is
			// separated.
			name: "original classes known: two mixed sub-classes",
			a: analysis.Analysis{HasClasses: true, Subclasses: []analysis.Subclasses{
				{Label: 0, Name: "T-shirt/Shirt", K: 2, Members: []int{1000, 1000},
					Classes: [][]int{countsByClass(map[int]int{6: 550, 0: 450}), countsByClass(map[int]int{0: 550, 6: 450})}},
			}},
			want: []string{
				"Label 0 (T-shirt/Shirt) merges T-shirt/top and Shirt, and the sub-class search does not separate them: 2 sub-classes of 1000 images (55% Shirt, 45% T-shirt/top) and 1000 images (55% T-shirt/top, 45% Shirt).",
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

// counts10 returns 10 class counts with the given (class, count) pairs.
func counts10(pairs ...int) []int {
	out := make([]int, len(dataset.ClassNames))
	for i := 0; i+1 < len(pairs); i += 2 {
		out[pairs[i]] = pairs[i+1]
	}
	return out
}

func TestSubclassAnswer(t *testing.T) {
	stable := &analysis.Stability{Resamples: 5, SameK: 4, Agreement: 0.91}
	tests := []struct {
		name string
		s    analysis.Subclasses
		want []string // substrings of the answer
		not  []string
	}{
		{"merge found", analysis.Subclasses{Label: 0, Name: "T-shirt/Shirt", K: 2, Members: []int{1061, 939},
			Classes: [][]int{counts10(0, 827, 6, 234), counts10(6, 760, 0, 179)}, Stability: stable},
			[]string{"Label 0 (T-shirt/Shirt) merges T-shirt/top and Shirt (sub-classes of 1,061 and 939 images, 78% and 81% pure).",
				"The sub-class of 1,061 images mixes 78% T-shirt/top and 22% Shirt.",
				"same number of sub-classes in 4 of 5 bootstrap resamples", "median ARI 0.91"},
			[]string{"939 images mixes"}},
		{"single class, one group", analysis.Subclasses{Label: 1, Name: "Sandal", K: 1, Members: []int{1000},
			Classes: [][]int{counts10(5, 1000)}, Stability: &analysis.Stability{Resamples: 5, SameK: 5, Agreement: 1}},
			[]string{"Label 1 (Sandal) holds Sandal only: one group of 1,000 images.", "one group again in 5 of 5"}, []string{"merges"}},
		{"split within one class", analysis.Subclasses{Label: 1, Name: "Sandal", K: 2, Members: []int{509, 491},
			Classes: [][]int{counts10(5, 509), counts10(5, 491)}},
			[]string{"holds Sandal only; it splits into 2 sub-classes of 509 and 491 images, a distinction within the class, not a merge."},
			[]string{"merges"}},
		{"classes scored alike kept apart", analysis.Subclasses{Label: 3, Name: "Sneaker/Bag", K: 2, Members: []int{1003, 997}, KeptApart: 1,
			Classes: [][]int{counts10(7, 993, 8, 10), counts10(8, 997)}},
			[]string{"merges Bag and Sneaker (sub-classes of 997 and 1,003 images, 100% and 99% pure).",
				"The network's output scores two of these sub-classes alike; they stay apart because, in its layers and the pixels, they form two clearly separate modes."}, nil},
		{"merged classes kept together", analysis.Subclasses{Label: 3, Name: "Sneaker/Bag", K: 1, Members: []int{2000},
			Classes: [][]int{counts10(7, 1000, 8, 1000)}},
			[]string{"merges Sneaker and Bag, but no sub-class holds a clear majority"}, []string{"stay apart"}},
		{"one class isolated, two mixed", analysis.Subclasses{Label: 4, Name: "Dress/Coat/Ankle boot", K: 2, Members: []int{2002, 998},
			Classes: [][]int{counts10(3, 1001, 4, 1001), counts10(9, 998)}},
			[]string{"merges Dress, Coat and Ankle boot; Ankle boot holds a sub-class of its own (998 images, 100% pure), while Dress and Coat stay mixed.",
				"The sub-class of 2,002 images mixes 50% Dress and 50% Coat."}, nil},
		{"extra split of one merged class", analysis.Subclasses{Label: 3, Name: "Sneaker/Bag", K: 3, Members: []int{996, 540, 464},
			Classes: [][]int{counts10(7, 990, 8, 6), counts10(8, 538, 7, 2), counts10(8, 462, 7, 2)}},
			[]string{"merges Bag and Sneaker (sub-classes of 540 and 996 images, 100% and 99% pure).",
				"A further sub-class of 464 images is 100% Bag: a distinction within that class."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k := range tt.s.Members {
				top := byCount(tt.s.Classes[k])
				tt.s.Purity = append(tt.s.Purity, float64(tt.s.Classes[k][top[0]])/float64(tt.s.Members[k]))
			}
			got := subclassAnswer(&analysis.Analysis{HasClasses: true, Subclasses: []analysis.Subclasses{tt.s}}, dataset.GroupNames[:])
			if len(got) != 1 {
				t.Fatalf("%d sentences, want 1: %q", len(got), got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("answer %q\nlacks %q", got[0], w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got[0], w) {
					t.Errorf("answer %q\nshould not say %q", got[0], w)
				}
			}
		})
	}
	if got := subclassAnswer(&analysis.Analysis{HasClasses: false}, nil); got != nil {
		t.Errorf("without classes: %q, want nil", got)
	}
}
