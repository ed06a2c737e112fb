package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// The Einwohnerfragestunde of the demo city (docs/DOMAIN.md,
// "Einwohnerfragestunde"): the question time of the next invited council
// meeting (else of the next invited meeting that has one, a district
// council's) takes questions online, and holds some in every state —
// submitted and waiting, published, answered in writing, merged as a
// duplicate, rejected with each kind of reason — from a handful of
// verified citizens, some of whom consented to their name in public. The
// demo citizen's login (buergerin@…) has one waiting and one published.

// demoAskers are the citizens who ask; publish: the name may be shown.
var demoAskers = []struct {
	email, name string
	publish     bool
}{
	{"", "", true}, // the demo login (Erika Musterbürgerin)
	{"jonas.becker@musterstadt.example", "Jonas Becker", true},
	{"a.yilmaz@musterstadt.example", "Ayşe Yılmaz", false},
	{"k.wolff@musterstadt.example", "Karl Wolff", false},
	{"l.schneider@musterstadt.example", "Lea Schneider", true},
}

// demoQuestion is one question of the demo and what moderation did to it.
type demoQuestion struct {
	asker  int
	text   string
	action meetings.ModerationAction // "": submitted, waiting
	reason meetings.RejectReason
	note   string
	into   int // merge: the index of the question it duplicates
	answer string
}

var demoQuestions = []demoQuestion{
	{asker: 0, text: "Wann wird die Sanierung der Turnhalle der Grundschule am Park abgeschlossen, und wo findet der Schulsport bis dahin statt?",
		action: meetings.ActPublish},
	{asker: 1, text: "Plant die Stadt an der Kreuzung Lindenallee/Bahnhofstraße eine Ampel? Dort ist der Schulweg sehr gefährlich.",
		action: meetings.ActPublish},
	{asker: 2, text: "Wie viele Plätze fehlen zurzeit in den Kindertagesstätten der Stadt, und bis wann sollen sie geschaffen werden?",
		action: meetings.ActAnswer, answer: "Zum 1. März fehlen 64 Plätze für Kinder unter drei Jahren und 22 für Kinder über drei Jahren. " +
			"Mit der Kita am Mühlenweg (Eröffnung im Herbst) entstehen 75 neue Plätze; der Rest soll über die Kindertagespflege gedeckt werden."},
	{asker: 3, text: "Kommt an die Kreuzung Lindenallee und Bahnhofstraße endlich eine Ampel für die Schulkinder?",
		action: meetings.ActMerge, into: 1, note: "Ihre Frage wurde mit einer gleichlautenden Frage zusammengeführt und wird mit ihr beantwortet."},
	{asker: 4, text: "Warum werden die Gebühren für den Anwohnerparkausweis erhöht, und wofür wird das Geld verwendet?",
		action: meetings.ActPublish},
	{asker: 1, text: "Was unternimmt die Bundesregierung gegen die steigenden Energiepreise?",
		action: meetings.ActReject, reason: meetings.ReasonNotMunicipal,
		note: "Die Einwohnerfragestunde ist für Angelegenheiten der Stadt da; die Energiepolitik des Bundes gehört nicht dazu."},
	{asker: 3, text: "Warum darf mein Nachbar in der Gartenstraße 12 seinen Wohnwagen seit Monaten auf dem Gehweg parken?",
		action: meetings.ActReject, reason: meetings.ReasonPersonalData,
		note: "Bitte stellen Sie die Frage allgemein (Parken auf Gehwegen), ohne Angaben zu einzelnen Personen."},
	{asker: 2, text: "Die Verwaltung ist doch sowieso völlig unfähig, oder?!",
		action: meetings.ActReject, reason: meetings.ReasonOffensive, note: "Bitte formulieren Sie Ihre Frage sachlich."},
	{asker: 0, text: "Wird der Wochenmarkt während des Umbaus des Marktplatzes verlegt, und wenn ja, wohin?"},
	{asker: 4, text: "Gibt es Pläne, die Öffnungszeiten der Stadtbibliothek am Samstag zu verlängern?"},
}

// seedQuestions writes the question times and their questions: the
// next council meeting's, with questions in every state, and the live
// session's (seedLiveQuestions).
func (s *seeder) seedQuestions(ctx context.Context) error {
	if err := s.seedLiveQuestions(ctx); err != nil {
		return err
	}
	m := s.questionMeeting()
	if m == nil {
		s.log.Info("demo: no invited meeting with a question time ahead; no questions")
		return nil
	}
	qt, err := s.questionTime(ctx, m)
	if err != nil || qt.ItemID == council.NilID {
		return err
	}
	item := qt.ItemID
	deadline := m.start.AddDate(0, 0, -qt.DeadlineDays)
	asked := s.now
	if !asked.Before(deadline) {
		asked = deadline.Add(-time.Hour)
	}
	// Asked over the days since the invitation, oldest first.
	asked = asked.Add(-time.Duration(len(demoQuestions)) * 5 * time.Hour)
	askers := make([]council.ID, len(demoAskers))
	for i, a := range demoAskers {
		if a.email == "" {
			u, err := s.cs.UserByEmail(ctx, "buergerin@musterstadt.example")
			if err != nil {
				return err
			}
			askers[i] = u.ID
		} else {
			// No password that could be typed: these accounts only ask
			// in the demo (the hash is not a valid PHC string).
			u, err := s.cs.CreateUser(ctx, council.User{Email: a.email, DisplayName: a.name, PasswordHash: "!demo", Role: council.RoleCitizen})
			if err != nil {
				return err
			}
			askers[i] = u.ID
		}
		if _, err := s.tx.Exec(ctx, `UPDATE users SET publish_name = $2 WHERE id = $1`, askers[i], a.publish); err != nil {
			return err
		}
	}
	ids := make([]council.ID, len(demoQuestions))
	for i, dq := range demoQuestions {
		at := asked.Add(time.Duration(i) * 5 * time.Hour)
		q, err := s.ms.Ask(ctx, askers[dq.asker], item, dq.text, at)
		if err != nil {
			return fmt.Errorf("question %d: %w", i, err)
		}
		ids[i] = q.ID
		mod := at.Add(2 * time.Hour)
		switch dq.action {
		case "":
		case meetings.ActAnswer:
			if _, err := s.ms.Moderate(ctx, q.ID, meetings.Moderation{Action: meetings.ActPublish}, mod, nil); err != nil {
				return err
			}
			if _, err := s.ms.Moderate(ctx, q.ID, meetings.Moderation{Action: meetings.ActAnswer, Mode: meetings.AnswerWritten,
				Answer: dq.answer}, mod.Add(3*time.Hour), nil); err != nil {
				return err
			}
		default:
			if _, err := s.ms.Moderate(ctx, q.ID, meetings.Moderation{Action: dq.action, Reason: dq.reason, Note: dq.note,
				Into: ids[dq.into]}, mod, nil); err != nil {
				return fmt.Errorf("question %d: %w", i, err)
			}
		}
	}
	return nil
}

// questionMeeting is the meeting whose question time gets the demo's
// questions: the next invited council meeting ahead (not the one running
// live), else the next invited meeting of a district council.
func (s *seeder) questionMeeting() *meeting {
	next := func(g *gremium) *meeting {
		for _, m := range g.meetings {
			if m.start.After(s.now) && !m.cancelled && !m.live && m.state == meetings.Invited {
				return m
			}
		}
		return nil
	}
	if m := next(s.council); m != nil {
		return m
	}
	var best *meeting
	for _, g := range s.districts {
		if m := next(g); m != nil && (best == nil || m.start.Before(best.start)) {
			best = m
		}
	}
	return best
}

// seedLiveQuestions gives the council session that runs live when the
// demo starts a question time with two published questions, asked four
// days before it: the demo login's (Erika Musterbürgerin) and Jonas
// Becker's. Jonas had the floor himself for two minutes, audio only,
// ten minutes into the session (questions.floor_from/until: the draft
// minutes say so); on the console the chair can go back to the question
// time and give Erika the floor, and Erika, signed in on the public live
// page, speaks (docs/DOMAIN.md, "Einwohnerfragestunde").
func (s *seeder) seedLiveQuestions(ctx context.Context) error {
	m := s.live
	if m == nil || m.m.ID == council.NilID || m.cancelled {
		return nil
	}
	qt, err := s.questionTime(ctx, m)
	if err != nil || qt.ItemID == council.NilID {
		return err
	}
	item := qt.ItemID
	asked := m.start.AddDate(0, 0, -4)
	erika, err := s.cs.UserByEmail(ctx, "buergerin@musterstadt.example")
	if err != nil {
		return err
	}
	jonas, err := s.cs.CreateUser(ctx, council.User{Email: "j.becker.live@musterstadt.example", DisplayName: "Jonas Becker",
		PasswordHash: "!demo", Role: council.RoleCitizen})
	if err != nil {
		return err
	}
	var ids []council.ID
	for i, a := range []struct {
		user council.ID
		text string
	}{
		{jonas.ID, "Wann wird der Radweg an der Lindenallee zwischen Bahnhof und Schulzentrum endlich durchgehend befahrbar?"},
		{erika.ID, "Wie will die Stadt die Sperrung der Brücke am Mühlgraben für Fußgängerinnen und Fußgänger überbrücken?"},
	} {
		q, err := s.ms.Ask(ctx, a.user, item, a.text, asked.Add(time.Duration(i)*time.Hour))
		if err != nil {
			return fmt.Errorf("live question %d: %w", i, err)
		}
		if _, err := s.ms.Moderate(ctx, q.ID, meetings.Moderation{Action: meetings.ActPublish}, asked.Add(26*time.Hour), nil); err != nil {
			return err
		}
		ids = append(ids, q.ID)
	}
	from := m.start.Add(10 * time.Minute)
	if from.After(s.now) {
		return nil
	}
	_, err = s.ms.GiveQuestionFloor(ctx, item, ids[0], from, from.Add(2*time.Minute))
	return err
}

// questionTime marks meeting m's item "Einwohnerfragestunde" as its
// question time with the default rules (a zero ItemID: m has none).
func (s *seeder) questionTime(ctx context.Context, m *meeting) (meetings.QuestionTime, error) {
	items, err := s.ms.AgendaItems(ctx, m.m.ID)
	if err != nil {
		return meetings.QuestionTime{}, err
	}
	for _, it := range items {
		if it.Name == "Einwohnerfragestunde" {
			qt := meetings.QuestionTime{ItemID: it.ID, DeadlineDays: meetings.DefaultQuestionDeadlineDays, PerPerson: meetings.DefaultQuestionsPerPerson}
			return qt, s.ms.SetQuestionTime(ctx, qt)
		}
	}
	return meetings.QuestionTime{}, nil
}
