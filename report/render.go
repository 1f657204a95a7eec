// Package report renders the fmnist study's report from the artifacts of
// the training runs (runs/<model>/, read by package tfrunner) and the
// analysis of one run's encoding (package analysis, in memory or read from
// analysis.json and its CSV files): one self-contained HTML page
// (index.html), the same tables in Markdown (REPORT.md) and the PNG charts
// and picture grids both refer to, written together in one staged step. It
// never trains and never recomputes what the artifacts hold; it only reads
// the dataset to draw images.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"fmnist/analysis"
	"fmnist/dataset"
	"fmnist/graphs"
)

// Output file names.
const (
	HTMLFile     = "index.html"
	MarkdownFile = "REPORT.md"
)

// Options says where the report goes and how it is titled.
type Options struct {
	// RunsDir is the directory the runs were read from, as the page names
	// it; default "runs".
	RunsDir string
	// OutDir receives index.html, REPORT.md and the PNG files; default
	// "out/report".
	OutDir string
	// WriteAnalysis writes the analysis files of Inputs.Analysis
	// (analysis.json and its CSV files) into OutDir in the same staged
	// write as the report, before it, so that they are replaced together.
	// Without it, the analysis files OutDir holds (those an analysis read
	// from it came from) stay, as part of the new report.
	WriteAnalysis bool
	// DataDir is the dataset directory read for the picture grids; ""
	// means the directory recorded in the analysed run's run.json. When
	// DataDir is set and cannot be read Render fails; otherwise the
	// pictures are left out with a note.
	DataDir string
	// Model is the analysed model, whose encoding the CM4 section shows;
	// default "A".
	Model string
	// Title is the page title; default "Fashion-MNIST: grouped-label CNN
	// study".
	Title string
}

// DefaultOutDir is the report's default output directory, outside every
// package of the source tree.
const DefaultOutDir = "out/report"

// Result says what Render wrote.
type Result struct {
	// HTML and Markdown are the paths of index.html and REPORT.md.
	HTML, Markdown string
	// Images are the paths of the PNG files written.
	Images []string
	// Models are the models reported, in order.
	Models []string
	// Findings are the sentences of the summary of findings.
	Findings []string
	// Notes say what was missing or skipped.
	Notes []string
}

// Render makes the report of in and writes it into opts.OutDir: every PNG,
// REPORT.md, then index.html, with the analysis files first when
// opts.WriteAnalysis is set. It reads nothing but the dataset (with
// Inputs.LoadData, unless the caller has), for the
// pictures. On error nothing is written (files of an earlier report are
// left as they were).
func Render(in *Inputs, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	if len(in.Runs) == 0 {
		return nil, fmt.Errorf("no complete run in %s (looked for %v)", opts.RunsDir, graphs.Names)
	}
	model := opts.Model // the analysed model
	if in.Analysis != nil {
		model = in.Analysis.Analysis.Model
	}
	if !in.dataLoaded {
		if err := in.LoadData(opts.DataDir, model); err != nil {
			return nil, err
		}
	}
	b := &builder{opts: opts, runs: in.Runs, an: in.Analysis, analysed: in.Run(model), data: in.Data, notes: slices.Clone(in.Notes)}
	if err := b.build(); err != nil {
		return nil, err
	}
	var files []outFile
	if opts.WriteAnalysis && in.Analysis != nil {
		afiles, err := in.Analysis.Files()
		if err != nil {
			return nil, err
		}
		for _, f := range afiles {
			files = append(files, outFile{f.Name, f.Data})
		}
	}
	files = append(files, b.images...)
	md, err := renderMarkdown(&b.page)
	if err != nil {
		return nil, err
	}
	html, err := renderHTML(&b.page)
	if err != nil {
		return nil, err
	}
	files = append(files, outFile{MarkdownFile, md}, outFile{HTMLFile, html})
	var keep []string // analysis files read from OutDir and not rewritten
	if !opts.WriteAnalysis {
		keep = analysis.FileNames
	}
	if err := writeOutputs(opts.OutDir, files, keep); err != nil {
		return nil, err
	}
	res := &Result{
		HTML:     filepath.Join(opts.OutDir, HTMLFile),
		Markdown: filepath.Join(opts.OutDir, MarkdownFile),
		Findings: b.page.Findings,
		Notes:    b.page.Notes,
	}
	for _, f := range b.images {
		res.Images = append(res.Images, filepath.Join(opts.OutDir, f.name))
	}
	for _, r := range b.runs {
		res.Models = append(res.Models, r.Name)
	}
	return res, nil
}

func (o Options) withDefaults() Options {
	if o.RunsDir == "" {
		o.RunsDir = "runs"
	}
	if o.OutDir == "" {
		o.OutDir = DefaultOutDir
	}
	if o.Model == "" {
		o.Model = "A"
	}
	if o.Title == "" {
		o.Title = "Fashion-MNIST: grouped-label CNN study"
	}
	return o
}

// builder gathers the inputs and makes the page and its images.
type builder struct {
	opts     Options
	runs     []*RunArtifacts
	an       *analysis.Result
	analysed *RunArtifacts // the run whose encoding was analysed, if reported
	data     *dataset.Data
	notes    []string

	page   page
	images []outFile
	jobs   []job
}

// job makes one PNG.
type job struct {
	name string
	make func() ([]byte, error)
}

func (b *builder) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

// labelNames names the labels of the reported runs.
func (b *builder) labelNames() []string {
	classes := len(dataset.GroupNames)
	if b.analysed != nil {
		classes = b.analysed.Run.Classes
	} else if len(b.runs) > 0 {
		classes = b.runs[0].Run.Classes
	}
	if n := dataset.Names(classes); n != nil {
		return n
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// slug makes a model name safe in a file name.
func slug(name string) string {
	s := unsafeName.ReplaceAllString(name, "_")
	if s != name || s == "" {
		h := uint32(2166136261)
		for i := 0; i < len(name); i++ {
			h = (h ^ uint32(name[i])) * 16777619
		}
		s = fmt.Sprintf("%s%08x", s, h)
	}
	return s
}

// add schedules a PNG and returns its figure.
func (b *builder) add(name, alt string, make func() ([]byte, error)) figure {
	b.jobs = append(b.jobs, job{name: name, make: make})
	return figure{File: name, Alt: alt}
}

// build makes the page model and renders every PNG.
func (b *builder) build() error {
	p := &b.page
	p.Title = b.opts.Title
	p.Generated = time.Now().UTC().Format("2006-01-02 15:04 MST")
	p.RunsDir = b.opts.RunsDir
	names := b.labelNames()
	p.Runtime = runtimeTable(b.runs)
	p.Comparison = comparisonTable(b.runs)
	var an *analysis.Analysis
	if b.an != nil {
		an = &b.an.Analysis
	}
	p.Findings = findings(b.runs, an, names)
	p.Answer = subclassAnswer(an, names)

	for _, r := range b.runs {
		r := r
		s := slug(r.Name)
		ms := modelSection{Name: r.Name, Summary: r.Summary, Notes: r.Notes, Overfit: capitalize(DetectOverfitting(r.History.Epochs).String())}
		ms.Accuracy = b.add("curves_"+s+"_accuracy.png", "Training and validation accuracy per epoch of model "+r.Name,
			func() ([]byte, error) { return accuracyChart(r.Name, r.History) })
		ms.Loss = b.add("curves_"+s+"_loss.png", "Training and validation loss per epoch of model "+r.Name,
			func() ([]byte, error) { return lossChart(r.Name, r.History) })
		diagram := r.Diagram
		ms.Diagram = b.add("architecture_"+s+".png", "Architecture of model "+r.Name, func() ([]byte, error) { return diagram, nil })
		title := fmt.Sprintf("Model %s: confusion matrix (test accuracy %.3f)", r.Name, r.Run.TestAccuracy)
		confNames := dataset.Names(r.Run.Classes)
		ms.Confusion = b.add("confusion_"+s+".png", "Confusion matrix of model "+r.Name,
			func() ([]byte, error) { return confusionChart(title, r.Run.Confusion, confNames) })
		ms.Classes = classTable(r, confNames)
		p.Models = append(p.Models, ms)
	}
	if len(b.runs) > 1 {
		f := b.add("curves_validation_accuracy.png", "Validation accuracy per epoch of every model",
			func() ([]byte, error) { return validationOverlay(b.runs) })
		p.Overlay = &f
	}

	b.buildCM4(names)
	b.buildExplorer(names)
	b.buildPictures(names)
	p.Notes = b.notes

	images, err := runJobs(b.jobs)
	if err != nil {
		return err
	}
	b.images = images
	// Record each image's pixel size for the page.
	sizes := map[string][2]int{}
	for _, f := range images {
		if w, h, ok := pngSize(f.data); ok {
			sizes[f.name] = [2]int{w, h}
		}
	}
	p.eachFigure(func(f *figure) {
		if s, ok := sizes[f.File]; ok {
			f.Width, f.Height = s[0], s[1]
		}
	})
	return nil
}

// buildCM4 adds the clustering charts and tables of the analysed model.
func (b *builder) buildCM4(names []string) {
	p := &b.page
	if b.an == nil {
		p.CM4Notes = append(p.CM4Notes, "No analysis.json: the clustering of the encoding has not been computed.")
		return
	}
	a := &b.an.Analysis
	p.Analysed = a.Model
	st := scoresTable(a)
	p.Scores = &st
	// True labels (and original classes) of the test images, in order.
	var labels, original []int
	if b.analysed != nil && b.analysed.Predictions != nil && len(b.analysed.Predictions.Labels) == a.Rows {
		labels, original = b.analysed.Predictions.Labels, b.analysed.Predictions.Original
	} else if b.data != nil && b.data.Test.N == a.Rows {
		labels, original = b.data.Test.Labels, b.data.Test.Original
	} else {
		p.CM4Notes = append(p.CM4Notes, "The true labels of the test images are unknown (no predictions_test.csv of the analysed model and no dataset): charts coloured by label are left out.")
	}
	labelName := func(g int) string { return fmt.Sprintf("%d %s", g, nameOf(names, g)) }
	clusterName := func(g int) string { return fmt.Sprintf("cluster %d", g) }
	className := func(g int) string { return nameOf(dataset.ClassNames[:], g) }
	add := func(file, alt string, make func() ([]byte, error)) {
		p.CM4 = append(p.CM4, b.add(file, alt, make))
	}
	an := b.an
	evr := ""
	if v := a.PCA.ExplainedVarianceRatio; len(v) >= 2 {
		evr = fmt.Sprintf(" (%.0f%% + %.0f%% of variance)", 100*v[0], 100*v[1])
	}
	if an.PCA != nil && labels != nil {
		add("cm4_pca_labels.png", "PCA of the encoding coloured by true label", func() ([]byte, error) {
			return scatterChart(fmt.Sprintf("PCA of model %s's encoding, by true label", a.Model), "PC 1"+evr, "PC 2", an.PCA, labels, labelName)
		})
	}
	if an.PCA != nil && an.KMeans != nil {
		add("cm4_pca_kmeans.png", "PCA of the encoding coloured by k-means cluster", func() ([]byte, error) {
			return scatterChart(fmt.Sprintf("PCA of model %s's encoding, by k-means cluster (k=%d)", a.Model, a.KMeans.K), "PC 1"+evr, "PC 2", an.PCA, an.KMeans, clusterName)
		})
	}
	if an.PCA != nil && an.DBSCAN != nil {
		clusters, noise := 0, 0
		seen := map[int]bool{}
		for _, c := range an.DBSCAN {
			if c < 0 {
				noise++
			} else if !seen[c] {
				seen[c] = true
				clusters++
			}
		}
		add("cm4_dbscan.png", "DBSCAN clusters of the encoding on the PCA plane, noise in grey", func() ([]byte, error) {
			return scatterChart(fmt.Sprintf("DBSCAN (eps=%.3g, min_samples=%d): %d clusters, %d noise points", a.DBSCAN.Eps, a.DBSCAN.MinSamples, clusters, noise),
				"PC 1"+evr, "PC 2", an.PCA, an.DBSCAN, clusterName)
		})
	}
	if an.TSNE != nil && labels != nil {
		add("cm4_tsne_labels.png", "t-SNE of the encoding coloured by true label", func() ([]byte, error) {
			return scatterChart(fmt.Sprintf("t-SNE of model %s's encoding, by true label", a.Model), "t-SNE 1", "t-SNE 2", an.TSNE, labels, labelName)
		})
	}
	if an.TSNE != nil && original != nil {
		add("cm4_tsne_classes.png", "t-SNE of the encoding coloured by the 10 original classes", func() ([]byte, error) {
			return scatterChart(fmt.Sprintf("t-SNE of model %s's encoding, by original class", a.Model), "t-SNE 1", "t-SNE 2", an.TSNE, original, className)
		})
	} else if an.TSNE != nil {
		p.CM4Notes = append(p.CM4Notes, "The 10 original classes are unknown (CSV dataset): no t-SNE chart by original class.")
	}
	p.CM4Notes = append(p.CM4Notes, an.Notes...)
}

// buildPictures adds the training-image grids and the sub-class tables.
func (b *builder) buildPictures(names []string) {
	p := &b.page
	var an *analysis.Analysis
	if b.an != nil {
		an = &b.an.Analysis
	}
	if b.data == nil {
		p.PictureNotes = append(p.PictureNotes, "The dataset could not be read: no pictures.")
	} else {
		byLabel := firstByLabel(b.data.Train, 50, len(names))
		for label, idx := range byLabel {
			g := gridFigure{Label: label, Name: nameOf(names, label), Count: len(idx)}
			if len(idx) > 0 {
				train := b.data.Train
				g.Figure = b.add(fmt.Sprintf("images_label%d.png", label), fmt.Sprintf("Training images of label %d (%s)", label, g.Name),
					func() ([]byte, error) { return imageGrid(train, idx, gridCols) })
			}
			p.Grids = append(p.Grids, g)
		}
	}
	if an == nil {
		return
	}
	if len(an.Subclasses) > 0 {
		p.SubclassMethod = subclassMethod(an.SubclassInputs)
	}
	for _, s := range an.Subclasses {
		sg := subclassGroup{Label: s.Label, Name: s.Name, K: s.K}
		if sg.Name == "" {
			sg.Name = nameOf(names, s.Label)
		}
		for k := 0; k < s.K; k++ {
			row := subclassRow{Index: k, Members: thousands(s.Members[k]), Majority: "—", Purity: "—", Classes: "—"}
			if k < len(s.Majority) {
				row.Majority = s.Majority[k]
			}
			if k < len(s.Purity) {
				row.Purity = fmt.Sprintf("%.2f", s.Purity[k])
			}
			if k < len(s.Classes) {
				row.Classes = classCounts(s.Classes[k])
			}
			if k < len(s.Representatives) && len(s.Representatives[k]) > 0 && b.data != nil && b.data.Test.N == an.Rows {
				idx, test := s.Representatives[k], b.data.Test
				f := b.add(fmt.Sprintf("subclass_label%d_%d.png", s.Label, k), fmt.Sprintf("Representative test images of sub-class %d of label %d", k, s.Label),
					func() ([]byte, error) { return imageGrid(test, idx, gridCols) })
				row.Strip = &f
			}
			sg.Rows = append(sg.Rows, row)
		}
		p.Subclasses = append(p.Subclasses, sg)
	}
	if b.data != nil && b.data.Test.N != an.Rows {
		p.PictureNotes = append(p.PictureNotes, fmt.Sprintf("The dataset's test set has %d images but %d were analysed: no representative images.", b.data.Test.N, an.Rows))
	}
}

// classCounts formats the original classes a sub-class holds, largest
// first, e.g. "Shirt 410, T-shirt/top 52".
func classCounts(counts []int) string {
	type cc struct{ class, n int }
	var list []cc
	for c, n := range counts {
		if n > 0 {
			list = append(list, cc{c, n})
		}
	}
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].n > list[j-1].n; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	s := ""
	for i, x := range list {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", nameOf(dataset.ClassNames[:], x.class), x.n)
	}
	if s == "" {
		return "—"
	}
	return s
}

// runJobs renders the PNGs on all cores, keeping their order.
func runJobs(jobs []job) ([]outFile, error) {
	out := make([]outFile, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.NumCPU(), 4); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				data, err := jobs[i].make()
				if err != nil {
					errs[i] = fmt.Errorf("%s: %w", jobs[i].name, err)
				}
				out[i] = outFile{name: jobs[i].name, data: data}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// pngSize reads the dimensions of a PNG.
func pngSize(data []byte) (w, h int, ok bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}

// capitalize upper-cases the first letter of a sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
