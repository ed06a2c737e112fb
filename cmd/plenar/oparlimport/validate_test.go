package oparlimport_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/plenar/plenar/cmd/plenar/oparlimport"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestImportStoresValidate: the importer writes through the import
// stores of council and meetings, which validate as the normal stores do.
// A paper with neither name nor reference and a meeting whose end is
// before its start are refused with a logged reason and counted as
// failed; everything else imports, with outbox and audit rows.
func TestImportStoresValidate(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	pages := defectPages()
	pages["/body/1/papers"] = `{"data": [
		{"id": "{B}/paper/1", "type": "` + t11 + `Paper", "name": "Haushaltssatzung", "reference": "V0001/21",
		 "paperType": "Beschlussvorlage", "modified": "2020-01-01T00:00:00+01:00"},
		{"id": "{B}/paper/2", "type": "` + t11 + `Paper", "name": " ", "paperType": "Antrag",
		 "modified": "2020-01-01T00:00:00+01:00"}],
		"links": {}}`
	pages["/body/1/meetings"] = `{"data": [
		{"id": "{B}/meeting/1", "type": "` + t11 + `Meeting", "name": "1. Sitzung", "start": "2021-03-01T17:00:00+01:00",
		 "organization": ["{B}/org/1"], "modified": "2020-01-01T00:00:00+01:00"},
		{"id": "{B}/meeting/2", "type": "` + t11 + `Meeting", "name": "2. Sitzung", "start": "2021-04-01T17:00:00+02:00",
		 "end": "2021-04-01T15:00:00+02:00", "modified": "2020-01-01T00:00:00+01:00",
		 "agendaItem": [{"id": "{B}/item/3", "type": "` + t11 + `AgendaItem", "order": 0, "name": "Eröffnung"}]}],
		"links": {}}`
	srv := newFixtureServer(t, pages)
	var logs bytes.Buffer
	opt := fastOptions(pool)
	opt.Log = slog.New(slog.NewTextHandler(&logs, nil))
	sum, err := oparlimport.Run(ctx, opt, srv.URL+"/system")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, sum)
	}
	if sum.Failed["paper"] != 1 || sum.Failed["meeting"] != 1 {
		t.Errorf("failed: %v, want paper 1 and meeting 1\n%s", sum.Failed, sum)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM papers`); n != 1 {
		t.Errorf("papers: %d, want the valid one", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM meetings WHERE name = '1. Sitzung'`); n != 1 {
		t.Errorf("the valid meeting was not imported")
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM meetings WHERE name = '2. Sitzung'`); n != 0 {
		t.Errorf("the meeting that ends before it starts was imported")
	}
	for _, want := range []string{srv.URL + "/paper/2", srv.URL + "/meeting/2"} {
		found := false
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "kind=rejected") && strings.Contains(line, want) && strings.Contains(line, "invalid") {
				found = true
			}
		}
		if !found {
			t.Errorf("no logged reason for %s in:\n%s", want, logs.String())
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM outbox WHERE entity = 'paper'`); n != 1 {
		t.Errorf("outbox rows of papers: %d, want 1", n)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM audit WHERE entity = 'meeting' AND changes->>'import' <> ''`); n != 1 {
		t.Errorf("audit rows of imported meetings: %d, want 1", n)
	}
}
