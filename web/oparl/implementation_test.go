package oparl_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// markerImpl sits in the implementation record of a non-public paper: no
// response may contain it.
const markerImpl = "UMSETZUNG-OPARL-8Q2"

// TestImplementationPublished: a public paper carries plenar:implementation
// (status, office, due date, notes, the public follow-up papers as OParl
// URLs, modified), alone and in its list, the same; the record of a
// non-public paper and a non-public follow-up appear nowhere; a paper
// without a record has none; omit_internal leaves it out. (A change of the
// record moves the paper's modified: TestImplementationLifecycle.)
func TestImplementationPublished(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	cs := council.NewStore(pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	must(t, "body", err)
	paper := func(name string, public bool) council.Paper {
		t.Helper()
		p, err := cs.SavePaper(ctx, council.Paper{BodyID: body.ID, Name: name, Type: council.PaperResolution, Public: public})
		must(t, "paper", err)
		p, err = cs.Submit(ctx, p.ID, time.Now())
		must(t, "submit", err)
		return p
	}
	decided, follow, hidden, plain := paper("Radweg Lindenau", true), paper("Bericht Radweg", true), paper("Grundstück "+markerImpl, false), paper("Ohne Umsetzung", true)
	im, err := cs.SaveImplementation(ctx, council.Implementation{PaperID: decided.ID, Office: "Tiefbauamt",
		Due: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)}, time.Now())
	must(t, "record", err)
	_, err = cs.AddImplementationNote(ctx, im.ID, council.ImplementationNote{Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Text: "Planung beauftragt"})
	must(t, "note", err)
	must(t, "follow-up", cs.LinkFollowUp(ctx, im.ID, follow.ID))
	must(t, "non-public follow-up", cs.LinkFollowUp(ctx, im.ID, hidden.ID))
	hiddenImpl, err := cs.SaveImplementation(ctx, council.Implementation{PaperID: hidden.ID, Office: "Amt " + markerImpl}, time.Now())
	must(t, "hidden record", err)
	_, err = cs.AddImplementationNote(ctx, hiddenImpl.ID, council.ImplementationNote{Date: time.Now(), Text: markerImpl})
	must(t, "hidden note", err)

	base := serveOParl(t, cs, meetings.NewStore(pool))
	fetch := func(u string) map[string]any {
		t.Helper()
		_, o := fetchClean(t, u, "the non-public paper", markerImpl, hidden.ID.String())
		return o
	}
	alone := fetch(base + "/paper/" + decided.ID.String())
	got, err := json.Marshal(alone["plenar:implementation"])
	must(t, "marshal", err)
	var impl struct {
		Status, ResponsibleOffice, DueDate, Created, Modified string
		Notes                                                 []struct{ Date, Text string }
		FollowUpPapers                                        []string
	}
	must(t, "decode", json.Unmarshal(got, &impl))
	if impl.Status != "open" || impl.ResponsibleOffice != "Tiefbauamt" || impl.DueDate != "2027-06-30" || impl.Modified == "" ||
		len(impl.Notes) != 1 || impl.Notes[0].Date != "2026-11-02" || impl.Notes[0].Text != "Planung beauftragt" ||
		len(impl.FollowUpPapers) != 1 || impl.FollowUpPapers[0] != base+"/paper/"+follow.ID.String() {
		t.Errorf("plenar:implementation = %s", got)
	}
	if _, ok := fetch(base + "/paper/" + plain.ID.String())["plenar:implementation"]; ok {
		t.Error("a paper without a record has plenar:implementation")
	}
	list := fetch(base + "/body/" + body.ID.String() + "/paper")
	found := false
	for _, x := range list["data"].([]any) {
		o := x.(map[string]any)
		if o["id"] == alone["id"] {
			found = true
			if a, b := mustJSON(t, o["plenar:implementation"]), mustJSON(t, alone["plenar:implementation"]); a != b {
				t.Errorf("in the list %s, alone %s", a, b)
			}
		}
	}
	if !found {
		t.Error("the paper is not in its list")
	}
	if omit := fetch(base + "/body/" + body.ID.String() + "/paper?omit_internal=true"); strings.Contains(mustJSON(t, omit), "plenar:implementation") {
		t.Error("omit_internal keeps plenar:implementation")
	}

	_, err = cs.SetImplementationStatus(ctx, im.ID, council.ImplInProgress, "", time.Now())
	must(t, "status", err)
	if st := fetch(base + "/paper/" + decided.ID.String())["plenar:implementation"].(map[string]any)["status"]; st != "in_progress" {
		t.Errorf("status after the change: %v, want in_progress", st)
	}
}
