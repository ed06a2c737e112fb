package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencyRules checks docs/ARCHITECTURE.md, "Dependency rules",
// on the import graph that `go list` reports: one library, one package;
// the pure packages import no other Plenar package; the domain never
// imports the web or the media; nothing imports web or cmd/plenar.
func TestDependencyRules(t *testing.T) {
	t.Parallel()
	const mod = "github.com/plenar/plenar/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			imports[strings.TrimPrefix(f[0], mod)] = f[1:]
		}
	}
	if len(imports) < 20 {
		t.Fatalf("go list found only %d packages", len(imports))
	}
	// Each library may be imported only by these packages.
	libraries := map[string][]string{
		"github.com/blevesearch/":      {"search", "search/internal/scorch"},
		"github.com/pion/":             {"meetings/sfu", "meetings/sfu/sfuclient", "meetings/sfu/record", "meetings/sfu/record/gendemo"},
		"github.com/johnfercher/":      {"documents"},
		"github.com/pressly/goose":     {"migrations"},
		"github.com/gorilla/websocket": {"web", "web/live", "cmd/plenar"},
		"github.com/wneessen/go-mail":  {"council/mail"},
		"github.com/emersion/":         {"council/mail/mailtest"},
	}
	// Plenar packages each package must not import: "x" forbids x and its
	// sub-packages, "=x" only x; "*" forbids every Plenar package.
	forbidden := map[string][]string{
		"council":              {"*"},
		"council/mail":         {"meetings", "web", "search", "documents", "migrations", "cmd", "net/http"},
		"council/ical":         {"*", "net/http"},
		"migrations":           {"*"},
		"cmd/plenar/pgcluster": {"*"},
		"meetings/voting":      {"*"},
		"meetings/sfu":         {"=meetings", "meetings/live", "meetings/media", "meetings/voting", "web", "search", "documents", "migrations", "cmd"},
		"meetings/sfu/record":  {"council", "meetings", "web", "search", "documents", "migrations", "cmd"},
		"meetings":             {"meetings/live", "meetings/media", "meetings/sfu", "web", "search", "documents", "cmd"},
		"meetings/live":        {"meetings/media", "meetings/sfu", "web", "search", "documents", "cmd", "net/http"},
		"meetings/media":       {"web", "search", "documents", "cmd", "net/http"},
		"documents":            {"web", "search", "meetings/live", "meetings/media", "meetings/sfu", "cmd"},
		"search":               {"web", "meetings/live", "meetings/media", "meetings/sfu", "documents", "cmd"},
	}
	// An audience package imports neither web nor another audience
	// package: what they share is web/site (docs/ARCHITECTURE.md).
	audiences := []string{"web/portal", "web/admin", "web/oparl", "web/feeds", "web/live", "web/account", "web/participation"}
	for _, a := range audiences {
		forbidden[a] = []string{"=web", "cmd"}
		for _, other := range audiences {
			if other != a {
				forbidden[a] = append(forbidden[a], other)
			}
		}
	}
	for pkg, deps := range imports {
		for _, dep := range deps {
			for lib, allowed := range libraries {
				if strings.HasPrefix(dep, lib) && !slices.Contains(allowed, pkg) {
					t.Errorf("%s imports %s: only %v may", pkg, dep, allowed)
				}
			}
			if d, ok := strings.CutPrefix(dep, mod); ok && (d == "cmd/plenar" || (d == "web" && pkg != "cmd/plenar")) {
				t.Errorf("%s imports %s: only the command assembles the server", pkg, d)
			}
			for _, f := range forbidden[pkg] {
				d, plenar := strings.CutPrefix(dep, mod)
				switch {
				case f == "*" && plenar:
					t.Errorf("%s imports %s: it imports no other Plenar package", pkg, d)
				case f == "net/http" && dep == "net/http":
					t.Errorf("%s imports net/http: it is transport-neutral", pkg)
				case plenar && strings.HasPrefix(f, "=") && d == f[1:],
					plenar && f != "*" && (d == f || strings.HasPrefix(d, f+"/")):
					t.Errorf("%s imports %s", pkg, d)
				}
			}
		}
	}
}
