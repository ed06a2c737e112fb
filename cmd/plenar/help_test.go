package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/plenar/plenar/migrations/pgtest"
)

// plenarVar matches a PLENAR_* variable name ("PLENAR_*" in prose does
// not match).
var plenarVar = regexp.MustCompile(`PLENAR_[A-Z0-9_]*[A-Z0-9]`)

// repoRoot returns the folder of go.mod above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// sourceVars returns every PLENAR_* name in the repository's Go files,
// Makefile and CI script, with the first place it occurs.
func sourceVars(t *testing.T, root string) map[string]string {
	t.Helper()
	found := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "data", "bin", "node_modules", "screenshots":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") && rel != "Makefile" && filepath.Dir(rel) != ".ci" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, name := range plenarVar.FindAllString(line, -1) {
				if _, ok := found[name]; !ok {
					found[name] = rel + ":" + strconv.Itoa(i+1)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestHelpListsEverything: "plenar help" names every command and
// subcommand that run dispatches and every PLENAR_* variable that the
// source reads; envVars lists exactly the variables the source names;
// README.md's configuration tables have a row for each with its flag and
// default, and name no other.
func TestHelpListsEverything(t *testing.T) {
	t.Parallel()
	code, help, _ := runCmd(t, nil, "help")
	if code != 0 {
		t.Fatalf("plenar help: exit %d, want 0", code)
	}

	t.Run("commands", func(t *testing.T) {
		for _, c := range commands() {
			lines := []string{"plenar " + c.name}
			if c.run == nil {
				lines = nil
				for _, s := range c.subs {
					lines = append(lines, "plenar "+c.name+" "+s.name)
				}
			} else if len(c.subs) > 0 {
				t.Errorf("command %s has both run and subcommands; exec would never reach them", c.name)
			}
			for _, l := range lines {
				if !strings.Contains(help, "\n  "+l+" ") && !strings.Contains(help, "\n  "+l+"\n") {
					t.Errorf("plenar help does not list %q", l)
				}
				// Every listed command is dispatched: -h reaches its flags.
				args := append(strings.Fields(strings.TrimPrefix(l, "plenar ")), "-h")
				if code, _, stderr := runCmd(t, nil, args...); code != 0 {
					t.Errorf("plenar %s: exit %d, want 0 (stderr %q)", strings.Join(args, " "), code, stderr)
				}
			}
		}
		if code, _, stderr := runCmd(t, nil, "user", "promote"); code != 2 || !strings.Contains(stderr, "add, list, reset-password") {
			t.Errorf("plenar user promote: exit %d, stderr %q; want 2 and the subcommands", code, stderr)
		}
	})

	vars := map[string]envVar{}
	for _, v := range envVars() {
		if _, dup := vars[v.name]; dup {
			t.Errorf("envVars lists %s twice", v.name)
		}
		vars[v.name] = v
		if v.usage == "" {
			t.Errorf("envVars: %s has no usage", v.name)
		}
	}

	t.Run("variables", func(t *testing.T) {
		root := repoRoot(t)
		inSource := sourceVars(t, root)
		for name, where := range inSource {
			if _, ok := vars[name]; !ok {
				t.Errorf("%s (%s) is not in envVars (cmd/plenar/help.go): add it there and to README.md's configuration", name, where)
			}
		}
		for name := range vars {
			if _, ok := inSource[name]; !ok {
				t.Errorf("envVars lists %s, which no source file names any more", name)
			}
			if !strings.Contains(help, "\n  "+name+" ") && !strings.Contains(help, "\n  "+name+"\n") {
				t.Errorf("plenar help does not list %s", name)
			}
		}
	})

	t.Run("README", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		readme := string(b)
		for _, name := range plenarVar.FindAllString(readme, -1) {
			if _, ok := vars[name]; !ok {
				t.Errorf("README.md names %s, which Plenar does not read", name)
			}
		}
		start := strings.Index(readme, "\n## Configuration\n")
		if start < 0 {
			t.Fatal(`README.md has no "## Configuration" section`)
		}
		section := readme[start+1:]
		if end := strings.Index(section, "\n## "); end >= 0 {
			section = section[:end]
		}
		rows := map[string][]string{} // variable → the cells of its table row
		for _, line := range strings.Split(section, "\n") {
			if !strings.HasPrefix(line, "|") {
				continue
			}
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			for _, name := range plenarVar.FindAllString(cells[0], -1) {
				if _, dup := rows[name]; dup {
					t.Errorf("README.md's configuration has two rows for %s", name)
				}
				rows[name] = cells
			}
		}
		for name, v := range vars {
			cells, ok := rows[name]
			if !ok {
				t.Errorf("README.md's configuration tables have no row for %s", name)
				continue
			}
			if len(cells) < 4 {
				t.Errorf("README.md: the row of %s has %d cells, want variable | flag | default | meaning", name, len(cells))
				continue
			}
			wantFlag := ""
			if v.flag != "" {
				wantFlag = "`--" + v.flag + "`"
			}
			wantDef := "(empty)"
			if v.def != "" {
				wantDef = "`" + v.def + "`"
			}
			if cells[1] != wantFlag || cells[2] != wantDef {
				t.Errorf("README.md: %s has flag %q and default %q, want %q and %q", name, cells[1], cells[2], wantFlag, wantDef)
			}
		}
	})
}

// TestTestDatabaseURL: bench search and the help fall back to the server
// the tests use.
func TestTestDatabaseURL(t *testing.T) {
	t.Parallel()
	if testDatabaseURL != pgtest.DefaultURL {
		t.Errorf("testDatabaseURL = %q, pgtest.DefaultURL = %q: keep them equal", testDatabaseURL, pgtest.DefaultURL)
	}
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Split(string(b), "\n"), "PLENAR_TEST_DATABASE_URL ?= "+testDatabaseURL) {
		t.Errorf("the Makefile's default PLENAR_TEST_DATABASE_URL is not %s", testDatabaseURL)
	}
}

// TestDocCitations: every comment that cites a section of the project's
// docs (docs/DOMAIN.md, "Quorum") names a heading that exists there.
func TestDocCitations(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	headings := map[string]map[string]bool{}
	runIn := regexp.MustCompile(`\*\*([^*]+?)\.?\*\*`)
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(docs) < 5 {
		t.Fatalf("docs: %v %v", docs, err)
	}
	for _, path := range docs {
		doc := filepath.Base(path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		headings[doc] = map[string]bool{}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "#") {
				headings[doc][strings.TrimSpace(strings.TrimLeft(line, "#"))] = true
			}
			// Bold run-in headings ("**Corpus realism.**") count too.
			for _, m := range runIn.FindAllStringSubmatch(line, -1) {
				headings[doc][m[1]] = true
			}
		}
	}
	joinComments := regexp.MustCompile(`\n\s*(//|--)\s*`)
	cite := regexp.MustCompile(`docs/([A-Z]+\.md), "([^"]+)"`)
	n := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "data" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".sql") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := joinComments.ReplaceAllString(string(b), " ")
		for _, m := range cite.FindAllStringSubmatch(text, -1) {
			n++
			hs, ok := headings[m[1]]
			if !ok {
				t.Errorf("%s cites docs/%s, which does not exist", path, m[1])
			} else if !hs[m[2]] {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s cites docs/%s, %q: no such heading", rel, m[1], m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("found no citation of docs/…: the pattern is broken")
	}
}
