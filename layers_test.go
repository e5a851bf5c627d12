package candor_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/candor-observatory/candor/"

// layers is the house, ground floor first. A package may import only
// packages on a lower floor: imports go down, never up or sideways. A new
// package must be given its floor here.
var layers = [][]string{
	// The ground: types, formats and lookup tables that know nothing of Candor's services.
	{"internal/model", "internal/fold", "internal/canonjson", "internal/rowfile", "internal/platform", "internal/locale",
		"internal/ledger/c2sp", "internal/web/chart", "internal/server", "internal/shareddata", "internal/interference/ooni/oonitest"},
	// What the ground is read into and kept in.
	{"internal/country", "internal/store", "internal/importers", "internal/interference/ooni", "internal/interference/detect",
		"internal/shareddata/shareddatatest"},
	// The store's implementations and what stands directly on the store's contract.
	{"internal/store/sqlstore", "internal/ledger", "internal/auth",
		"internal/importers/google", "internal/importers/x", "internal/importers/meta", "internal/importers/ndjson",
		"internal/importers/stop", "internal/importers/ioda", "internal/importers/citizenlab"},
	// The one write path, the dialects, the log's witness and the explorer's pages.
	{"internal/registry", "internal/store/sqlite", "internal/store/postgres", "internal/witness", "internal/web", "internal/metrics"},
	// Services built on the write path, and test helpers over real stores.
	{"internal/cases", "internal/importers/loader", "internal/interference", "internal/demo",
		"internal/store/storetest", "internal/registry/registrytest"},
	// The client of a server, the sealed-case pages.
	{"internal/client", "internal/web/casepage"},
	// The verifier that reads a server or a store from outside.
	{"internal/verify"},
	// What is proven with it: evidence bundles, the log's monitor.
	{"internal/evidence", "internal/monitor"},
	// The API.
	{"internal/api"},
	// The composition root.
	{"internal/app"},
	{"internal/cli", "internal/app/apptest"},
	{"cmd/candor"},
}

type pkg struct {
	Path    string
	Imports []string
}

// listPackages returns the project's packages with their non-test imports.
func listPackages(t *testing.T, args ...string) []pkg {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], module) {
			continue
		}
		pkgs = append(pkgs, pkg{Path: strings.TrimPrefix(f[0], module), Imports: f[1:]})
	}
	return pkgs
}

func floorOf(path string) int {
	for i, l := range layers {
		if slices.Contains(l, path) {
			return i
		}
	}
	return -1
}

func TestImportsGoDown(t *testing.T) {
	for _, p := range listPackages(t, "./...") {
		if p.Path == "github.com/candor-observatory/candor" || !strings.Contains(p.Path, "/") && p.Path != "cmd/candor" {
			continue
		}
		floor := floorOf(p.Path)
		if floor < 0 {
			t.Errorf("%s has no floor in the layers table: give it one", p.Path)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			imp = strings.TrimPrefix(imp, module)
			if f := floorOf(imp); f >= floor {
				t.Errorf("%s (floor %d) imports %s (floor %d): imports may only go down", p.Path, floor, imp, f)
			}
		}
	}
}

func TestNoTestingInTheBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./cmd/candor").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "testing" || dep == "net/http/httptest" || strings.HasSuffix(dep, "test") && strings.HasPrefix(dep, module) {
			t.Errorf("the candor binary depends on %s", dep)
		}
	}
}

// Only the stores speak SQL; everything else goes through store.Store.
func TestDatabaseOnlyInStore(t *testing.T) {
	drivers := []string{"database/sql", "github.com/jackc/pgx", "modernc.org/sqlite"}
	for _, p := range listPackages(t, "./...") {
		if strings.HasPrefix(p.Path, "internal/store/") {
			continue
		}
		for _, imp := range p.Imports {
			for _, d := range drivers {
				if imp == d || strings.HasPrefix(imp, d+"/") {
					t.Errorf("%s imports %s: only internal/store/... may", p.Path, imp)
				}
			}
		}
	}
}

// No package registers anything at start-up, and no exported package
// variable holds a service: the composition root (internal/app) builds
// services and hands them over.
func TestNoRegistrationsOrServiceGlobals(t *testing.T) {
	err := filepath.Walk(".", func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && (strings.HasPrefix(info.Name(), ".") || info.Name() == "testdata" || info.Name() == "bench") && path != "." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.Name == "init" && d.Recv == nil {
					t.Errorf("%s: func init(): build it where it is used, or in internal/app", path)
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if !n.IsExported() {
							continue
						}
						if holdsService(vs, i) {
							t.Errorf("%s: exported variable %s holds a value built at start-up: hand it over from internal/app", path, n.Name)
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// holdsService says whether the i-th variable of a spec is a pointer, a
// function or something a constructor made: the shapes services take.
func holdsService(vs *ast.ValueSpec, i int) bool {
	switch vs.Type.(type) {
	case *ast.StarExpr, *ast.FuncType, *ast.ChanType:
		return true
	}
	if i >= len(vs.Values) {
		return false
	}
	switch v := vs.Values[i].(type) {
	case *ast.UnaryExpr:
		return v.Op == token.AND
	case *ast.FuncLit:
		return true
	case *ast.CallExpr:
		// errors.New and the model's enums are data; constructors of
		// anything else are services.
		if sel, ok := v.Fun.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok {
				switch x.Name + "." + sel.Sel.Name {
				case "errors.New", "model.NewEnum", "fmt.Errorf":
					return false
				}
			}
		}
		if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "NewEnum" {
			return false
		}
		return true
	}
	return false
}
