package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
)

// figure is one PNG of the report.
type figure struct {
	File, Alt     string
	Width, Height int // pixels, 0 when unknown
}

// modelSection is what the page shows of one run.
type modelSection struct {
	Name                               string
	Summary                            string
	Overfit                            string
	Notes                              []string
	Accuracy, Loss, Diagram, Confusion figure
	Classes                            table
}

// gridFigure is the grid of one label's first training images.
type gridFigure struct {
	Label  int
	Name   string
	Count  int
	Figure figure // empty File when Count is 0
}

// subclassGroup is the sub-classes discovered inside one label.
type subclassGroup struct {
	Label int
	Name  string
	K     int
	Rows  []subclassRow
}

// subclassRow is one discovered sub-class.
type subclassRow struct {
	Index                              int
	Members, Majority, Purity, Classes string
	Strip                              *figure // representative test images; nil when unavailable
}

// page is everything the HTML template and the Markdown writer show.
type page struct {
	Title, Generated, RunsDir string
	Findings                  []string
	Runtime, Comparison       table
	Models                    []modelSection
	Overlay                   *figure
	Analysed                  string
	Answer                    []string // which clothes each label merges (subclassAnswer)
	CM4                       []figure
	CM4Notes                  []string
	Explorer                  explorerView
	Scores                    *table
	Grids                     []gridFigure
	Subclasses                []subclassGroup
	SubclassMethod            string // how the sub-classes were found, in a sentence
	PictureNotes              []string
	Notes                     []string
}

// eachFigure calls f on every figure of the page.
func (p *page) eachFigure(f func(*figure)) {
	for i := range p.Models {
		m := &p.Models[i]
		f(&m.Accuracy)
		f(&m.Loss)
		f(&m.Diagram)
		f(&m.Confusion)
	}
	if p.Overlay != nil {
		f(p.Overlay)
	}
	for i := range p.CM4 {
		f(&p.CM4[i])
	}
	for i := range p.Grids {
		f(&p.Grids[i].Figure)
	}
	for i := range p.Subclasses {
		for j := range p.Subclasses[i].Rows {
			if s := p.Subclasses[i].Rows[j].Strip; s != nil {
				f(s)
			}
		}
	}
}

// Section headings, shared by the HTML page, the Markdown file and tests.
const (
	headFindings   = "Summary of findings"
	headRuntime    = "Runtime performance"
	headComparison = "Comparison with the study"
	headCurves     = "Training curves"
	headModels     = "Model summaries and architectures"
	headConfusion  = "Confusion matrices"
	headCM4        = "CM4: clustering the encoding"
	headScores     = "Clustering scores"
	headImages     = "Training images by label"
	headSubclasses = "Discovered sub-classes"
	headNotes      = "Notes"
)

// Headings lists the section headings every report has, in order.
func Headings() []string {
	return []string{headFindings, headRuntime, headComparison, headCurves, headModels, headConfusion,
		headCM4, headScores, headImages, headSubclasses, headNotes}
}

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"head": func(s string) string {
		m := map[string]string{
			"findings": headFindings, "runtime": headRuntime, "comparison": headComparison, "curves": headCurves,
			"models": headModels, "confusion": headConfusion, "cm4": headCM4, "scores": headScores,
			"images": headImages, "subclasses": headSubclasses, "notes": headNotes,
		}
		return m[s]
	},
	"align": func(t table, i int) string {
		if i < len(t.Numeric) && t.Numeric[i] {
			return "num"
		}
		return ""
	},
	"half": func(n int) int { return n / 2 },
}).Parse(htmlSource))

// renderHTML executes the page template.
func renderHTML(p *page) ([]byte, error) {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("render %s: %w", HTMLFile, err)
	}
	// The template's definitions leave blank lines before the doctype.
	return append(bytes.TrimSpace(buf.Bytes()), '\n'), nil
}
