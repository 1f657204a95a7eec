package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Tag is the build tag the checker type-checks under.
const Tag = "tensorflow"

// Result is the outcome of a Check.
type Result struct {
	// Packages is the number of packages matched by the patterns.
	Packages int
	// Checked lists their import paths.
	Checked []string
	// Errors are the reported errors, sorted by position.
	Errors []Error
}

// Error is one type or build error in a checked package.
type Error struct {
	Pos token.Position // file, line and column; may lack line and column
	Msg string
}

// String formats the error as file:line:col: message.
func (e Error) String() string {
	if !e.Pos.IsValid() && e.Pos.Filename == "" {
		return e.Msg
	}
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}

// Relative formats the error like String, with the file name relative to
// dir when it lies below dir.
func (e Error) Relative(dir string) string {
	if rel, err := filepath.Rel(dir, e.Pos.Filename); err == nil && !strings.HasPrefix(rel, "..") {
		e.Pos.Filename = rel
	}
	return e.String()
}

// listPackage is the part of `go list -json` output the checker uses.
type listPackage struct {
	Dir          string
	ImportPath   string
	Name         string
	Standard     bool
	DepOnly      bool
	ForTest      string
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	ImportMap    map[string]string
	Module       *struct {
		Path      string
		Main      bool
		GoVersion string
	}
	Error      *listError
	DepsErrors []*listError
}

type listError struct {
	Pos string
	Err string
}

const listFields = "Dir,ImportPath,Name,Standard,DepOnly,ForTest,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,ImportMap,Module,Error,DepsErrors"

// goList runs go list in dir and decodes its stream of packages.
func goList(dir string, patterns []string) ([]*listPackage, error) {
	args := []string{"list", "-e", "-deps", "-test", "-json=" + listFields, "-tags=" + Tag, "--"}
	args = append(args, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	// graft's files all import "C": with cgo disabled the go command would
	// drop them, so list as a cgo build does. Nothing is compiled.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var out []*listPackage
	dec := json.NewDecoder(&stdout)
	for {
		p := new(listPackage)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// basePath strips a test variant's suffix: "p [q.test]" gives "p".
func basePath(importPath string) (string, bool) {
	if i := strings.Index(importPath, " ["); i >= 0 {
		return importPath[:i], true
	}
	return importPath, false
}

// depError is an error found while checking a module package as a
// dependency.
type depError struct {
	path string // the package's (variant) import path
	err  Error
}

// checker holds the state of one Check: the listed packages, parsed files
// and dependencies checked so far.
type checker struct {
	fset     *token.FileSet
	sizes    types.Sizes
	listed   map[string]*listPackage // by full ImportPath, test variants included
	files    map[string]*ast.File
	parseErr map[string]error
	deps     map[string]*types.Package
	busy     map[string]bool
	stripped map[*ast.File]bool
	depErrs  []depError // errors in declarations of module packages checked as dependencies
	debug    io.Writer  // receives the ignored errors; nil drops them
}

// Check type-checks the packages of the main module matched by patterns
// (default ./...) in the module containing dir under the build tag
// "tensorflow" and returns the errors found in them. Packages of other
// modules and std are only dependencies: checked for their declarations,
// never reported on. An error return means the check could not run.
func Check(dir string, patterns []string) (*Result, error) {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	listed, err := goList(dir, patterns)
	if err != nil {
		return nil, err
	}
	arch := os.Getenv("GOARCH")
	if arch == "" {
		arch = runtime.GOARCH
	}
	c := &checker{
		fset:     token.NewFileSet(),
		sizes:    types.SizesFor("gc", arch),
		listed:   map[string]*listPackage{},
		files:    map[string]*ast.File{},
		parseErr: map[string]error{},
		deps:     map[string]*types.Package{},
		busy:     map[string]bool{},
		stripped: map[*ast.File]bool{},
	}
	if os.Getenv("TFCHECK_DEBUG") != "" {
		c.debug = os.Stderr
	}
	if c.sizes == nil {
		c.sizes = types.SizesFor("gc", "amd64")
	}
	var roots []*listPackage
	for _, p := range listed {
		c.listed[p.ImportPath] = p
		_, variant := basePath(p.ImportPath)
		generatedMain := p.ForTest == "" && strings.HasSuffix(p.ImportPath, ".test") && p.Name == "main"
		inModule := p.Module != nil && p.Module.Main
		// Only the main module's own packages are reported on.
		if !variant && !generatedMain && !p.DepOnly && inModule {
			roots = append(roots, p)
		}
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("no package of the main module matches %s", strings.Join(patterns, " "))
	}
	c.parseAll()

	res := &Result{Packages: len(roots)}
	seen := map[string]bool{}
	add := func(e Error) {
		if k := e.String(); !seen[k] {
			seen[k] = true
			res.Errors = append(res.Errors, e)
		}
	}
	matched := map[string]bool{}
	for _, p := range roots {
		res.Checked = append(res.Checked, p.ImportPath)
		matched[p.ImportPath] = true
		for _, e := range c.checkRoot(p) {
			add(e)
		}
	}
	// A module package that is only imported (not matched) is reported on
	// too when its declarations are wrong, since its importers' follow-on
	// errors are dropped as stemming from invalid types.
	for _, d := range c.depErrs {
		if base, _ := basePath(d.path); !matched[base] {
			add(d.err)
		}
	}
	sort.SliceStable(res.Errors, func(i, j int) bool {
		a, b := res.Errors[i].Pos, res.Errors[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return res, nil
}

// sourceFiles returns p's compiled Go files (plain and cgo) as absolute paths.
func sourceFiles(p *listPackage, extra ...[]string) []string {
	var out []string
	for _, list := range append([][]string{p.GoFiles, p.CgoFiles}, extra...) {
		for _, f := range list {
			if !filepath.IsAbs(f) {
				f = filepath.Join(p.Dir, f)
			}
			out = append(out, f)
		}
	}
	return out
}

// parseAll parses every file of every listed package, in parallel.
func (c *checker) parseAll() {
	var names []string
	for _, p := range c.listed {
		if !strings.HasSuffix(p.ImportPath, ".test") { // skip generated test mains
			names = append(names, sourceFiles(p)...)
		}
	}
	sort.Strings(names)
	type parsed struct {
		name string
		file *ast.File
		err  error
	}
	work := make(chan string)
	done := make(chan parsed)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				src, err := os.ReadFile(name)
				if err != nil {
					done <- parsed{name: name, err: err}
					continue
				}
				// token.FileSet is safe for concurrent use.
				f, err := parser.ParseFile(c.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
				done <- parsed{name, f, err}
			}
		}()
	}
	go func() {
		last := ""
		for _, n := range names {
			if n != last {
				work <- n
			}
			last = n
		}
		close(work)
		wg.Wait()
		close(done)
	}()
	for r := range done {
		c.files[r.name] = r.file
		if r.err != nil {
			c.parseErr[r.name] = r.err
		}
	}
}

// astFiles returns the parsed files, and the parse errors as Errors.
func (c *checker) astFiles(names []string) ([]*ast.File, []Error) {
	var files []*ast.File
	var errs []Error
	for _, n := range names {
		if f := c.files[n]; f != nil {
			files = append(files, f)
		}
		if err := c.parseErr[n]; err != nil {
			var list scanner.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					errs = append(errs, Error{Pos: e.Pos, Msg: e.Msg})
				}
			} else {
				errs = append(errs, Error{Pos: token.Position{Filename: n}, Msg: err.Error()})
			}
		}
	}
	return files, errs
}

// importer resolves one package's imports through its go list ImportMap,
// which names vendored std packages and, in a test build, the variants of
// packages recompiled against the package under test ("q [p.test]").
type importer struct {
	c         *checker
	importMap map[string]string
}

// Import implements types.Importer.
func (im importer) Import(path string) (*types.Package, error) {
	return im.ImportFrom(path, "", 0)
}

// ImportFrom implements types.ImporterFrom.
func (im importer) ImportFrom(path, _ string, _ types.ImportMode) (*types.Package, error) {
	if m, ok := im.importMap[path]; ok {
		path = m
	}
	return im.c.dep(path)
}

// dep returns the package listed as path (a test variant's full ImportPath
// included), checked as a dependency: declarations only, errors ignored
// (they are reported where the package is itself matched).
func (c *checker) dep(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if p := c.deps[path]; p != nil {
		return p, nil
	}
	lp := c.listed[path]
	if lp == nil {
		return nil, fmt.Errorf("package %s is not in the go list output", path)
	}
	names := sourceFiles(lp)
	if len(names) == 0 && lp.Error != nil {
		return nil, errors.New(strings.TrimSpace(lp.Error.Err))
	}
	if c.busy[path] {
		return nil, fmt.Errorf("import cycle through %s", path)
	}
	c.busy[path] = true
	defer delete(c.busy, path)
	files, _ := c.astFiles(names)
	if lp.DepOnly && (lp.Module == nil || !lp.Module.Main) {
		for _, f := range files {
			c.stripLiterals(f)
		}
	}
	base, _ := basePath(path)
	inModule := lp.Module != nil && lp.Module.Main
	conf := types.Config{
		Importer:         importer{c: c, importMap: lp.ImportMap},
		FakeImportC:      true,
		IgnoreFuncBodies: true,
		Sizes:            c.sizes,
		Error: func(err error) {
			// Keep going past errors. Those in the module's own
			// declarations are kept, in case the package is not itself
			// matched: its importers' follow-on errors are dropped.
			var te types.Error
			if inModule && errors.As(err, &te) && !ignorable(te) {
				c.depErrs = append(c.depErrs, depError{path, Error{Pos: te.Fset.Position(te.Pos), Msg: te.Msg}})
			}
		},
	}
	pkg, _ := conf.Check(base, c.fset, files, nil)
	c.deps[path] = pkg
	return pkg, nil
}

// stripLiterals drops the elements of package-level composite literals
// whose type is written out ([]byte{...}, []any{...}, T{...}, &T{...}) in a
// dependency outside the module: their type does not depend on the
// elements, and checking generated descriptor tables (graft's protobuf
// code, unicode tables) is most of a dependency's checking time otherwise.
// Only packages that are not themselves matched are stripped, and their
// errors are never reported, so nothing is lost.
func (c *checker) stripLiterals(f *ast.File) {
	if c.stripped[f] {
		return
	}
	c.stripped[f] = true
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.AND {
					v = u.X
				}
				lit, ok := v.(*ast.CompositeLit)
				if !ok || lit.Type == nil {
					continue
				}
				if at, ok := lit.Type.(*ast.ArrayType); ok {
					if _, ok := at.Len.(*ast.Ellipsis); ok {
						continue // [...]T: the length comes from the elements
					}
				}
				lit.Elts = nil
			}
		}
	}
}

// checkRoot checks a matched package in full, with its tests, and returns
// the errors to report: go list's own (missing packages, bad files) and the
// type errors that do not stem from cgo's opaque types.
func (c *checker) checkRoot(p *listPackage) []Error {
	var errs []Error
	listErrs := func(lp *listPackage) {
		if lp == nil {
			return
		}
		for _, e := range append([]*listError{lp.Error}, lp.DepsErrors...) {
			if e != nil {
				errs = append(errs, Error{Pos: parsePos(e.Pos), Msg: strings.TrimSpace(e.Err)})
			}
		}
	}
	goVersion := ""
	if p.Module != nil && p.Module.GoVersion != "" {
		goVersion = "go" + p.Module.GoVersion
	}
	check := func(lp *listPackage) {
		listErrs(lp)
		files, perrs := c.astFiles(sourceFiles(lp))
		errs = append(errs, perrs...)
		if len(files) == 0 {
			return
		}
		base, _ := basePath(lp.ImportPath)
		conf := types.Config{
			Importer:    importer{c: c, importMap: lp.ImportMap},
			FakeImportC: true,
			Sizes:       c.sizes,
			GoVersion:   goVersion,
			Error: func(err error) {
				var te types.Error
				if !errors.As(err, &te) {
					errs = append(errs, Error{Msg: err.Error()})
					return
				}
				e := Error{Pos: te.Fset.Position(te.Pos), Msg: te.Msg}
				if !ignorable(te) {
					errs = append(errs, e)
				} else if c.debug != nil {
					fmt.Fprintf(c.debug, "tfcheck: ignored (soft=%v): %s\n", te.Soft, e)
				}
			},
		}
		pkg, _ := conf.Check(base, c.fset, files, nil)
		if c.deps[lp.ImportPath] == nil {
			// The external test imports the package under test as
			// this variant.
			c.deps[lp.ImportPath] = pkg
		}
	}
	// The test variant "p [p.test]" is p's files plus its _test.go files.
	if tv := c.listed[p.ImportPath+" ["+p.ImportPath+".test]"]; tv != nil {
		listErrs(p)
		check(tv)
	} else {
		check(p)
	}
	if xv := c.listed[p.ImportPath+"_test ["+p.ImportPath+".test]"]; xv != nil {
		check(xv)
	}
	return errs
}

// ignorable reports whether a type error stems from cgo's opaque "C"
// package rather than from the code. With FakeImportC every C.name has an
// invalid type, and so has every type or constant defined from one: graft's
// tf.DataType is C.TF_DataType underneath, so tf.Float is "constant unknown
// with invalid type". go/types already stays silent about most operations on
// invalid operands; the errors it still reports name the operand as "...
// with invalid type" (or "invalid operand"), and go/types itself treats
// exactly these messages as follow-on noise once it has reported a first
// error (see errors.go, report). An operand is described that way only when
// its type is invalid, so a mistake made with valid Go types (an int where a
// tf.Output is wanted, a missing argument) is never dropped. Soft errors are
// not dropped as such: unused variables and imports are soft yet fail the
// real build. The blind spot is a mistake whose operand has a C-derived
// type, such as an int passed where a tf.DataType is wanted.
func ignorable(e types.Error) bool {
	m := e.Msg
	return strings.Index(m, "invalid type") > 0 || strings.Index(m, "invalid operand") > 0
}

// parsePos parses the "file:line:col" of a go list error.
func parsePos(s string) token.Position {
	var pos token.Position
	if s == "" {
		return pos
	}
	parts := strings.Split(s, ":")
	// Walk back over up to two numeric fields (line and column).
	n := len(parts)
	var nums []int
	for n > 1 && len(nums) < 2 {
		v, err := strconv.Atoi(parts[n-1])
		if err != nil {
			break
		}
		nums = append([]int{v}, nums...)
		n--
	}
	pos.Filename = strings.Join(parts[:n], ":")
	if len(nums) > 0 {
		pos.Line = nums[0]
	}
	if len(nums) > 1 {
		pos.Column = nums[1]
	}
	return pos
}
