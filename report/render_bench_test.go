package report

import (
	"path/filepath"
	"testing"
)

// BenchmarkRender times Render on the small fixture of the tests (two runs,
// the analysis of model A, 60 training and 200 test images): reading the
// artifacts, drawing every chart and picture grid, and writing index.html,
// REPORT.md and the PNG files.
func BenchmarkRender(b *testing.B) {
	fx := writeFixture(b, b.TempDir(), "")
	opts := Options{RunsDir: fx.Runs, OutDir: filepath.Join(b.TempDir(), "report"), DataDir: fx.Data}
	var images int
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := renderDirs(opts, fx.Analysis, nil)
		if err != nil {
			b.Fatal(err)
		}
		images = len(res.Images)
	}
	b.ReportMetric(float64(images), "images/op")
}
