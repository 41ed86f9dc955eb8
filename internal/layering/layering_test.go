package layering

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/onecode/onecode"

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

// list runs go list over patterns (relative to the module root).
func list(t *testing.T, patterns ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json=ImportPath,Imports,Standard"}, patterns...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", patterns, err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %v: no packages", patterns)
	}
	return pkgs
}

// rule is one forbidden kind of import for the packages under from.
type rule struct {
	from   string
	forbid []string // import path prefixes
	why    string
}

var rules = []rule{
	{"./gateway/...", []string{mod + "/persistence"}, "gateway is the edge: it reaches stores through app"},
	{"./app/...", []string{mod + "/gateway", mod + "/cmd", "google.golang.org/grpc/status", "google.golang.org/grpc/codes",
		mod + "/protos/onecode/api"}, "app is transport-free: Go types and typed errors in and out"},
	{"./actors/...", []string{mod + "/app", mod + "/gateway", mod + "/cmd"}, "actors sit below app"},
	{"./persistence/...", []string{mod + "/app", mod + "/gateway", mod + "/actors", mod + "/cmd"}, "persistence sits below app"},
	{"./domain/...", []string{mod + "/app", mod + "/gateway", mod + "/actors", mod + "/persistence", mod + "/cmd", mod + "/protos"}, "domain is pure"},
}

// pending are imports that break a rule and are being moved out in wave 2 (issue 10):
// the list may only shrink; an entry that no longer breaks the rule fails the test, so
// that it is removed.
var pending = listed()

func TestImportRules(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules {
		for _, p := range list(t, r.from) {
			for _, imp := range p.Imports {
				for _, f := range r.forbid {
					if imp != f && !strings.HasPrefix(imp, f+"/") {
						continue
					}
					edge := p.ImportPath + " -> " + imp
					seen[edge] = true
					if !pending[edge] {
						t.Errorf("%s imports %s: %s (DESIGN §5)", p.ImportPath, imp, r.why)
					}
				}
			}
		}
	}
	for edge := range pending {
		if !seen[edge] {
			t.Errorf("%s is gone: remove it from pending", edge)
		}
	}
}

// TestDomainStandardLibraryOnly: domain imports nothing but the standard library and
// other domain packages.
func TestDomainStandardLibraryOnly(t *testing.T) {
	std := map[string]bool{}
	for _, p := range list(t, "std") {
		std[p.ImportPath] = true
	}
	for _, p := range list(t, "./domain/...") {
		for _, imp := range p.Imports {
			if !std[imp] && !strings.HasPrefix(imp, mod+"/domain/") {
				t.Errorf("%s imports %s: domain uses the standard library only", p.ImportPath, imp)
			}
		}
	}
}
