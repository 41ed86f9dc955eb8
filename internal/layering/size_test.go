package layering

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bounds of DESIGN "Standards": files stay under ~500 lines and functions under ~70 in
// the edge and the use cases.
const (
	maxFileLines = 520
	maxFuncLines = 75
)

// oversize are files and functions over the bounds that are being split in wave 2
// (issue 10); the list may only shrink.
var oversize = listed()

func listed(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func TestSizes(t *testing.T) {
	seen := map[string]bool{}
	for _, root := range []string{"../../gateway", "../../app"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
				strings.HasSuffix(path, ".pb.go") || strings.HasSuffix(path, ".pb.gw.go") {
				return err
			}
			for _, big := range bigParts(t, path) {
				seen[big] = true
				if !oversize[big] {
					t.Errorf("%s: split it (files ≤ %d lines, functions ≤ %d)", big, maxFileLines, maxFuncLines)
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	for k := range oversize {
		if !seen[k] {
			t.Errorf("%s is within bounds now: remove it from oversize", k)
		}
	}
}

// bigParts names the file (path) when it is too long and each function too long in it
// (path:Func).
func bigParts(t *testing.T, path string) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	rel := strings.TrimPrefix(path, "../../")
	var big []string
	if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
		big = append(big, rel)
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFuncLines {
			name := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) == 1 {
				name = recvName(fn.Recv.List[0].Type) + "." + name
			}
			big = append(big, rel+":"+name)
		}
	}
	return big
}

func recvName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return recvName(x.X)
	case *ast.Ident:
		return x.Name
	case *ast.IndexExpr:
		return recvName(x.X)
	}
	return "?"
}

// TestOneStatusBuilder: gateway/status.go is the only file of the edge that builds a
// gRPC status; every other file returns typed errors (domain/reason) or calls it.
func TestOneStatusBuilder(t *testing.T) {
	builders := []string{"status.New(", "status.Error(", "status.Errorf(", "Status(codes.", "statusWith("}
	err := filepath.WalkDir("../../gateway", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.HasSuffix(path, ".pb.go") || strings.HasSuffix(path, ".pb.gw.go") || path == "../../gateway/status.go" {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, b := range builders {
			if strings.Contains(string(src), b) {
				t.Errorf("%s builds a gRPC status (%s): return a reason.Error, or call ErrorStatus", path, b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
