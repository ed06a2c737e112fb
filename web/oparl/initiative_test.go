package oparl_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/migrations/pgtest"
)

// TestInitiativePublished: the Paper an admitted citizens' motion became
// carries plenar:initiative (kind, submitted, signatures and threshold,
// deadline, admitted, its page), alone and in the list; the author's and
// the co-signer's e-mail addresses and names appear nowhere; a party
// group's admitted motion has none (its Paper is the record).
func TestInitiativePublished(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	cs := council.NewStore(pool)
	body, err := cs.CreateBody(ctx, council.Body{Name: "Stadt Musterstadt"})
	must(t, "body", err)
	must(t, "rules", cs.SaveParticipationRules(ctx, council.ParticipationRules{BodyID: body.ID, Threshold: 1, MinAge: 14,
		CollectDays: 30, AnswerDays: 30, MotionDeadline: 0}))
	rat, err := cs.SaveOrganization(ctx, council.Organization{BodyID: body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
	must(t, "council", err)
	const secret = "INIT-OPARL-NAME-6T"
	author, err := cs.CreateUser(ctx, council.User{Email: "autorin-6t@buerger.example", DisplayName: secret, PasswordHash: "x", Role: council.RoleCitizen})
	must(t, "author", err)
	signer, err := cs.CreateUser(ctx, council.User{Email: "signer-6t@buerger.example", DisplayName: secret + "-S", PasswordHash: "x", Role: council.RoleCitizen})
	must(t, "signer", err)
	must(t, "residence", cs.ConfirmResidence(ctx, signer.ID, true))
	must(t, "birth year", cs.SetBirthYear(ctx, signer.ID, 1970))
	now := time.Now()
	in, err := cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: body.ID, AuthorID: author.ID, Title: "Trinkbrunnen am Markt", Text: "Der Rat möge …"})
	must(t, "draft", err)
	_, err = cs.PublishInitiative(ctx, in.ID, author.ID, now)
	must(t, "publish", err)
	_, err = cs.SignInitiative(ctx, in.ID, signer.ID, now)
	must(t, "sign", err)
	_, err = cs.SubmitInitiative(ctx, in.ID, author.ID, now, nil)
	must(t, "submit", err)
	_, paper, err := cs.AdmitInitiative(ctx, in.ID, rat.ID, now)
	must(t, "admit", err)

	base := serveOParl(t, cs, meetings.NewStore(pool))
	get := func(u string) (string, map[string]any) {
		t.Helper()
		return fetchClean(t, u, "")
	}
	raw, alone := get(base + "/paper/" + paper.ID.String())
	obj, ok := alone["plenar:initiative"].(map[string]any)
	if !ok {
		t.Fatalf("paper without plenar:initiative: %s", raw)
	}
	for k, want := range map[string]any{"kind": "citizens", "signatures": 1.0, "threshold": 1.0} {
		if obj[k] != want {
			t.Errorf("plenar:initiative.%s = %v, want %v", k, obj[k], want)
		}
	}
	for _, k := range []string{"submitted", "admitted", "deadline", "web"} {
		if s, _ := obj[k].(string); s == "" {
			t.Errorf("plenar:initiative.%s missing: %v", k, obj)
		}
	}
	list, _ := get(base + "/body/" + body.ID.String() + "/paper")
	if !strings.Contains(list, `"plenar:initiative"`) {
		t.Error("the paper list lacks plenar:initiative")
	}
	for _, s := range []string{raw, list} {
		for _, bad := range []string{secret, author.Email, signer.Email, author.ID.String(), signer.ID.String()} {
			if strings.Contains(s, bad) {
				t.Errorf("OParl shows %q", bad)
			}
		}
	}
}
