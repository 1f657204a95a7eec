// Command report analyses one trained model's encoding of the test set (the
// study's CM4: PCA, k-means, DBSCAN, t-SNE, sub-classes) and renders the
// report of all runs (the study's CM3 and CM4) into one directory:
// index.html, REPORT.md, analysis.json, the per-image CSV files and the PNGs.
//
// Usage:
//
//	go run ./cmd/report [-runs runs] [-out report] [-data DIR] [-model A]
//	                    [-k 5] [-eps 2.8] [-min-samples 4] [-perplexity 30] [-seed 5]
//	                    [-skip-analysis] [-quiet]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"fmnist/analysis"
	"fmnist/graphs"
	"fmnist/report"
	"fmnist/tfrunner"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var a analysis.Options
	var r report.Options
	var skip, quiet bool
	fs.StringVar(&a.RunsDir, "runs", "runs", "`dir` holding the run directories <dir>/<model>/")
	fs.StringVar(&a.OutDir, "out", "report", "output `dir`")
	fs.StringVar(&r.DataDir, "data", "", "dataset `dir` for the image grids (default: the one recorded in the analysed run)")
	fs.StringVar(&a.Model, "model", "A", "the `model` whose encoding is analysed")
	fs.IntVar(&a.K, "k", 5, "k-means clusters")
	fs.Float64Var(&a.Eps, "eps", 2.8, "DBSCAN radius")
	fs.IntVar(&a.MinSamples, "min-samples", 4, "DBSCAN core size (the point itself included)")
	fs.Float64Var(&a.Perplexity, "perplexity", 30, "t-SNE perplexity")
	fs.Uint64Var(&a.Seed, "seed", 5, "seed of k-means, t-SNE and sub-class discovery")
	fs.BoolVar(&skip, "skip-analysis", false, "render from an existing analysis.json instead of recomputing it")
	fs.BoolVar(&quiet, "quiet", false, "print only errors")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: report [flags]\n\nAnalyses a run's encoding and renders the report of all runs.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "report: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := (analysis.Options{K: a.K, Eps: a.Eps, MinSamples: a.MinSamples, Perplexity: a.Perplexity}).Check(); err != nil || a.K == 0 || a.Eps == 0 || a.MinSamples == 0 || a.Perplexity == 0 {
		if err == nil {
			err = fmt.Errorf("-k, -eps, -min-samples and -perplexity must be positive")
		}
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 2
	}
	if !quiet {
		a.Log = stdout
	}
	out := a.OutDir
	r.RunsDir, r.OutDir, r.Model = a.RunsDir, out, a.Model
	if !skip {
		// Check the runs before the long analysis, then analyse into a
		// staging directory whose files Render writes into the output with
		// the report, so bad input leaves no output behind.
		if err := checkRuns(a.RunsDir, a.Model); err != nil {
			fmt.Fprintf(stderr, "report: %v\n", err)
			return 1
		}
		removeStaleAnalyses()
		stage, err := os.MkdirTemp("", analysisPrefix)
		if err != nil {
			fmt.Fprintf(stderr, "report: %v\n", err)
			return 1
		}
		defer os.RemoveAll(stage)
		// The lock tells later reports that this folder is in use.
		if lock, err := tfrunner.LockRunDir(stage); err == nil {
			defer lock.Unlock()
		}
		defer cleanUpOnSignal(stage, out, stderr)()
		a.OutDir, r.AnalysisDir, r.CopyAnalysis = stage, stage, true
		if _, err := analysis.Run(a); err != nil {
			fmt.Fprintf(stderr, "report: %v\n", err)
			return 1
		}
	}
	if err := removeStaleStaging(out); err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 1
	}
	res, err := report.Render(r)
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 1
	}
	if !quiet {
		for _, n := range res.Notes {
			fmt.Fprintf(stdout, "note: %s\n", n)
		}
		fmt.Fprintf(stdout, "report: %s (%d images), %s\n", res.HTML, len(res.Images), res.Markdown)
	}
	return 0
}

// checkRuns reads every run the report shows, as report.Render will, so that
// a corrupt one fails before the analysis rather than after it. Missing or
// unfinished runs are left to the analysis (the analysed model) and to
// Render (the others, skipped with a note). The analysed run's run.json must
// name the model of its directory: the analysis is labelled with it.
func checkRuns(runsDir, model string) error {
	names := graphs.Names
	if !slices.Contains(names, model) {
		names = append(slices.Clip(names), model)
	}
	for _, name := range names {
		dir := filepath.Join(runsDir, name)
		run, err := report.ReadRun(dir)
		if errors.Is(err, report.ErrIncomplete) {
			continue
		}
		if err != nil {
			return fmt.Errorf("model %s: %w", name, err)
		}
		if name == model && run.Name != model {
			return fmt.Errorf("model %s: %s names model %q: the directory holds another model's run", model, filepath.Join(dir, "run.json"), run.Name)
		}
	}
	return nil
}

// analysisPrefix names the temporary folders the analysis is staged in.
const analysisPrefix = "report-analysis-"

// removeStaleAnalyses removes the analysis folders that reports killed
// with SIGKILL left in the temporary directory: those older than a minute
// whose lock no running report holds.
func removeStaleAnalyses() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), analysisPrefix+"*"))
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() || time.Since(st.ModTime()) < time.Minute {
			continue
		}
		if lock, err := tfrunner.LockRunDir(d); err == nil {
			os.RemoveAll(d)
			lock.Unlock()
		}
	}
}

// stagingPrefix is the prefix of the staging directories report.Render
// makes inside the output directory.
const stagingPrefix = ".report-staging-"

// cleanUpOnSignal makes SIGINT and SIGTERM remove the analysis staging
// directory stage and the report's staging directories in out, then exit
// with status 130. The returned function stops it.
func cleanUpOnSignal(stage, out string, stderr io.Writer) (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigs:
			os.RemoveAll(stage)
			removeStaleStaging(out)
			fmt.Fprintf(stderr, "report: interrupted by %v: temporary files removed; %s holds the previous report, if any\n", sig, out)
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// removeStaleStaging removes the staging directories that a report killed
// while writing left in out.
func removeStaleStaging(out string) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil // no output directory yet
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), stagingPrefix) {
			if err := os.RemoveAll(filepath.Join(out, e.Name())); err != nil {
				return fmt.Errorf("remove a stale staging directory: %w", err)
			}
		}
	}
	return nil
}
