package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// moduleRoot is the fmnist module's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestRealModule: the module as it is checks clean under the tag, and the
// tagged engine and its tests are among the checked packages.
func TestRealModule(t *testing.T) {
	root := moduleRoot(t)
	var stdout, stderr bytes.Buffer
	code := run(root, nil, &stdout, &stderr)
	t.Logf("%s%s", stdout.String(), stderr.String())
	if code != 0 {
		t.Fatalf("exit status %d on the real module:\n%s", code, stderr.String())
	}
	res, err := Check(root, []string{"./tfrunner/tensorflow"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Checked, "fmnist/tfrunner/tensorflow") || len(res.Errors) != 0 {
		t.Fatalf("checked %v, errors %v", res.Checked, res.Errors)
	}
}

// copyModule copies the module's source tree (no .git, no outputs) to a
// temporary directory, which keeps the module path fmnist.
func copyModule(t *testing.T) string {
	t.Helper()
	src, dst := moduleRoot(t), t.TempDir()
	skip := map[string]bool{".git": true, "runs": true, "data": true, "out": true, "bench-out": true}
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != src && skip[d.Name()] {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(path, ".test") || strings.HasSuffix(path, ".prof") {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > 8<<20 {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// plant rewrites one call of op.<fn> in the tfrunner/tensorflow package of
// the module at dir: edit receives the call and the source and returns the
// call's new text. It returns the file (relative to dir) and the line.
func plant(t *testing.T, dir, fn string, edit func(call *ast.CallExpr, src []byte, fset *token.FileSet) string) (string, int) {
	t.Helper()
	pkgDir := filepath.Join(dir, "tfrunner", "tensorflow")
	names, err := filepath.Glob(filepath.Join(pkgDir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		var found *ast.CallExpr
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && found == nil {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == fn {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "op" {
						found = call
					}
				}
			}
			return found == nil
		})
		if found == nil {
			continue
		}
		start, end := fset.Position(found.Pos()).Offset, fset.Position(found.End()).Offset
		out := string(src[:start]) + edit(found, src, fset) + string(src[end:])
		if err := os.WriteFile(name, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, name)
		return rel, fset.Position(found.Pos()).Line
	}
	t.Fatalf("no call of op.%s in %s", fn, pkgDir)
	return "", 0
}

// text returns the source of node n.
func text(src []byte, fset *token.FileSet, n ast.Node) string {
	return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
}

// TestPlantedMistakes copies the module, plants one mistake in a call of
// graft's op package in the tagged engine, and expects the checker to
// report it at its file and line, and nothing else.
func TestPlantedMistakes(t *testing.T) {
	cases := []struct {
		name, fn, want string
		edit           func(call *ast.CallExpr, src []byte, fset *token.FileSet) string
	}{
		{
			// op.Conv2D(scope, 42, filter, ...): an int where a tf.Output is wanted.
			name: "wrong argument type", fn: "Conv2D", want: "cannot use 42",
			edit: func(call *ast.CallExpr, src []byte, fset *token.FileSet) string {
				args := make([]string, len(call.Args))
				for i, a := range call.Args {
					args[i] = text(src, fset, a)
				}
				args[1] = "42"
				return text(src, fset, call.Fun) + "(" + strings.Join(args, ", ") + ")"
			},
		},
		{
			// op.Conv2D(scope, input, filter): strides and padding dropped.
			name: "missing arguments", fn: "Conv2D", want: "not enough arguments in call to op.Conv2D",
			edit: func(call *ast.CallExpr, src []byte, fset *token.FileSet) string {
				var args []string
				for _, a := range call.Args[:3] {
					args = append(args, text(src, fset, a))
				}
				return text(src, fset, call.Fun) + "(" + strings.Join(args, ", ") + ")"
			},
		},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			dir := copyModule(t)
			file, line := plant(t, dir, c.fn, c.edit)
			var stdout, stderr bytes.Buffer
			code := run(dir, []string{"./tfrunner/tensorflow"}, &stdout, &stderr)
			t.Logf("planted in %s:%d; tfcheck exit %d:\n%s%s", file, line, code, stdout.String(), stderr.String())
			if code != 1 {
				t.Fatalf("exit status %d, want 1", code)
			}
			// Errors start at the line start; go/types continues some
			// messages on tab-indented lines ("\thave (...)").
			var errs []string
			for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, "tfcheck: ") {
					errs = append(errs, l)
				}
			}
			prefix := fmt.Sprintf("%s:%d:", file, line)
			if len(errs) != 1 || !strings.HasPrefix(errs[0], prefix) || !strings.Contains(errs[0], c.want) {
				t.Fatalf("want one error starting %q containing %q; got:\n%s", prefix, c.want, stderr.String())
			}
		})
	}
}

// TestIgnorable pins the filter: only messages that describe an operand or
// type as invalid are dropped.
func TestIgnorable(t *testing.T) {
	for msg, want := range map[string]bool{
		`cannot use tf.Float (constant unknown with invalid type) as "github.com/wamuir/graft/tensorflow".DataType value in argument to op.Placeholder`: true,
		`cannot convert dims[i] (variable with invalid type) to type int64`:                                                                             true,
		`cannot use 42 (untyped int constant) as "github.com/wamuir/graft/tensorflow".Output value in argument to op.Conv2D`:                            false,
		`not enough arguments in call to op.MaxPool`:                                                                                                    false,
		`declared and not used: x`: false,
		`invalid type cycle`:       false,
	} {
		if got := ignorable(types.Error{Msg: msg}); got != want {
			t.Errorf("ignorable(%q) = %v, want %v", msg, got, want)
		}
	}
}

func TestParsePos(t *testing.T) {
	for s, want := range map[string]token.Position{
		"a/b.go:3:4": {Filename: "a/b.go", Line: 3, Column: 4},
		"a/b.go:3":   {Filename: "a/b.go", Line: 3},
		"a/b.go":     {Filename: "a/b.go"},
		"":           {},
	} {
		if got := parsePos(s); got != want {
			t.Errorf("parsePos(%q) = %+v, want %+v", s, got, want)
		}
	}
}

// TestBrokenDependency: a module package that is only imported by the
// matched one, with a wrong declaration, is reported too (its importers'
// follow-on errors are dropped as stemming from invalid types).
func TestBrokenDependency(t *testing.T) {
	dir := copyModule(t)
	name := filepath.Join(dir, "graphs", "planted.go")
	if err := os.WriteFile(name, []byte("package graphs\n\nvar planted int = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(dir, []string{"./tfrunner/tensorflow"}, &stdout, &stderr)
	t.Logf("tfcheck exit %d:\n%s%s", code, stdout.String(), stderr.String())
	if code != 1 || !strings.HasPrefix(stderr.String(), filepath.Join("graphs", "planted.go")+":3:") {
		t.Fatalf("want exit 1 and the error at graphs/planted.go:3")
	}
}
