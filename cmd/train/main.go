// Command train trains the study's models on Fashion-MNIST and writes one run
// directory per model (runs/<model>/: model.json, summary.txt,
// architecture.png, history.json, weights.ckpt, encoding_test.csv,
// predictions_test.csv and, last, run.json).
//
// Usage:
//
//	go run ./cmd/train [-data DIR] [-models default,A,B] [-engine native|tensorflow]
//	                   [-out runs] [-epochs N] [-batch N] [-limit N] [-seed 5]
//	                   [-classes 5|10] [-threads N] [-log-steps N] [-resume] [-summary]
//	                   [-quiet]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"fmnist/dataset"
	"fmnist/graphs"
	"fmnist/tfrunner"
	_ "fmnist/tfrunner/native"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	data, models, engine, out string
	epochs, batch, limit      int
	seed                      uint64
	classes, threads          int
	logSteps                  int
	resume, summary, quiet    bool
}

func parse(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.data, "data", "", "dataset `dir` with the four CSV files or the IDX files (default ./data, else "+dataset.DefaultDir+")")
	fs.StringVar(&c.models, "models", strings.Join(graphs.Names, ","), "comma-separated `models` to train: default, A, B")
	fs.StringVar(&c.engine, "engine", tfrunner.DefaultEngine(), "training `engine`: native or tensorflow (needs -tags tensorflow)")
	fs.StringVar(&c.out, "out", "runs", "output `dir`; each model writes <dir>/<model>/")
	fs.IntVar(&c.epochs, "epochs", 0, "epochs (default: the model's own: default 10, A 5, B 10)")
	fs.IntVar(&c.batch, "batch", 0, "batch size (default: the model's own: default 10, A 32, B 32)")
	fs.IntVar(&c.limit, "limit", 0, "use only the first `N` training images, before the validation split (0 = all)")
	fs.Uint64Var(&c.seed, "seed", 5, "random seed for initial weights and shuffling")
	fs.IntVar(&c.classes, "classes", 5, "5 (grouped labels) or 10 (original classes; needs the IDX files, or CSV files made from them)")
	fs.IntVar(&c.threads, "threads", 0, "engine threads (0 = all cores)")
	fs.IntVar(&c.logSteps, "log-steps", 0, fmt.Sprintf("log the batch loss and accuracy to TensorBoard every `N` steps (0 = %d)", tfrunner.DefaultLogSteps))
	fs.BoolVar(&c.resume, "resume", false, "continue each model from its checkpoint; skip finished models")
	fs.BoolVar(&c.summary, "summary", false, "print each model's summary and parameter count, train nothing")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress display")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: train [flags]\n\nTrains the study's CNNs on Fashion-MNIST and writes runs/<model>/.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["epochs"] && c.epochs < 1:
		return nil, fmt.Errorf("-epochs %d: must be at least 1", c.epochs)
	case set["batch"] && c.batch < 1:
		return nil, fmt.Errorf("-batch %d: must be at least 1", c.batch)
	case c.limit < 0:
		return nil, fmt.Errorf("-limit %d: must be positive (or 0 for all)", c.limit)
	case c.classes != 5 && c.classes != 10:
		return nil, fmt.Errorf("-classes %d: must be 5 or 10", c.classes)
	case c.threads < 0:
		return nil, fmt.Errorf("-threads %d: must be positive (or 0 for all cores)", c.threads)
	case c.logSteps < 0:
		return nil, fmt.Errorf("-log-steps %d: must be positive (or 0 for every %d steps)", c.logSteps, tfrunner.DefaultLogSteps)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "train: %v\n", err)
		return 2
	}
	var models []*graphs.Model
	for _, name := range strings.Split(c.models, ",") {
		m, err := graphs.ByName(strings.TrimSpace(name), c.classes)
		if err != nil {
			fmt.Fprintf(stderr, "train: -models: %v\n", err)
			return 2
		}
		models = append(models, m)
	}
	if c.summary {
		for _, m := range models {
			fmt.Fprintf(stdout, "%s\n", m.Summary())
		}
		return 0
	}
	eng, err := tfrunner.Open(c.engine)
	if err != nil {
		fmt.Fprintf(stderr, "train: -engine: %v\n", err)
		return 2
	}
	// Refuse a batch size or thread count the machine cannot hold before
	// training any model.
	for _, m := range models {
		if err := tfrunner.CheckMemory(eng, m, tfrunner.Options{Batch: c.batch, Threads: c.threads}); err != nil {
			fmt.Fprintf(stderr, "train: model %s: %v\n", m.Name, err)
			return 1
		}
	}
	data, err := dataset.Load(dataset.Options{Dir: c.data, Classes: c.classes, Limit: c.limit})
	if err != nil {
		fmt.Fprintf(stderr, "train: %v\n", err)
		return 1
	}
	if !c.quiet {
		fmt.Fprintf(stdout, "data: %s (%s): %d train, %d validation, %d test images, %d classes; engine %s\n",
			data.Dir, data.Format, data.Train.N, data.Validation.N, data.Test.N, data.Classes, eng.Name())
	}
	for _, m := range models {
		opts := tfrunner.Options{Epochs: c.epochs, Batch: c.batch, Seed: c.seed, Threads: c.threads,
			LogSteps: c.logSteps, Dir: filepath.Join(c.out, m.Name), Resume: c.resume}
		if !c.quiet {
			opts.Progress = tfrunner.NewProgress(stdout, m.Name)
		}
		r, err := tfrunner.TrainModel(ctx, eng, m, data, opts)
		if errors.Is(err, tfrunner.ErrInterrupted) {
			fmt.Fprintf(stderr, "train: %v\ntrain: saved %s; continue with the same flags and -resume\n", err, filepath.Join(opts.Dir, tfrunner.WeightsFile))
			return 130
		}
		if err != nil {
			fmt.Fprintf(stderr, "train: %v\n", err)
			return 1
		}
		if !c.quiet {
			fmt.Fprintf(stdout, "%s: test loss %.4f, test accuracy %.4f, trained in %.1fs on %s, predicted %d images in %.2fs -> %s\n",
				m.Name, r.TestLoss, r.TestAccuracy, r.TrainSeconds, r.Device, r.TestExamples, r.PredictSeconds, opts.Dir)
		}
	}
	return 0
}
