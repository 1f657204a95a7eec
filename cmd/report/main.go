// Command report analyses one trained model's encoding of the test set (the
// study's CM4: PCA, k-means, DBSCAN, t-SNE, sub-classes) and renders the
// report of all runs (the study's CM3 and CM4) into one directory:
// index.html, REPORT.md, analysis.json, the per-image CSV files and the PNGs.
// It reads each run's files once, analyses in memory and writes everything
// in one staged step, so that bad input leaves no output behind.
//
// Usage:
//
//	go run ./cmd/report [-runs runs] [-out out/report] [-data DIR] [-model A]
//	                    [-k 5] [-eps 2.8] [-min-samples 4] [-perplexity 30] [-seed 5]
//	                    [-skip-analysis] [-quiet]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"fmnist/analysis"
	"fmnist/report"
	"fmnist/tfrunner"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("report", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var a analysis.Options
	var runsDir, outDir, dataDir string
	var skip, quiet bool
	flags.StringVar(&runsDir, "runs", "runs", "`dir` holding the run directories <dir>/<model>/")
	flags.StringVar(&outDir, "out", report.DefaultOutDir, "output `dir`")
	flags.StringVar(&dataDir, "data", "", "dataset `dir` for the image grids (default: the one recorded in the analysed run)")
	flags.StringVar(&a.Model, "model", "A", "the `model` whose encoding is analysed")
	flags.IntVar(&a.K, "k", 5, "k-means clusters")
	flags.Float64Var(&a.Eps, "eps", 2.8, "DBSCAN radius")
	flags.IntVar(&a.MinSamples, "min-samples", 4, "DBSCAN core size (the point itself included)")
	flags.Float64Var(&a.Perplexity, "perplexity", 30, "t-SNE perplexity")
	flags.Uint64Var(&a.Seed, "seed", 5, "seed of k-means, t-SNE and sub-class discovery")
	flags.BoolVar(&skip, "skip-analysis", false, "render from an existing analysis.json instead of recomputing it")
	flags.BoolVar(&quiet, "quiet", false, "print only errors")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: report [flags]\n\nAnalyses a run's encoding and renders the report of all runs.\n\nFlags:\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "report: unexpected argument %q\n", flags.Arg(0))
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
	// One report at a time writes an output directory.
	unlock, err := report.LockOutDir(outDir)
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 1
	}
	defer unlock()
	// A report killed while writing leaves its staging directory beside
	// the output directory: the next one removes it, and SIGINT or SIGTERM
	// remove this one's at once.
	if err := report.RemoveStaging(outDir); err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 1
	}
	defer cleanUpOnSignal(outDir, stderr)()
	r := report.Options{RunsDir: runsDir, OutDir: outDir, DataDir: dataDir, Model: a.Model, WriteAnalysis: !skip}
	res, err := build(os.DirFS(runsDir), r, a, skip)
	if err != nil && report.IsInterrupted() {
		// The signal handler may have removed the staging under us; it
		// exits with 130.
		fmt.Fprintf(stderr, "report: %v\n", err)
		select {}
	}
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

// build reads the runs of the report through runs, the file system rooted
// at r.RunsDir, each file once; analyses a.Model's encoding (or, with skip,
// reads the earlier analysis in r.OutDir); and renders the report.
func build(runs fs.FS, r report.Options, a analysis.Options, skip bool) (*report.Result, error) {
	analysed := a.Model // the only run whose encoding's values are kept
	if skip {
		analysed = ""
	}
	in, err := report.ReadRuns(runs, r.RunsDir, nil, analysed)
	if err != nil {
		return nil, err
	}
	if skip {
		if err := in.ReadAnalysis(r.OutDir, a.Model); err != nil {
			return nil, err
		}
		return report.Render(in, r)
	}
	// The analysed run: one of the report's, or read now.
	dir := filepath.Join(r.RunsDir, a.Model)
	run := in.Run(a.Model)
	if run == nil {
		sub, err := fs.Sub(runs, a.Model)
		if err != nil {
			return nil, err
		}
		if run, err = tfrunner.ReadArtifacts(tfrunner.Dir{FS: sub, Path: dir}); err != nil {
			return nil, fmt.Errorf("model %s: %s: the run is missing or incomplete (train it first): %w", a.Model, filepath.Join(dir, tfrunner.RunFile), err)
		}
	}
	// The analysis is labelled with the model of the directory.
	if run.Run.Model != a.Model {
		return nil, fmt.Errorf("model %s: %s names model %q: the directory holds another model's run", a.Model, filepath.Join(dir, tfrunner.RunFile), run.Run.Model)
	}
	// One read of the dataset serves the analysis (the test images join
	// sub-class discovery) and the report's pictures.
	if err := in.LoadData(r.DataDir, a.Model); err != nil {
		return nil, err
	}
	if in.Data != nil {
		if err := run.CheckData(in.Data); err != nil {
			return nil, err
		}
		a.Test = &in.Data.Test
	}
	if in.Analysis, err = analysis.Analyse(run, a); err != nil {
		return nil, err
	}
	return report.Render(in, r)
}

// cleanUpOnSignal makes SIGINT and SIGTERM remove the report's staging
// directories in out, then exit with status 130. The returned function
// stops it.
func cleanUpOnSignal(out string, stderr io.Writer) (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigs:
			report.Interrupted(out) // waits for a move in progress, and holds off any other
			fmt.Fprintf(stderr, "report: interrupted by %v: temporary files removed; %s holds either the previous report (if any) or, had all its files been moved into place, the new one, never a mix\n", sig, out)
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
