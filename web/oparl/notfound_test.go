package oparl_test

import (
	"context"
	"net/http"
	"testing"
)

// TestNonLiveIDsAre404: for every object type, the nil UUID, an unknown
// id and the id of a live object of another type answer 404 — never 200
// with some other object (issue 14: the nil UUID answered the first
// paper, meeting, organization … of the list).
func TestNonLiveIDsAre404(t *testing.T) {
	e := newDemoEnv(t, 2)
	ctx := context.Background()
	var paperID, meetingID string
	if err := e.pool.QueryRow(ctx, `SELECT id::text FROM papers LIMIT 1`).Scan(&paperID); err != nil {
		t.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT id::text FROM meetings LIMIT 1`).Scan(&meetingID); err != nil {
		t.Fatal(err)
	}
	c := &http.Client{}
	for _, path := range []string{"body", "organization", "person", "membership", "meeting", "agendaItem", "paper",
		"consultation", "location", "legislativeTerm", "file"} {
		other := paperID
		if path == "paper" {
			other = meetingID
		}
		for _, id := range []string{"00000000-0000-0000-0000-000000000000", "7a1c4c9e-2f1b-4d8e-9a55-3c1f0e6b2d41", other} {
			u := e.base + "/" + path + "/" + id
			if r := get(t, c, http.MethodGet, u, nil); r.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404 (%.120s)", u, r.status, r.body)
			}
		}
	}
}
