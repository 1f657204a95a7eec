// Command subclasses-eval runs sub-class discovery, as the report's analysis
// does, on several trainings of one model and prints a table: per training,
// k per label, each sub-class's majority class and share, the partition's
// ARI against the 10 original classes and the seconds taken, then the
// issue's bar (median and minimum ARI, and per label on how many trainings
// every class it merges is the ≥ 60% majority of one of its sub-classes).
//
//	go run ./tools/subclasses-eval -runs /tmp/subclasses-eval -seeds 5,6,7,8,9,10
//
// Each training is read from <runs>/seed-<S>/<model>; `make subclasses-eval`
// trains them first (tools/subclasses_eval.sh).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"fmnist/analysis"
	"fmnist/cluster"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

func main() {
	runs := flag.String("runs", "/tmp/subclasses-eval", "directory holding seed-<S>/<model> runs")
	seeds := flag.String("seeds", "5,6,7,8,9,10", "comma-separated training seeds")
	model := flag.String("model", "A", "model whose runs are read")
	seed := flag.Uint64("seed", 5, "seed of the sub-class search (the report's default)")
	flag.Parse()
	if err := run(os.Stdout, *runs, *seeds, *model, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "subclasses-eval:", err)
		os.Exit(1)
	}
}

// majorityShare is the share of a sub-class a merged class must hold.
const majorityShare = 0.6

func run(w io.Writer, runs, seedList, model string, seed uint64) error {
	var seeds []int
	for _, f := range strings.Split(seedList, ",") {
		s, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("-seeds %q: %w", seedList, err)
		}
		seeds = append(seeds, s)
	}
	fmt.Fprintln(w, "| seed | k per label | sub-classes: majority class size/share (label by label) | ARI10 | seconds (reference) |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	var aris []float64
	found := make([]int, len(dataset.GroupNames)) // trainings where every merged class is found
	var inputs []string
	var ratios []float64 // search time over the reference's, same run
	keptApart := false   // some label keeps sub-classes apart (marked *)
	for _, s := range seeds {
		dir := filepath.Join(runs, fmt.Sprintf("seed-%d", s), model)
		test, err := testSet(dir)
		if err != nil {
			return fmt.Errorf("seed %d: %w", s, err)
		}
		sr, err := analysis.SubclassesOfRun(dir, test, seed)
		if err != nil {
			return fmt.Errorf("seed %d: %w", s, err)
		}
		res := sr.Result
		if math.IsNaN(res.ClassARI) || len(res.Labels) != len(found) {
			return fmt.Errorf("seed %d: %s: the evaluation needs a 5-label run whose 10 original classes are known (train from the IDX files, or CSV files made from them)", s, dir)
		}
		inputs = sr.Inputs
		ratios = append(ratios, sr.Seconds/sr.ReferenceSeconds)
		var ks, parts []string
		for _, l := range res.Labels {
			k := strconv.Itoa(l.K)
			if l.KeptApart > 0 {
				k += "*"
				keptApart = true
			}
			ks = append(ks, k)
			var subs []string
			for _, sc := range l.Subclasses {
				if len(sc.Classes) == 0 {
					return fmt.Errorf("seed %d: %s: label %d has a sub-class without class counts", s, dir, l.Label)
				}
				subs = append(subs, fmt.Sprintf("%s %d/%.0f%%", dataset.ClassNames[sc.Classes[0].Class], len(sc.Members), 100*sc.Purity))
			}
			mark := ""
			if allFound(l) {
				found[l.Label]++
			} else {
				mark = " ✗"
			}
			parts = append(parts, strings.Join(subs, ", ")+mark)
		}
		aris = append(aris, res.ClassARI)
		fmt.Fprintf(w, "| %d | %s | %s | %.3f | %.2f (ref %.2f) |\n", s, strings.Join(ks, ","), strings.Join(parts, "; "), res.ClassARI, sr.Seconds, sr.ReferenceSeconds)
	}
	sorted := slices.Sorted(slices.Values(aris))
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	fmt.Fprintln(w)
	if keptApart {
		fmt.Fprintln(w, "*: the label keeps apart sub-classes the network scores alike, as two clear modes (cluster.SubclassOptions.KeepApart)")
	}
	fmt.Fprintf(w, "representation: %s; ARI10 median %.3f, min %.3f (bar: >= 0.85 and >= 0.80)\n",
		strings.Join(inputs, " + "), median, sorted[0])
	fmt.Fprintf(w, "search time / reference (the encoding alone without evidence, as before issue 13 but on this code, timed right after): %s\n", ratioList(ratios))
	for l, n := range found {
		fmt.Fprintf(w, "label %d (%s): every merged class the >= %.0f%% majority of a sub-class on %d of %d trainings\n",
			l, dataset.GroupNames[l], 100*majorityShare, n, len(seeds))
	}
	return nil
}

// allFound reports whether every original class of the label (those of
// dataset.Grouping) is the majority, with at least majorityShare, of one of
// the label's sub-classes.
func allFound(l cluster.LabelSubclasses) bool {
	for c, g := range dataset.Grouping {
		if g != l.Label {
			continue
		}
		ok := false
		for _, sc := range l.Subclasses {
			if len(sc.Classes) > 0 && sc.Classes[0].Class == c && sc.Purity >= majorityShare {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ratioList formats the ratios with two decimals.
func ratioList(r []float64) string {
	var out []string
	for _, v := range r {
		out = append(out, fmt.Sprintf("%.2f", v))
	}
	return strings.Join(out, ", ")
}

// testSet loads the test set of the run in dir from the data directory its
// run.json names, checked against the run's data fingerprint, as
// cmd/report does for the analysis.
func testSet(dir string) (*dataset.Split, error) {
	run, err := tfrunner.OpenDir(dir).ReadRun()
	if err != nil {
		return nil, err
	}
	d, err := dataset.Load(dataset.Options{Dir: run.DataDir, ValidationFraction: -1})
	if err != nil {
		return nil, fmt.Errorf("the dataset of %s: %w", dir, err)
	}
	if err := (&tfrunner.Artifacts{Name: run.Model, Dir: dir, Run: *run}).CheckData(d); err != nil {
		return nil, err
	}
	return &d.Test, nil
}
