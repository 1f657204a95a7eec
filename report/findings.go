package report

import (
	"fmt"
	"sort"
	"strings"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// Overfitting says whether, and from which epoch, a training history
// over-fits: the validation loss rises above its minimum while the training
// loss keeps falling.
type Overfitting struct {
	// Detected is true when the validation loss ends above its minimum
	// while the training loss ends below its value at that minimum.
	Detected bool
	// BestEpoch is the (first) epoch of lowest validation loss.
	BestEpoch int
	// FromEpoch is the first epoch after BestEpoch whose validation loss is
	// above the minimum; 0 when not detected.
	FromEpoch int
	// LastEpoch is the history's last epoch.
	LastEpoch int
	// BestValLoss and LastValLoss are the validation loss at BestEpoch and
	// at the last epoch.
	BestValLoss, LastValLoss float64
	// TrainLossAtBest and LastTrainLoss are the training loss at BestEpoch
	// and at the last epoch.
	TrainLossAtBest, LastTrainLoss float64
}

// DetectOverfitting finds where the validation loss starts rising while the
// training loss falls. It needs at least two epochs to detect anything.
func DetectOverfitting(epochs []tfrunner.Epoch) Overfitting {
	var o Overfitting
	if len(epochs) == 0 {
		return o
	}
	b := 0
	for i, e := range epochs {
		if e.ValLoss < epochs[b].ValLoss {
			b = i
		}
	}
	last := epochs[len(epochs)-1]
	o.BestEpoch, o.LastEpoch = epochs[b].Epoch, last.Epoch
	o.BestValLoss, o.LastValLoss = epochs[b].ValLoss, last.ValLoss
	o.TrainLossAtBest, o.LastTrainLoss = epochs[b].Loss, last.Loss
	if b == len(epochs)-1 || last.ValLoss <= epochs[b].ValLoss || last.Loss >= epochs[b].Loss {
		return o
	}
	for _, e := range epochs[b+1:] {
		if e.ValLoss > epochs[b].ValLoss {
			o.FromEpoch = e.Epoch
			break
		}
	}
	o.Detected = true
	return o
}

// String describes the result in one sentence.
func (o Overfitting) String() string {
	switch {
	case o.LastEpoch == 0:
		return "no history"
	case o.Detected:
		return fmt.Sprintf("over-fitting from epoch %d: validation loss rose from %.3f (epoch %d) to %.3f (epoch %d) while training loss fell from %.3f to %.3f",
			o.FromEpoch, o.BestValLoss, o.BestEpoch, o.LastValLoss, o.LastEpoch, o.TrainLossAtBest, o.LastTrainLoss)
	case o.BestEpoch == o.LastEpoch:
		return fmt.Sprintf("no over-fitting: validation loss is lowest at the last epoch (%.3f, epoch %d)", o.LastValLoss, o.LastEpoch)
	default:
		return fmt.Sprintf("no over-fitting: validation loss is lowest at epoch %d (%.3f), but training loss did not fall after it (%.3f → %.3f)",
			o.BestEpoch, o.BestValLoss, o.TrainLossAtBest, o.LastTrainLoss)
	}
}

// BestModel returns the run with the highest test accuracy (the lower test
// loss breaks ties), or nil when there is none.
func BestModel(runs []*RunArtifacts) *RunArtifacts {
	var best *RunArtifacts
	for _, r := range runs {
		if best == nil || r.Run.TestAccuracy > best.Run.TestAccuracy ||
			(r.Run.TestAccuracy == best.Run.TestAccuracy && r.Run.TestLoss < best.Run.TestLoss) {
			best = r
		}
	}
	return best
}

// findings computes the summary sentences of the report from the numbers.
func findings(runs []*RunArtifacts, an *analysis.Analysis, labelNames []string) []string {
	var out []string
	if best := BestModel(runs); best != nil {
		s := fmt.Sprintf("Best model by test accuracy: %s, with %.3f (test loss %.3f)", best.Name, best.Run.TestAccuracy, best.Run.TestLoss)
		if len(runs) > 1 {
			var others []string
			for _, r := range runs {
				if r != best {
					others = append(others, fmt.Sprintf("%s %.3f", r.Name, r.Run.TestAccuracy))
				}
			}
			s += "; then " + strings.Join(others, ", ")
		}
		if sb := studyBest(); sb != "" {
			s += fmt.Sprintf(". The study's best was %s with %.3f", sb, studyResults[sb].TestAccuracy)
		}
		out = append(out, s+".")
	}
	for _, r := range runs {
		if st, ok := studyResults[r.Name]; ok {
			d := r.Run.TestAccuracy - st.TestAccuracy
			out = append(out, fmt.Sprintf("Model %s: test accuracy %.3f vs the study's %.3f (%+.3f); trained in %s vs the study's %.2f min.",
				r.Name, r.Run.TestAccuracy, st.TestAccuracy, d, minutes(r.Run.TrainSeconds), st.TrainMinutes))
		}
	}
	for _, r := range runs {
		out = append(out, fmt.Sprintf("Model %s: %s.", r.Name, DetectOverfitting(r.History.Epochs)))
	}
	for _, r := range runs {
		if s := worstConfusion(r.Run.Confusion, labelNames); s != "" {
			out = append(out, fmt.Sprintf("Model %s: %s.", r.Name, s))
		}
	}
	if an != nil {
		out = append(out, mergeFindings(an, labelNames)...)
		out = append(out, clusterFindings(an)...)
	}
	return out
}

// studyBest names the study's model with the best published test accuracy.
func studyBest() string {
	best := ""
	for _, name := range studyOrder {
		if best == "" || studyResults[name].TestAccuracy > studyResults[best].TestAccuracy {
			best = name
		}
	}
	return best
}

// worstConfusion names the most frequent mistake of a confusion matrix.
func worstConfusion(conf [][]int, names []string) string {
	bi, bj, bv, total := -1, -1, 0, 0
	for i, row := range conf {
		for j, v := range row {
			total += v
			if i != j && v > bv {
				bi, bj, bv = i, j, v
			}
		}
	}
	if bi < 0 {
		return ""
	}
	rowTotal := 0
	for _, v := range conf[bi] {
		rowTotal += v
	}
	return fmt.Sprintf("most frequent mistake is %s predicted as %s (%d test images, %.1f%% of that label)",
		nameOf(names, bi), nameOf(names, bj), bv, 100*float64(bv)/float64(max(rowTotal, 1)))
}

// nameOf returns names[i], or the number i when there is no name.
func nameOf(names []string, i int) string {
	if i >= 0 && i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprint(i)
}

// mergeFindings says which clothes each label merges and whether the
// encoding tells them apart: from the original classes of its discovered
// sub-classes when they are known, else from how the label spreads over the
// k-means clusters.
func mergeFindings(a *analysis.Analysis, labelNames []string) []string {
	var out []string
	haveClasses := false
	for _, s := range a.Subclasses {
		if len(s.Classes) > 0 {
			haveClasses = true
		}
	}
	if haveClasses {
		for _, s := range a.Subclasses {
			name := s.Name
			if name == "" {
				name = nameOf(labelNames, s.Label)
			}
			if f := subclassFinding(s, name); f != "" {
				out = append(out, f)
			}
		}
		return out
	}
	// Classes unknown: how each label spreads over the k-means clusters.
	for label, row := range a.KMeans.Contingency5 {
		total := 0
		for _, v := range row {
			total += v
		}
		if total == 0 {
			continue
		}
		type share struct {
			cluster int
			frac    float64
		}
		var shares []share
		for c, v := range row {
			if f := float64(v) / float64(total); f >= 0.15 {
				shares = append(shares, share{c, f})
			}
		}
		sort.Slice(shares, func(i, j int) bool { return shares[i].frac > shares[j].frac })
		var parts []string
		for _, s := range shares {
			parts = append(parts, fmt.Sprintf("cluster %d (%.0f%%)", s.cluster, 100*s.frac))
		}
		name := nameOf(labelNames, label)
		if len(shares) > 1 {
			out = append(out, fmt.Sprintf("Label %d (%s) spreads over %d k-means clusters, %s: it likely merges %d kinds of clothes (original classes unknown).",
				label, name, len(shares), strings.Join(parts, ", "), len(shares)))
		} else {
			out = append(out, fmt.Sprintf("Label %d (%s) falls mostly into one k-means cluster (%s): no merged clothes are visible.",
				label, name, strings.Join(parts, ", ")))
		}
	}
	return out
}

// clusterFindings summarises how well the clusterings match the labels.
func clusterFindings(a *analysis.Analysis) []string {
	var out []string
	if s, ok := a.Scores["kmeans"]; ok {
		out = append(out, fmt.Sprintf("On the encoding of model %s, k-means (k=%d) agrees with the 5 labels with ARI %.3f and NMI %.3f.",
			a.Model, a.KMeans.K, s.ARI5, s.NMI5))
	}
	if s, ok := a.Scores["dbscan"]; ok {
		noise := 0.0
		if a.Rows > 0 {
			noise = 100 * float64(a.DBSCAN.Noise) / float64(a.Rows)
		}
		out = append(out, fmt.Sprintf("DBSCAN (eps %.3g, min_samples %d) finds %d clusters and %d noise points (%.1f%%); ARI with the labels %.3f.",
			a.DBSCAN.Eps, a.DBSCAN.MinSamples, a.DBSCAN.Clusters, a.DBSCAN.Noise, noise, s.ARI5))
	}
	if s, ok := a.Scores["labels"]; ok {
		out = append(out, fmt.Sprintf("The true labels have a silhouette of %.3f in the encoding space.", s.Silhouette5))
	}
	if a.HasClasses {
		out = append(out, fmt.Sprintf("The discovered sub-classes match the 10 original classes with ARI %.3f.", a.SubclassesARI10))
	}
	return out
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// minutes formats seconds as the study did: minutes with two decimals.
func minutes(seconds float64) string {
	return fmt.Sprintf("%.2f min", seconds/60)
}

// Shares that decide what a label's sub-classes say about its classes: a
// class is listed in a sub-class, and held by the label, from minorShare of
// its images; a sub-class is pure in a class from pureShare; the encoding
// isolates a class when at least isolatedShare of the class's images lie in
// sub-classes pure in it.
const (
	minorShare    = 0.1
	pureShare     = 0.8
	isolatedShare = 0.8
)

// subclassFinding describes one label's sub-classes by original class:
// which classes the label holds, which of them the sub-class search isolates, and
// what each sub-class holds. It is "" when the label has no class counts.
func subclassFinding(s analysis.Subclasses, name string) string {
	if len(s.Classes) == 0 || len(s.Classes) != len(s.Members) {
		return ""
	}
	classNames := dataset.ClassNames[:]
	nClasses := len(s.Classes[0])
	total := make([]int, nClasses)  // images of each class
	inPure := make([]int, nClasses) // of them, in a sub-class pure in the class
	leads := make([]bool, nClasses) // the class is the answerShare majority of a sub-class
	all := 0
	for k, counts := range s.Classes {
		for c, v := range counts {
			if c >= nClasses {
				continue
			}
			total[c] += v
			all += v
			if float64(v) >= pureShare*float64(max(s.Members[k], 1)) {
				inPure[c] += v
			}
			if float64(v) >= answerShare*float64(max(s.Members[k], 1)) {
				leads[c] = true
			}
		}
	}
	if all == 0 {
		return ""
	}
	var parts []string
	for _, k := range byCount(s.Members) { // sub-classes, largest first
		n := s.Members[k]
		var shares []string
		for _, c := range byCount(s.Classes[k]) {
			if f := float64(s.Classes[k][c]) / float64(max(n, 1)); f >= minorShare {
				shares = append(shares, fmt.Sprintf("%.0f%% %s", 100*f, nameOf(classNames, c)))
			}
		}
		parts = append(parts, fmt.Sprintf("%d images (%s)", n, strings.Join(shares, ", ")))
	}
	var held, isolated, mixed []string
	allLead := true
	for _, c := range byCount(total) {
		if float64(total[c]) < minorShare*float64(all) {
			continue
		}
		held = append(held, nameOf(classNames, c))
		allLead = allLead && leads[c]
		if s.K > 1 && float64(inPure[c]) >= isolatedShare*float64(total[c]) {
			isolated = append(isolated, nameOf(classNames, c))
		} else {
			mixed = append(mixed, nameOf(classNames, c))
		}
	}
	subs := fmt.Sprintf("%d sub-classes of %s", s.K, joinAnd(parts))
	switch {
	case len(held) == 1 && s.K == 1:
		return fmt.Sprintf("Label %d (%s) holds %s only, and the sub-class search finds a single group.", s.Label, name, held[0])
	case len(held) == 1:
		return fmt.Sprintf("Label %d (%s) holds %s only, yet the sub-class search splits it into %s: a distinction within the class (see its sub-class images).",
			s.Label, name, held[0], subs)
	case s.K == 1:
		return fmt.Sprintf("Label %d (%s) merges %s, and the sub-class search keeps them together: one sub-class of %s.", s.Label, name, joinAnd(held), parts[0])
	case len(mixed) == 0:
		return fmt.Sprintf("Label %d (%s) merges %s, and the sub-class search separates them: %s.", s.Label, name, joinAnd(held), subs)
	case len(isolated) == 0 && allLead:
		return fmt.Sprintf("Label %d (%s) merges %s, and the sub-class search separates them only partly (each leads a sub-class, none is isolated in %.0f%%-pure ones): %s.",
			s.Label, name, joinAnd(held), 100*pureShare, subs)
	case len(isolated) == 0:
		return fmt.Sprintf("Label %d (%s) merges %s, and the sub-class search does not separate them: %s.", s.Label, name, joinAnd(held), subs)
	}
	verb := "stays"
	if len(mixed) > 1 {
		verb = "stay"
	}
	return fmt.Sprintf("Label %d (%s) merges %s; the sub-class search isolates %s, while %s %s mixed: %s.",
		s.Label, name, joinAnd(held), joinAnd(isolated), joinAnd(mixed), verb, subs)
}

// byCount returns the indices of counts with a positive count, largest
// first (the lower index first among equals).
func byCount(counts []int) []int {
	var idx []int
	for c, v := range counts {
		if v > 0 {
			idx = append(idx, c)
		}
	}
	sort.SliceStable(idx, func(x, y int) bool { return counts[idx[x]] > counts[idx[y]] })
	return idx
}

// subclassAnswer answers the study's question once per label, plainly,
// from the discovered sub-classes: which original classes the label
// merges, the size and purity of the sub-class each is the majority of,
// where a sub-class mixes classes, splits within one class (a finding, not
// a merge), and how stable the split is under bootstrap resamples. It is
// nil when the original classes are unknown.
func subclassAnswer(a *analysis.Analysis, labelNames []string) []string {
	if a == nil || !a.HasClasses {
		return nil
	}
	classNames := dataset.ClassNames[:]
	var out []string
	for _, s := range a.Subclasses {
		if len(s.Classes) == 0 || len(s.Classes) != len(s.Members) {
			continue
		}
		name := s.Name
		if name == "" {
			name = nameOf(labelNames, s.Label)
		}
		total := make([]int, len(s.Classes[0]))
		all := 0
		for _, counts := range s.Classes {
			for c, v := range counts {
				total[c] += v
				all += v
			}
		}
		var held []int
		for _, c := range byCount(total) {
			if float64(total[c]) >= minorShare*float64(all) {
				held = append(held, c)
			}
		}
		// The sub-class each held class is the clear majority of, the purest.
		majorOf := map[int]int{}
		for _, k := range byCount(s.Members) {
			top := byCount(s.Classes[k])
			if len(top) == 0 {
				continue
			}
			c, share := top[0], float64(s.Classes[k][top[0]])/float64(max(s.Members[k], 1))
			if share < answerShare {
				continue
			}
			if j, ok := majorOf[c]; !ok || share > purity(s, j) {
				majorOf[c] = k
			}
		}
		var sentence string
		var heldNames []string
		for _, c := range held {
			heldNames = append(heldNames, nameOf(classNames, c))
		}
		switch {
		case len(held) == 1 && s.K == 1:
			sentence = fmt.Sprintf("Label %d (%s) holds %s only: one group of %s images.", s.Label, name, heldNames[0], thousands(s.Members[0]))
		case len(held) == 1:
			sentence = fmt.Sprintf("Label %d (%s) holds %s only; it splits into %d sub-classes of %s images, a distinction within the class, not a merge.",
				s.Label, name, heldNames[0], s.K, joinAnd(sizes(s.Members, byCount(s.Members))))
		default:
			var found, missing []string
			var ks []int
			for _, c := range held {
				if k, ok := majorOf[c]; ok {
					found = append(found, nameOf(classNames, c))
					ks = append(ks, k)
				} else {
					missing = append(missing, nameOf(classNames, c))
				}
			}
			var pure []string
			for _, k := range ks {
				pure = append(pure, fmt.Sprintf("%.0f%%", 100*purity(s, k)))
			}
			switch {
			case len(missing) == 0:
				sentence = fmt.Sprintf("Label %d (%s) merges %s (sub-classes of %s images, %s pure).",
					s.Label, name, joinAnd(heldNames), joinAnd(sizes(s.Members, ks)), joinAnd(pure))
			case len(found) == 0:
				sentence = fmt.Sprintf("Label %d (%s) merges %s, but no sub-class holds a clear majority (≥ %.0f%%) of any of them: the search does not tell them apart here.",
					s.Label, name, joinAnd(heldNames), 100*answerShare)
			default:
				holds, verb := "each hold a sub-class", "stay"
				if len(found) == 1 {
					holds = "holds a sub-class of its own"
				}
				if len(missing) == 1 {
					verb = "stays"
				}
				sentence = fmt.Sprintf("Label %d (%s) merges %s; %s %s (%s images, %s pure), while %s %s mixed.",
					s.Label, name, joinAnd(heldNames), joinAnd(found), holds, joinAnd(sizes(s.Members, ks)), joinAnd(pure), joinAnd(missing), verb)
			}
			// Sub-classes that mix classes, and extra sub-classes of one class.
			used := map[int]bool{}
			for _, k := range ks {
				used[k] = true
			}
			for _, k := range byCount(s.Members) {
				top := byCount(s.Classes[k])
				if len(top) == 0 {
					continue
				}
				if purity(s, k) < pureShare {
					var shares []string
					for _, c := range top {
						if f := float64(s.Classes[k][c]) / float64(max(s.Members[k], 1)); f >= minorShare {
							shares = append(shares, fmt.Sprintf("%.0f%% %s", 100*f, nameOf(classNames, c)))
						}
					}
					sentence += fmt.Sprintf(" The sub-class of %s images mixes %s.", thousands(s.Members[k]), joinAnd(shares))
				} else if !used[k] {
					sentence += fmt.Sprintf(" A further sub-class of %s images is %.0f%% %s: a distinction within that class.",
						thousands(s.Members[k]), 100*purity(s, k), nameOf(classNames, top[0]))
				}
			}
		}
		switch {
		case s.KeptApart == 1:
			sentence += " The network's output scores two of these sub-classes alike; they stay apart because, in its layers and the pixels, they form two clearly separate modes."
		case s.KeptApart > 1:
			sentence += fmt.Sprintf(" The network's output scores %d pairs of these sub-classes alike; they stay apart because, in its layers and the pixels, they form clearly separate modes.", s.KeptApart)
		}
		if st := s.Stability; st != nil && st.Resamples > 0 {
			if s.K > 1 {
				sentence += fmt.Sprintf(" Stability: the same number of sub-classes in %d of %d bootstrap resamples of the label's images, the same split with median ARI %.2f.",
					st.SameK, st.Resamples, st.Agreement)
			} else {
				sentence += fmt.Sprintf(" Stability: one group again in %d of %d bootstrap resamples of the label's images.", st.SameK, st.Resamples)
			}
		}
		out = append(out, sentence)
	}
	return out
}

// subclassMethod says in a sentence how sub-class discovery worked on the
// given representations (analysis.Analysis.SubclassInputs).
func subclassMethod(inputs []string) string {
	describe := map[string]string{
		analysis.InputHidden:   "the hidden layer before the encoding",
		analysis.InputEncoding: "the encoding",
		analysis.InputLogProbs: "the network's log-probabilities",
		analysis.InputPixels:   "the pixels (4×4-pooled)",
	}
	var in []string
	for _, name := range inputs {
		if d, ok := describe[name]; ok {
			in = append(in, d)
		} else {
			in = append(in, name)
		}
	}
	where := ""
	if len(in) > 0 {
		where = " in " + joinAnd(in)
	}
	return "How they were found: inside each label, a group of images is split in two while held-out dip tests find two modes" + where +
		"; sub-classes the network's output scores alike are then merged, unless they form two clearly separate modes there. " +
		"The 10 original classes only score the result; they never steer it."
}

// answerShare is the share of a sub-class that makes a class its clear
// majority in subclassAnswer.
const answerShare = 0.6

// purity is the majority-class share of sub-class k of s.
func purity(s analysis.Subclasses, k int) float64 {
	top := byCount(s.Classes[k])
	if len(top) == 0 {
		return 0
	}
	return float64(s.Classes[k][top[0]]) / float64(max(s.Members[k], 1))
}

// sizes formats the members of the sub-classes ks with thousands
// separators.
func sizes(members, ks []int) []string {
	var out []string
	for _, k := range ks {
		out = append(out, thousands(members[k]))
	}
	return out
}
