// Command tfcheck type-checks the module's packages as they are built with
// the build tag "tensorflow", without libtensorflow, its C headers or a C
// compiler.
//
// Usage:
//
//	go run ./tools/tfcheck [packages]
//
// The packages are go list patterns relative to the current directory; the
// default is ./... (every package of the module). Only packages of the main
// module are reported on. Each is checked with its _test.go files (and its
// external _test package, if any), so code and tests behind the tag are
// both covered.
//
// How it works: `go list -e -deps -test -json -tags tensorflow` (with
// CGO_ENABLED=1; nothing is compiled) names every package in the import
// closure with its directory and the files the go command would compile
// under the tag: module packages from the repository, third-party ones from
// the module cache (GOMODCACHE), std from GOROOT, vendored std packages and
// test variants through each package's ImportMap. Every package is parsed
// and checked from source with go/types by one custom importer; std and
// third-party dependencies with IgnoreFuncBodies (only their declarations
// matter), the matched packages in full.
//
// cgo's pseudo-package "C" is opaque (types.Config.FakeImportC): every
// C.name has an invalid type, so graft's own files have errors (never
// reported: they are not the module's), and every type or value derived
// from C is invalid too — graft's tf.DataType is C.TF_DataType underneath,
// so tf.Float is an invalid constant. go/types stays silent about most
// operations on invalid operands; the errors it still reports describe an
// operand "with invalid type", and exactly those are dropped (see
// [ignorable]). An error whose operands all have ordinary Go types is
// reported: a call of op.Conv2D with an int where a tf.Output is wanted, or
// with a missing argument, is caught. Errors about values of C-derived
// types (a wrong tf.DataType argument) are the blind spot.
//
// Errors are printed as file:line:col: message and the exit status is 1;
// otherwise it prints "tfcheck: N packages OK". Exit status 2 means the
// check could not run (go list failed). TFCHECK_DEBUG=1 prints the dropped
// errors.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "tfcheck: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(wd, os.Args[1:], os.Stdout, os.Stderr))
}

// run checks the packages matched by args (default ./...) in directory wd
// and returns the exit status: 0 clean, 1 errors found, 2 the check could
// not run.
func run(wd string, args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprintln(stderr, "usage: tfcheck [packages] (default ./...): type-check the module under build tag tensorflow")
			return 2
		}
	}
	res, err := Check(wd, args)
	if err != nil {
		fmt.Fprintf(stderr, "tfcheck: %v\n", err)
		return 2
	}
	for _, e := range res.Errors {
		fmt.Fprintln(stderr, e.Relative(wd))
	}
	if len(res.Errors) > 0 {
		fmt.Fprintf(stderr, "tfcheck: %d errors in %d packages\n", len(res.Errors), res.Packages)
		return 1
	}
	fmt.Fprintf(stdout, "tfcheck: %d packages OK\n", res.Packages)
	return 0
}
