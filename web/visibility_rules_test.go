package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// forbiddenVisibility are the pieces of the visibility rules as SQL. They
// live in migrations/sql/00011_visibility.sql (paper_published,
// agenda_published, agenda_item_published, file_published, …) and every
// reader calls those functions (docs/ARCHITECTURE.md, "A non-public
// state"). Soft deletion ("NOT deleted") is not among them: it guards
// writes as well, and the *_public functions include it for readers.
var forbiddenVisibility = regexp.MustCompile(`status\s*<>\s*'draft'|state\s*<>\s*'planned'|` +
	`public\s*=\s*true|\bpublic\s+AND\b|\bAND\s+(NOT\s+)?(\w+\.)?public\b|\bNOT\s+(\w+\.)?public\s+(AND|OR)\b`)

// TestVisibilityRulesLiveInMigrations fails when Go code outside tests
// writes a visibility rule itself instead of calling the database's
// function for it. Tests may state fixture facts in SQL.
func TestVisibilityRulesLiveInMigrations(t *testing.T) {
	root := filepath.Join("..")
	var files int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != ".." && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := forbiddenVisibility.FindString(line); m != "" {
				t.Errorf("%s:%d: %q is a visibility rule; call its function from migrations/sql/00011_visibility.sql", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The pattern knows the copies this test replaced.
	for _, old := range []string{`p.public AND p.status <> 'draft'`, `NOT m.deleted AND m.state <> 'planned' AND i.public`,
		`coalesce(p.public AND NOT p.deleted, false)`, `WHERE public = true`, `SELECT ai.public AND m.state`, `f.public AND l.n > 0`} {
		if !forbiddenVisibility.MatchString(old) {
			t.Errorf("forbiddenVisibility misses %q", old)
		}
	}
	if files < 100 {
		t.Fatalf("looked at %d Go files; is the walk rooted at the module?", files)
	}
}
