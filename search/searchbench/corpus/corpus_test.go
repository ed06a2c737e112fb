package corpus

import (
	"reflect"
	"testing"
)

// TestDoc checks that a document is a pure function of the seed and its
// number (the benchmark generates the corpus twice, for bleve and for
// PostgreSQL), that files follow their papers, and that the visibility
// shares are roughly those documented.
func TestDoc(t *testing.T) {
	a, err := New(200, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(200, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != a.Papers+a.Files() || a.Files() < a.Papers {
		t.Fatalf("%d documents, %d papers, %d files", a.Len(), a.Papers, a.Files())
	}
	vis := map[Vis]int{}
	for n := range a.Len() {
		d := a.Doc(n)
		if !reflect.DeepEqual(d, b.Doc(n)) || !reflect.DeepEqual(d, a.Doc(n)) {
			t.Fatalf("document %d differs between two generations", n)
		}
		if d.File != (n >= a.Papers) || (!d.File && d.Paper != d.ID) || d.Title == "" || d.Text == "" {
			t.Fatalf("document %d: file %t, paper %s, id %s", n, d.File, d.Paper, d.ID)
		}
		if !d.File {
			vis[d.Vis]++
		}
	}
	if pub := vis[Public] * 100 / a.Papers; pub < 80 || pub > 97 || vis[Members] == 0 {
		t.Errorf("visibility of the papers %v, want about 90 %% public", vis)
	}
}
