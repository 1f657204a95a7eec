// Command prepare writes the Fashion-MNIST CSV files fmnist trains on from
// the original IDX files:
//
//	go run ./cmd/prepare [-from DIR] [-out DIR]
//
// It writes x_train.csv, y_train.csv, x_test.csv and y_test.csv, with the 5
// grouped labels in the y files, byte-identical to what pandas
// DataFrame.to_csv(index=False) writes, and manifest.json, which lets train
// and report refuse a directory whose files do not belong together. All four
// files are written under temporary names before any is renamed into place,
// so an interrupted or failed run leaves no partial file and no mix of two
// datasets. Ctrl-C (or SIGTERM) before the renames leaves the directory as
// it was and exits with status 130.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fmnist/dataset"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command with the arguments args (without the program name)
// and returns its exit code: 0 on success, 1 on failure, 2 on bad usage,
// 130 when interrupted.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prepare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", dataset.DefaultDir, "directory holding the four IDX files (plain or .gz)")
	out := fs.String("out", "data", "directory to write the four CSV files into (created if needed)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: prepare [-from DIR] [-out DIR]

Prepare writes x_train.csv, y_train.csv, x_test.csv and y_test.csv from the
original Fashion-MNIST IDX files, with the labels grouped 10 -> 5, exactly as
pandas DataFrame.to_csv(index=False) writes them. The IDX files come with
`+"`apt-get install dataset-fashion-mnist`"+`.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "prepare: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *out == "" {
		fmt.Fprintf(stderr, "prepare: -out is empty: give the directory to write the CSV files into\n")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	written, err := dataset.Prepare(ctx, *from, *out)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "prepare: interrupted: %s was left as it was; run prepare again to write the dataset\n", *out)
		return 130
	}
	if err != nil {
		fmt.Fprintf(stderr, "prepare: %v\n", err)
		return 1
	}
	for _, path := range written {
		st, err := os.Stat(path)
		if err != nil {
			fmt.Fprintf(stderr, "prepare: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", path, st.Size())
	}
	fmt.Fprintf(stdout, "done in %.1fs\n", time.Since(start).Seconds())
	return 0
}
