package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Participation in the demo city (docs/DOMAIN.md, "Einwohnerantrag"):
// the city's rules (40 co-signers from 14 years, 90 days), residents'
// accounts that co-sign, and motions in every state — the demo citizen's
// draft, two collecting signatures (one near its threshold), one
// submitted, one admitted onto the council's next meeting, one not
// admitted with its reason, one withdrawn — and the youth council's and
// the community group's motions with their answer obligation: one
// answered, one overdue, one submitted — and a councillor's own
// inquiries: one admitted, one submitted.

// demoThreshold is the demo city's number of co-signers.
const demoThreshold = 40

// demoMotion is a citizens' motion of the demo: its texts, how many
// residents co-sign it, and how far it went.
type demoMotion struct {
	title, text, reasoning string
	signatures             int
	state                  council.InitiativeState
	reason                 string // rejected
	daysAgo                int    // published (or, for a draft, written) this many days before now
}

var demoMotions = []demoMotion{
	{"Tempo 30 vor der Grundschule Am Park", "Der Stadtrat möge beschließen, in der Parkstraße zwischen Lindenallee und Schulweg eine Geschwindigkeitsbegrenzung auf 30 km/h anzuordnen.",
		"Der Schulweg von rund 300 Kindern kreuzt die Parkstraße ohne Ampel; in den letzten zwei Jahren gab es drei Unfälle mit Kindern.", 36, council.InitiativeCollecting, "", 40},
	{"Mehr Sitzbänke am Elbuferweg", "Der Stadtrat möge beschließen, entlang des Elbuferwegs zwischen Fähranleger und Stadtpark alle 300 Meter eine Sitzbank aufzustellen.",
		"Ältere Menschen und Menschen mit Gehbehinderung können den Weg sonst nicht nutzen.", 9, council.InitiativeCollecting, "", 12},
	{"Trinkwasserbrunnen in der Innenstadt", "Der Stadtrat möge beschließen, bis zum Sommer am Alten Markt und am Bahnhofsvorplatz je einen öffentlichen Trinkwasserbrunnen einzurichten.",
		"Hitzetage nehmen zu; öffentliche Trinkbrunnen schützen vor allem Kinder, Ältere und Wohnungslose.", demoThreshold, council.InitiativeSubmitted, "", 70},
	{"Öffnungszeiten der Stadtbibliothek am Samstag", "Der Stadtrat möge beschließen, die Stadtbibliothek samstags von 10 bis 16 Uhr zu öffnen.",
		"Berufstätige und Familien können die Bibliothek unter der Woche kaum nutzen.", demoThreshold, council.InitiativeAdmitted, "", 110},
	{"Verbot von Feuerwerk in der ganzen Stadt", "Der Stadtrat möge beschließen, das Abbrennen von Feuerwerk im gesamten Stadtgebiet zu verbieten.",
		"Lärm, Feinstaub und Verletzungen.", demoThreshold, council.InitiativeRejected,
		"Ein allgemeines Feuerwerksverbot regelt das Sprengstoffrecht des Bundes; die Stadt kann es nur für einzelne Orte anordnen. Der Antrag betrifft insoweit keine Angelegenheit der Gemeinde.", 150},
	{"Hundewiese im Stadtpark", "Der Stadtrat möge beschließen, im Stadtpark eine eingezäunte Hundewiese anzulegen.",
		"", 4, council.InitiativeWithdrawn, "", 60},
	{"Bücherschrank in der Südstadt", "Der Stadtrat möge beschließen, vor dem Stadtteiltreff Südstadt einen öffentlichen Bücherschrank aufzustellen.",
		"Ein Bücherschrank fördert das Lesen und die Begegnung im Stadtteil.", 0, council.InitiativeDraft, "", 3},
}

// demoGroupMotion is a youth council's or community group's motion.
type demoGroupMotion struct {
	youth       bool
	title, text string
	admitted    int    // days ago it was admitted; 0: only submitted
	answer      string // the administration's answer; "": none yet
}

var demoGroupMotions = []demoGroupMotion{
	{true, "Jugendtreff im Stadtteil Nord", "Der Stadtrat möge beschließen, im Stadtteil Nord einen offenen Jugendtreff mit festen Öffnungszeiten einzurichten.",
		120, "Die Verwaltung hat zwei Räume geprüft; der Jugendtreff kann im Herbst im ehemaligen Schulhort Nord öffnen. Die Kosten sind im Haushaltsentwurf veranschlagt."},
	{true, "Kostenloses WLAN in Bussen und an Haltestellen", "Der Stadtrat möge beschließen, die Stadtwerke zu beauftragen, in allen Bussen und an den zehn meistgenutzten Haltestellen kostenloses WLAN anzubieten.",
		100, ""},
	// Admitted two days ago: routed to the Sozialausschuss' next meeting
	// whose agenda deadline is open (docs/DOMAIN.md, "Einwohnerantrag").
	{true, "Trinkbrunnen im Stadtpark und auf den Schulhöfen", "Der Stadtrat möge beschließen, im Stadtpark und auf den Schulhöfen der Grundschulen Trinkbrunnen aufzustellen.",
		2, ""},
	{false, "Beleuchtung des Fußwegs zur Südstadtschule", "Der Stadtrat möge beschließen, den Fußweg zwischen Schönebecker Straße und Südstadtschule zu beleuchten.",
		0, ""},
}

// seedInitiatives writes the rules, the residents and the motions.
func (s *seeder) seedInitiatives(ctx context.Context) error {
	// The youth council's motions go to the Sozialausschuss (Soziales,
	// Jugend und Familie), the community group's to the building
	// committee; an admitted motion must be on an agenda 7 days before the
	// meeting.
	routes := map[council.InitiativeKind]council.ID{}
	for _, g := range s.committees {
		switch g.key {
		case "soz":
			routes[council.InitiativeYouth] = g.org.ID
		case "bau":
			routes[council.InitiativeCommunity] = g.org.ID
		}
	}
	if err := s.cs.SaveParticipationRules(ctx, council.ParticipationRules{BodyID: s.body.ID, Inhabitants: 48500,
		Threshold: demoThreshold, MinAge: 14, CollectDays: 90, AnswerDays: 90, AgendaDays: 7, Routes: routes}); err != nil {
		return err
	}
	// The demo citizen (demoLogins) is a confirmed resident, born 1979.
	citizen, err := s.cs.UserByEmail(ctx, "buergerin@musterstadt.example")
	if err != nil {
		return err
	}
	if err := s.resident(ctx, citizen.ID, 1979); err != nil {
		return err
	}
	// Residents who co-sign: as many as the fullest motion needs.
	var signers []council.ID
	for i := range demoThreshold {
		u, err := s.cs.CreateUser(ctx, council.User{Email: fmt.Sprintf("einwohner-%02d@musterstadt.example", i+1),
			PasswordHash: "!", Role: council.RoleCitizen})
		if err != nil {
			return err
		}
		if err := s.resident(ctx, u.ID, 1950+i); err != nil {
			return err
		}
		signers = append(signers, u.ID)
	}
	next := s.nextCouncilMeeting()
	for i, m := range demoMotions {
		// The demo citizen wrote the draft and the collecting ones; other
		// residents the rest.
		author := citizen.ID
		if m.state != council.InitiativeDraft && m.state != council.InitiativeCollecting {
			author = signers[len(signers)-1-i]
		}
		at := s.now.AddDate(0, 0, -m.daysAgo)
		in, err := s.cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: s.body.ID, AuthorID: author, Title: m.title,
			Text: m.text, Reasoning: m.reasoning, Meta: council.Meta{Created: at.Add(-48 * time.Hour)}})
		if err != nil {
			return fmt.Errorf("%s: %w", m.title, err)
		}
		if m.state == council.InitiativeDraft {
			continue
		}
		if _, err := s.cs.PublishInitiative(ctx, in.ID, author, at); err != nil {
			return fmt.Errorf("%s: %w", m.title, err)
		}
		for k := range m.signatures {
			if _, err := s.cs.SignInitiative(ctx, in.ID, signers[k], at.Add(time.Duration(k+1)*time.Hour)); err != nil {
				return fmt.Errorf("%s: signature %d: %w", m.title, k+1, err)
			}
		}
		done := at.AddDate(0, 0, 20)
		switch m.state {
		case council.InitiativeWithdrawn:
			_, err = s.cs.WithdrawInitiative(ctx, in.ID, author, done)
		case council.InitiativeSubmitted, council.InitiativeAdmitted, council.InitiativeRejected:
			if _, err = s.cs.SubmitInitiative(ctx, in.ID, author, done, nil); err != nil {
				break
			}
			switch m.state {
			case council.InitiativeRejected:
				_, err = s.cs.RejectInitiative(ctx, in.ID, m.reason, done.AddDate(0, 0, 14))
			case council.InitiativeAdmitted:
				err = s.admit(ctx, in.ID, next, done.AddDate(0, 0, 14))
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m.title, err)
		}
	}
	// An open report of a public motion, for the back office's queue.
	var reported council.ID
	if err := s.tx.QueryRow(ctx, `SELECT id FROM initiatives WHERE title = $1`, demoMotions[1].title).Scan(&reported); err != nil {
		return err
	}
	if _, err := s.cs.ReportAbuse(ctx, council.AbuseReport{TargetKind: "initiative", TargetID: reported, Reason: council.AbuseSpam,
		Note: "Derselbe Antrag wurde schon im letzten Jahr gestellt."}); err != nil {
		return err
	}
	return s.seedGroupMotions(ctx)
}

// resident confirms user's residence and stores the birth year.
func (s *seeder) resident(ctx context.Context, user council.ID, born int) error {
	if err := s.cs.ConfirmResidence(ctx, user, true); err != nil {
		return err
	}
	return s.cs.SetBirthYear(ctx, user, born)
}

// admit admits initiative id as the clerk on day at and puts its paper on
// the council's meeting next (when there is one).
func (s *seeder) admit(ctx context.Context, id council.ID, next *meeting, at time.Time) error {
	_, p, err := s.cs.AdmitInitiative(ctx, id, s.council.org.ID, at)
	if err != nil || next == nil {
		return err
	}
	_, err = s.ms.AddPaper(ctx, next.m.ID, p.ID, s.council.org.ID, true)
	return err
}

// admitRouted admits a group's motion on day at as the clerk does with
// the admit form's preselection: consulted by the body the rules route its
// kind to, on that body's next meeting whose agenda deadline is open — if
// that meeting is still to come now (older motions were decided before the
// demo's planned meetings).
func (s *seeder) admitRouted(ctx context.Context, id council.ID, kind council.InitiativeKind, at time.Time) error {
	rules, err := s.cs.ParticipationRules(ctx, s.body.ID)
	if err != nil {
		return err
	}
	org := rules.RouteFor(kind)
	if org == council.NilID {
		org = s.council.org.ID
	}
	_, p, err := s.cs.AdmitInitiative(ctx, id, org, at)
	if err != nil {
		return err
	}
	m, ok, err := s.ms.NextMeetingFor(ctx, org, rules.AgendaDays, at)
	if err != nil || !ok || !m.Start.After(s.now) || (s.live != nil && s.live.m.ID == m.ID) {
		return err
	}
	_, err = s.ms.AddPaper(ctx, m.ID, p.ID, org, true)
	return err
}

// nextCouncilMeeting is the council's first meeting after now that is
// not cancelled and not the live one; nil when the demo has none.
func (s *seeder) nextCouncilMeeting() *meeting {
	var next *meeting
	for _, m := range s.meetings {
		if m.g == s.council && !m.cancelled && !m.live && m.start.After(s.now) && m.m.ID != council.NilID &&
			(m.state == meetings.Planned || m.state == meetings.Invited) && (next == nil || m.start.Before(next.start)) {
			next = m
		}
	}
	return next
}

// seedGroupMotions files the youth council's motions through its demo
// account (jugendrat@…) and the community group's through an account of
// one of its members.
func (s *seeder) seedGroupMotions(ctx context.Context) error {
	youthRep, err := s.cs.UserByEmail(ctx, "jugendrat@musterstadt.example")
	if err != nil {
		return err
	}
	var gwaPerson council.ID
	if err := s.tx.QueryRow(ctx, `SELECT person_id FROM memberships WHERE organization_id = $1 AND NOT deleted
		ORDER BY start_date, id LIMIT 1`, s.gwa.org.ID).Scan(&gwaPerson); err != nil {
		return fmt.Errorf("a member of the community group: %w", err)
	}
	gwaRep, err := s.cs.CreateUser(ctx, council.User{Email: "gwa-suedstadt@musterstadt.example", DisplayName: "GWA Südstadt",
		PasswordHash: "!", Role: council.RoleCitizen, PersonID: gwaPerson})
	if err != nil {
		return err
	}
	for _, g := range demoGroupMotions {
		rep, org, kind := gwaRep.ID, s.gwa.org.ID, council.InitiativeCommunity
		if g.youth {
			rep, org, kind = youthRep.ID, s.youth.org.ID, council.InitiativeYouth
		}
		filed := s.now.AddDate(0, 0, -g.admitted-10)
		in, err := s.cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: s.body.ID, AuthorID: rep, Kind: kind, OrganizationID: org,
			Title: g.title, Text: g.text, Meta: council.Meta{Created: filed.Add(-24 * time.Hour)}})
		if err != nil {
			return fmt.Errorf("%s: %w", g.title, err)
		}
		if _, err := s.cs.SubmitInitiative(ctx, in.ID, rep, filed, nil); err != nil {
			return fmt.Errorf("%s: %w", g.title, err)
		}
		if g.admitted == 0 {
			continue
		}
		admitted := s.now.AddDate(0, 0, -g.admitted)
		if err := s.admitRouted(ctx, in.ID, kind, admitted); err != nil {
			return fmt.Errorf("%s: %w", g.title, err)
		}
		if g.answer != "" {
			if _, err := s.cs.AnswerInitiative(ctx, in.ID, g.answer, admitted.AddDate(0, 0, 60)); err != nil {
				return fmt.Errorf("%s: %w", g.title, err)
			}
		}
	}
	return s.seedCouncillorMotions(ctx)
}

// seedCouncillorMotions files two councillors' own inquiries (Anfragen
// eines Ratsmitglieds) through the demo councillor (stadtrat@…) as a
// member of the council, for its next meeting: one co-signed by the chair
// of the Finanzausschuss and admitted onto that meeting (an "Anfrage von
// Ratsmitgliedern"), one submitted yesterday and waiting for the clerk.
// Without a coming council meeting there is nothing to file them for.
func (s *seeder) seedCouncillorMotions(ctx context.Context) error {
	next := s.nextCouncilMeeting()
	if next == nil {
		return nil
	}
	author, err := s.cs.UserByEmail(ctx, "stadtrat@musterstadt.example")
	if err != nil {
		return err
	}
	cosigner, err := s.cs.UserByEmail(ctx, "ausschuss@musterstadt.example")
	if err != nil {
		return err
	}
	for _, m := range []struct {
		title, text, reasoning string
		cosigned, admitted     bool
	}{
		{"Sanierungsstand der städtischen Sporthallen", "Wir fragen die Verwaltung: In welchem baulichen Zustand sind die städtischen Sporthallen, welche Sanierungen sind bis 2028 geplant und was kosten sie?",
			"Mehrere Vereine berichten von gesperrten Hallenteilen; der Haushalt braucht eine Übersicht.", true, true},
		{"Wartezeiten im Bürgerbüro", "Ich frage die Verwaltung: Wie lange warteten Bürgerinnen und Bürger im letzten Quartal im Durchschnitt auf einen Termin im Bürgerbüro, und wie will die Verwaltung die Wartezeiten verkürzen?",
			"", false, false},
	} {
		filed := s.now.AddDate(0, 0, -1)
		if m.admitted {
			filed = s.now.AddDate(0, 0, -3)
		}
		in, err := s.cs.SaveInitiativeDraft(ctx, council.Initiative{BodyID: s.body.ID, AuthorID: author.ID, Kind: council.InitiativeCouncillor,
			OrganizationID: s.council.org.ID, PaperType: council.PaperInquiry, MeetingID: next.m.ID, Title: m.title, Text: m.text,
			Reasoning: m.reasoning, Meta: council.Meta{Created: filed.Add(-24 * time.Hour)}})
		if err != nil {
			return fmt.Errorf("%s: %w", m.title, err)
		}
		if m.cosigned {
			if _, err := s.cs.SignInitiative(ctx, in.ID, cosigner.ID, filed.Add(-2*time.Hour)); err != nil {
				return fmt.Errorf("%s: co-signature: %w", m.title, err)
			}
		}
		if _, err := s.cs.SubmitInitiative(ctx, in.ID, author.ID, filed, nil); err != nil {
			return fmt.Errorf("%s: %w", m.title, err)
		}
		if m.admitted {
			if err := s.admit(ctx, in.ID, next, filed.AddDate(0, 0, 1)); err != nil {
				return fmt.Errorf("%s: %w", m.title, err)
			}
		}
	}
	return nil
}
