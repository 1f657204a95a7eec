package report

import (
	"bytes"
	"fmt"
	"strings"
)

// mdEscaper makes text safe in Markdown: table separators and the
// characters of inline HTML are escaped, line breaks become spaces.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|", "\r", " ", "\n", " ",
	"*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]",
)

func md(s string) string { return mdEscaper.Replace(s) }

// mdTable writes t as a GitHub-flavoured Markdown table.
func mdTable(b *bytes.Buffer, t table) {
	if t.Caption != "" {
		fmt.Fprintf(b, "_%s_\n\n", md(t.Caption))
	}
	b.WriteString("|")
	for _, h := range t.Header {
		b.WriteString(" " + md(h) + " |")
	}
	b.WriteString("\n|")
	for i := range t.Header {
		if i < len(t.Numeric) && t.Numeric[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		b.WriteString("|")
		for i, c := range r.Cells {
			if i == 1 && r.Class == "study" {
				c = c + " (published)"
			}
			b.WriteString(" " + md(c) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// mdImage writes an image reference; file names are our own slugs.
func mdImage(b *bytes.Buffer, f figure) {
	if f.File != "" {
		fmt.Fprintf(b, "![%s](%s)\n\n", md(f.Alt), f.File)
	}
}

func mdNotes(b *bytes.Buffer, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(b, "> %s\n\n", md(n))
	}
}

// renderMarkdown writes REPORT.md: the same sections and tables as the page,
// with the PNGs referenced beside it.
func renderMarkdown(p *page) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", md(p.Title))
	fmt.Fprintf(&b, "Generated %s from the runs in `%s`", md(p.Generated), strings.ReplaceAll(p.RunsDir, "`", "'"))
	if p.Analysed != "" {
		fmt.Fprintf(&b, " and the analysis of model %s", md(p.Analysed))
	}
	b.WriteString(". The HTML version is [index.html](index.html).\n\n")

	fmt.Fprintf(&b, "## %s\n\n", headFindings)
	for _, f := range p.Findings {
		fmt.Fprintf(&b, "- %s\n", md(f))
	}
	b.WriteString("\n")

	fmt.Fprintf(&b, "## %s\n\n", headRuntime)
	mdTable(&b, p.Runtime)

	fmt.Fprintf(&b, "## %s\n\n", headComparison)
	mdTable(&b, p.Comparison)

	fmt.Fprintf(&b, "## %s\n\n", headCurves)
	for _, m := range p.Models {
		fmt.Fprintf(&b, "### Model %s\n\n%s.\n\n", md(m.Name), md(m.Overfit))
		mdImage(&b, m.Accuracy)
		mdImage(&b, m.Loss)
	}
	if p.Overlay != nil {
		b.WriteString("### Validation accuracy of every model\n\n")
		mdImage(&b, *p.Overlay)
	}

	fmt.Fprintf(&b, "## %s\n\n", headModels)
	for _, m := range p.Models {
		fmt.Fprintf(&b, "### Model %s\n\n", md(m.Name))
		mdNotes(&b, m.Notes)
		// A fence longer than any run of backticks in the summary.
		fence := "```"
		for strings.Contains(m.Summary, fence) {
			fence += "`"
		}
		fmt.Fprintf(&b, "%s\n%s\n%s\n\n", fence, strings.TrimRight(m.Summary, "\n"), fence)
		mdImage(&b, m.Diagram)
	}

	fmt.Fprintf(&b, "## %s\n\n", headConfusion)
	for _, m := range p.Models {
		fmt.Fprintf(&b, "### Model %s\n\n", md(m.Name))
		mdImage(&b, m.Confusion)
		mdTable(&b, m.Classes)
	}

	fmt.Fprintf(&b, "## %s", headCM4)
	if p.Analysed != "" {
		fmt.Fprintf(&b, " of model %s", md(p.Analysed))
	}
	b.WriteString("\n\n")
	if len(p.Answer) > 0 {
		fmt.Fprintf(&b, "**Which clothes each label merges** (representative images of every sub-class under %s):\n\n", headSubclasses)
		for _, a := range p.Answer {
			fmt.Fprintf(&b, "- %s\n", md(a))
		}
		b.WriteString("\n")
	}
	mdNotes(&b, p.CM4Notes)
	for _, f := range p.CM4 {
		mdImage(&b, f)
	}

	fmt.Fprintf(&b, "## %s\n\n", headScores)
	if p.Scores != nil {
		mdTable(&b, *p.Scores)
	} else {
		mdNotes(&b, []string{"No clustering scores: analysis.json is missing."})
	}

	fmt.Fprintf(&b, "## %s\n\nThe first 50 training images, grouped by label.\n\n", headImages)
	mdNotes(&b, p.PictureNotes)
	for _, g := range p.Grids {
		fmt.Fprintf(&b, "### Label %d: %s (%d images)\n\n", g.Label, md(g.Name), g.Count)
		if g.Figure.File != "" {
			mdImage(&b, g.Figure)
		} else {
			mdNotes(&b, []string{"No image of this label among the first 50."})
		}
	}

	fmt.Fprintf(&b, "## %s\n\n", headSubclasses)
	if p.SubclassMethod != "" {
		fmt.Fprintf(&b, "%s\n\n", md(p.SubclassMethod))
	}
	if len(p.Subclasses) == 0 {
		mdNotes(&b, []string{"No sub-class analysis available."})
	}
	for _, s := range p.Subclasses {
		fmt.Fprintf(&b, "### Label %d: %s (%d sub-classes)\n\n", s.Label, md(s.Name), s.K)
		b.WriteString("| Sub-class | Images | Majority class | Purity | Original classes | Representative test images |\n|---:|---:|---|---:|---|---|\n")
		for _, r := range s.Rows {
			img := "—"
			if r.Strip != nil {
				img = fmt.Sprintf("![%s](%s)", md(r.Strip.Alt), r.Strip.File)
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", r.Index, md(r.Members), md(r.Majority), md(r.Purity), md(r.Classes), img)
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "## %s\n\n", headNotes)
	if len(p.Notes) == 0 {
		b.WriteString("Every artifact was present.\n")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "- %s\n", md(n))
	}
	return b.Bytes(), nil
}
