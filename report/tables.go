package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"fmnist/analysis"
	"fmnist/graphs"
)

// table is a table shown both in the HTML page and in the Markdown file.
type table struct {
	Caption string
	Header  []string
	Rows    []tableRow
	// Numeric marks right-aligned columns.
	Numeric []bool
}

// tableRow is one row; Class styles it ("study" rows are the published
// numbers).
type tableRow struct {
	Cells []string
	Class string
}

// StudyResult is one row of the study's published comparison table.
type StudyResult struct {
	TrainAccuracy float64 // last epoch
	ValAccuracy   float64 // last epoch
	TrainMinutes  float64
	TestAccuracy  float64
	TestLoss      float64
}

// studyResults are the study's published numbers, by model.
var studyResults = map[string]StudyResult{
	"default": {TrainAccuracy: 0.968, ValAccuracy: 0.933, TrainMinutes: 3.39, TestAccuracy: 0.931, TestLoss: 0.238},
	"A":       {TrainAccuracy: 0.944, ValAccuracy: 0.931, TrainMinutes: 0.47, TestAccuracy: 0.927, TestLoss: 0.206},
	"B":       {TrainAccuracy: 0.983, ValAccuracy: 0.934, TrainMinutes: 0.96, TestAccuracy: 0.932, TestLoss: 0.311},
}

// studyOrder lists the study's models in its order: graphs.Names.
var studyOrder = graphs.Names

// architecture describes a model's convolution filters and hidden dense
// units, e.g. "32, 32" and "—".
func architecture(m *graphs.Model) (filters, units string) {
	var f, u []string
	for _, l := range m.Layers {
		switch v := l.(type) {
		case *graphs.Conv2D:
			f = append(f, fmt.Sprint(v.Filters))
		case *graphs.Dense:
			if v.Activation != graphs.Softmax {
				u = append(u, fmt.Sprint(v.Units))
			}
		}
	}
	dash := func(s []string) string {
		if len(s) == 0 {
			return "—"
		}
		return strings.Join(s, ", ")
	}
	return dash(f), dash(u)
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// comparisonTable is the study's table: our row and the published row for
// every model.
func comparisonTable(runs []*RunArtifacts) table {
	t := table{
		Caption: "Our runs beside the study's published numbers (training and validation accuracy of the last epoch).",
		Header:  []string{"Model", "Source", "Filters", "Dense units", "Batch size", "Epochs", "Train acc", "Validation acc", "Train time", "Test acc", "Test loss", "Params"},
		Numeric: []bool{false, false, false, false, true, true, true, true, true, true, true, true},
	}
	for _, r := range runs {
		filters, units := architecture(r.Model)
		last := r.History.Epochs[len(r.History.Epochs)-1]
		t.Rows = append(t.Rows, tableRow{Cells: []string{
			r.Name, "ours", filters, units, fmt.Sprint(r.Run.Batch), fmt.Sprint(len(r.History.Epochs)),
			fmt.Sprintf("%.3f", last.Accuracy), fmt.Sprintf("%.3f", last.ValAccuracy), minutes(r.Run.TrainSeconds),
			fmt.Sprintf("%.3f", r.Run.TestAccuracy), fmt.Sprintf("%.3f", r.Run.TestLoss), thousands(r.Model.ParamCount()),
		}})
		st, ok := studyResults[r.Name]
		if !ok {
			continue
		}
		// The study's configuration is the graphs definition of the model.
		sm, err := graphs.ByName(r.Name, 5)
		cells := []string{r.Name, "study", "", "", "", "", fmt.Sprintf("%.3f", st.TrainAccuracy), fmt.Sprintf("%.3f", st.ValAccuracy),
			fmt.Sprintf("%.2f min", st.TrainMinutes), fmt.Sprintf("%.3f", st.TestAccuracy), fmt.Sprintf("%.3f", st.TestLoss), ""}
		if err == nil {
			cells[2], cells[3] = architecture(sm)
			cells[4], cells[5], cells[11] = fmt.Sprint(sm.Batch), fmt.Sprint(sm.Epochs), thousands(sm.ParamCount())
		}
		t.Rows = append(t.Rows, tableRow{Cells: cells, Class: "study"})
	}
	return t
}

// runtimeTable shows how long each model took to train and to predict.
func runtimeTable(runs []*RunArtifacts) table {
	t := table{
		Header:  []string{"Model", "Engine", "Device", "Threads", "Params", "Training time", "Time per epoch", "Prediction time", "Per test image"},
		Numeric: []bool{false, false, false, true, true, true, true, true, true},
	}
	hosts := map[string]bool{}
	var hostList []string
	for _, r := range runs {
		perEpoch := 0.0
		for _, e := range r.History.Epochs {
			perEpoch += e.Seconds
		}
		if perEpoch == 0 {
			perEpoch = r.Run.TrainSeconds
		}
		perEpoch /= float64(len(r.History.Epochs))
		engine := r.Run.Engine
		if r.Run.EngineVersion != "" {
			engine += " " + r.Run.EngineVersion
		}
		n := r.Run.TestExamples
		perImage := "—"
		if n > 0 {
			perImage = fmt.Sprintf("%.3f ms", 1000*r.Run.PredictSeconds/float64(n))
		}
		t.Rows = append(t.Rows, tableRow{Cells: []string{
			r.Name, engine, r.Run.Device, fmt.Sprint(r.Run.Threads), thousands(r.Model.ParamCount()),
			fmt.Sprintf("%.1f s (%s)", r.Run.TrainSeconds, minutes(r.Run.TrainSeconds)), fmt.Sprintf("%.1f s", perEpoch),
			fmt.Sprintf("%.2f s for %s images", r.Run.PredictSeconds, thousands(n)), perImage,
		}})
		if h := r.Run.HostCPU; h != "" && !hosts[h] {
			hosts[h] = true
			hostList = append(hostList, h)
		}
	}
	t.Caption = "Training and prediction times of our runs."
	if len(hostList) > 0 {
		t.Caption += " Host: " + strings.Join(hostList, "; ") + "."
	}
	return t
}

// classTable lists each class's precision and recall from run.json.
func classTable(r *RunArtifacts, names []string) table {
	t := table{
		Caption: fmt.Sprintf("Model %s: precision and recall per label on the test set.", r.Name),
		Header:  []string{"Label", "Name", "Test images", "Precision", "Recall"},
		Numeric: []bool{true, false, true, true, true},
	}
	for i, row := range r.Run.Confusion {
		total := 0
		for _, v := range row {
			total += v
		}
		cells := []string{fmt.Sprint(i), nameOf(names, i), thousands(total), "—", "—"}
		if i < len(r.Run.Precision) {
			cells[3] = fmt.Sprintf("%.3f", r.Run.Precision[i])
		}
		if i < len(r.Run.Recall) {
			cells[4] = fmt.Sprintf("%.3f", r.Run.Recall[i])
		}
		t.Rows = append(t.Rows, tableRow{Cells: cells})
	}
	return t
}

// scoresTable lists ARI, NMI and silhouette of every labelling analysed.
func scoresTable(a *analysis.Analysis) table {
	t := table{
		Caption: fmt.Sprintf("Agreement of each labelling of the test images with the truth, on the encoding of model %s (%s images, %d dimensions).", a.Model, thousands(a.Rows), a.Dims),
		Header:  []string{"Method", "ARI (5 labels)", "NMI (5 labels)", "Silhouette", "ARI (10 classes)", "NMI (10 classes)"},
		Numeric: []bool{false, true, true, true, true, true},
	}
	known := []string{"labels", "kmeans", "dbscan", "subclasses"}
	var methods []string
	for _, m := range known {
		if _, ok := a.Scores[m]; ok {
			methods = append(methods, m)
		}
	}
	var rest []string
	for m := range a.Scores {
		if !slices.Contains(known, m) {
			rest = append(rest, m)
		}
	}
	sort.Strings(rest)
	describe := map[string]string{
		"labels":     "true labels",
		"kmeans":     fmt.Sprintf("k-means (k=%d)", a.KMeans.K),
		"dbscan":     fmt.Sprintf("DBSCAN (%d clusters)", a.DBSCAN.Clusters),
		"subclasses": "label + sub-class",
	}
	for _, m := range append(methods, rest...) {
		s := a.Scores[m]
		name := describe[m]
		if name == "" {
			name = m
		}
		ten := func(v float64) string {
			if !a.HasClasses {
				return "—"
			}
			return fmt.Sprintf("%.3f", v)
		}
		t.Rows = append(t.Rows, tableRow{Cells: []string{name, fmt.Sprintf("%.3f", s.ARI5), fmt.Sprintf("%.3f", s.NMI5),
			fmt.Sprintf("%.3f", s.Silhouette5), ten(s.ARI10), ten(s.NMI10)}})
	}
	return t
}
