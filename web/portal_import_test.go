package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/plenar/plenar/council"
)

// TestPortalImportedSource: a paper imported over OParl shows its page in
// the previous system and the source links of files Plenar holds no copy
// of; a consultation the source names with a meeting but no agenda item
// shows that meeting, not "noch nicht beraten"; a role that says
// "Entscheidung" carries no extra "entscheidet" mark (issue 14).
func TestPortalImportedSource(t *testing.T) {
	e := newTestEnv(t)
	f := newPortalFixture(t, e)
	ctx := context.Background()
	pool := e.srv.pool
	const web, fileURL = "https://ris.example/vo020.asp?VOLFDNR=4711", "https://ris.example/getfile.asp?id=99&type=do"
	if _, err := pool.Exec(ctx, `INSERT INTO import_sources (source_url, entity, local_id, web_url)
		VALUES ('https://ris.example/oparl/paper/4711', 'paper', $1, $2)`, f.publicPaper.ID, web); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO import_files (source_url, name, access_url, links)
		VALUES ('https://ris.example/oparl/file/99', 'Beschlussvorlage (PDF)', $1,
			jsonb_build_array(jsonb_build_object('entity', 'paper', 'id', $2::text, 'role', 'main')))`, fileURL, f.publicPaper.ID.String()); err != nil {
		t.Fatal(err)
	}
	is := council.NewImportStore(pool)
	if _, err := is.Consultation(ctx, council.ImportSource{URL: "https://ris.example/oparl/consultation/1"},
		council.Consultation{PaperID: f.publicPaper.ID, OrganizationID: f.committee.ID, MeetingID: f.past.ID, Position: 5,
			Role: "Entscheidung", Authoritative: true}); err != nil {
		t.Fatal(err)
	}
	status, body := e.get(t, e.anon(), "/papers/"+f.publicPaper.ID.String())
	if status != http.StatusOK {
		t.Fatalf("paper page: %d", status)
	}
	mustContain(t, "imported paper", body, "Original im bisherigen Ratsinformationssystem", `href="`+web+`"`,
		"Beschlussvorlage (PDF)", "getfile.asp?id=99&amp;type=do", "/meetings/"+f.past.ID.String())
	mustNotContain(t, "imported paper", body, `Entscheidung <span class="badge">`)
}
