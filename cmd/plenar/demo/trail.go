package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
)

// The Beschlusskontrolle of the demo city (docs/DOMAIN.md,
// "Beschlusskontrolle"): every resolution adopted in the last year
// gets its implementation record, in step with the paper's timeline —
// open after the decision, in progress once the paper's implementation
// began, done when it ended — with the lead office as the responsible one,
// a due date (some of them passed: overdue), dated progress notes, a few
// records not implemented with their reason, and follow-up papers on the
// same topic.

// trailYears is how far back decisions get an implementation record.
const trailYears = 1

// notImplementedReasons are why a resolution was not carried out.
var notImplementedReasons = []string{
	"Die beantragten Fördermittel wurden nicht bewilligt; eine Finanzierung aus eigenen Mitteln ist im Haushalt nicht darstellbar.",
	"Nach Prüfung durch die Bauaufsicht ist das Vorhaben am vorgesehenen Standort nicht genehmigungsfähig.",
	"Die Kommunalaufsicht hat den Beschluss beanstandet; der Stadtrat hat ihn daraufhin aufgehoben.",
	"Der Eigentümer des Grundstücks hat dem Verkauf an die Stadt nicht zugestimmt.",
}

// progressNotes are progress reports in the order of the work; %s is the
// responsible office.
var progressNotes = []string{
	"Auftrag an %s erteilt; die Planung hat begonnen.",
	"Abstimmung mit den beteiligten Ämtern und den Ortschaftsräten abgeschlossen.",
	"Ausschreibung veröffentlicht; Angebotsfrist läuft.",
	"Vergabe erfolgt; der Auftragnehmer beginnt im nächsten Quartal.",
	"Zwischenbericht im Fachausschuss vorgestellt; Zeitplan und Kostenrahmen werden eingehalten.",
}

// seedTrail writes the implementation records.
func (s *seeder) seedTrail(ctx context.Context) error {
	offices := map[council.ID]string{}
	office := func(id council.ID) (string, error) {
		if id == council.NilID {
			return "Hauptamt", nil
		}
		if name, ok := offices[id]; ok {
			return name, nil
		}
		o, err := s.cs.Organization(ctx, id)
		if err != nil {
			return "", err
		}
		offices[id] = o.Name
		return o.Name, nil
	}
	byTopic := map[*topic][]*paper{}
	for _, p := range s.papers {
		if !p.draft && p.p.Public {
			byTopic[p.t] = append(byTopic[p.t], p)
		}
	}
	since := s.now.AddDate(-trailYears, 0, 0)
	n := 0
	for _, p := range s.papers {
		decided, began, done, ok := implementationTimes(p)
		if !ok || decided.Before(since) {
			continue
		}
		name, err := office(p.p.LeadOrgID)
		if err != nil {
			return fmt.Errorf("office of %s: %w", p.p.Reference, err)
		}
		if err := s.seedImplementation(ctx, p, name, decided, began, done, n, byTopic[p.t]); err != nil {
			return fmt.Errorf("implementation of %s: %w", p.p.Reference, err)
		}
		n++
	}
	s.log.Info("demo: implementation records", "records", n)
	return nil
}

// implementationTimes reads a resolution's timeline: when it was adopted,
// when its implementation began and ended (zero: not yet). ok is false for
// papers that adopted nothing.
func implementationTimes(p *paper) (decided, began, done time.Time, ok bool) {
	if p.draft || p.p.Type == council.PaperAmendment || p.p.Type == council.PaperInquiry || p.p.Type == council.PaperInformation {
		return
	}
	for _, e := range p.events {
		switch {
		case e.status == council.StatusDecided && strings.Contains(e.note, "beschlossen"):
			decided, ok = e.at, true
		case e.status == council.StatusImplementation && ok:
			began = e.at
		case e.status == council.StatusDone && ok && !began.IsZero():
			done = e.at
		}
	}
	return
}

// seedImplementation writes one record; i (the running number) spreads
// the rarer cases evenly.
func (s *seeder) seedImplementation(ctx context.Context, p *paper, office string, decided, began, done time.Time, i int, sameTopic []*paper) error {
	due := day(decided, 90+s.r.IntN(12)*30)
	im, err := s.cs.SaveImplementation(ctx, council.Implementation{PaperID: p.p.ID, Office: office, Due: due}, decided.Add(time.Hour))
	if err != nil {
		return err
	}
	note := func(at time.Time, k int) error {
		if !at.Before(s.now) {
			return nil
		}
		text := progressNotes[k%len(progressNotes)]
		if strings.Contains(text, "%s") {
			text = fmt.Sprintf(text, "das "+office)
		}
		_, err := s.cs.AddImplementationNote(ctx, im.ID, council.ImplementationNote{Date: day(at, 0), Text: text})
		return err
	}
	status := func(st council.ImplementationStatus, reason string, at time.Time) error {
		_, err := s.cs.SetImplementationStatus(ctx, im.ID, st, reason, at)
		return err
	}
	if began.IsZero() {
		// Open; now and then a first note already.
		if i%3 == 0 {
			return note(decided.AddDate(0, 0, 10), 0)
		}
		return nil
	}
	if err := status(council.ImplInProgress, "", began); err != nil {
		return err
	}
	if err := note(began, 0); err != nil {
		return err
	}
	last := s.now
	if !done.IsZero() {
		last = done
	}
	for k, at := 1, began.AddDate(0, 2, 0); k < len(progressNotes) && at.Before(last); k, at = k+1, at.AddDate(0, 3, 0) {
		if err := note(at, k); err != nil {
			return err
		}
	}
	switch {
	case i%11 == 5:
		// Given up: not implemented, for a reason.
		at := began.AddDate(0, 2, 15)
		if !at.Before(s.now) {
			at = s.now.Add(-48 * time.Hour)
		}
		return status(council.ImplNotImplemented, notImplementedReasons[(i/11)%len(notImplementedReasons)], at)
	case done.IsZero():
		return nil // in progress; overdue when its due date passed
	}
	if err := note(done, len(progressNotes)); err != nil {
		return err
	}
	if err := status(council.ImplDone, "", done); err != nil {
		return err
	}
	// A report or a new paper on the same topic, submitted after the
	// decision, follows it up.
	if i%4 != 0 {
		return nil
	}
	for _, f := range sameTopic {
		if f != p && f.date.After(decided) && f.date.Before(done.AddDate(0, 6, 0)) {
			return s.cs.LinkFollowUp(ctx, im.ID, f.p.ID)
		}
	}
	return nil
}
