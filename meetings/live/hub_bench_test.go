package live_test

import (
	"fmt"
	"testing"

	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/voting"
)

// BenchmarkHubCommand measures the path of a speakers' list round through
// the hub: a member raises a hand, the chair gives the floor and ends it
// (three commands, three transactions, three speakers events), each fanned
// out to 40 subscribers of all three audiences (24 public, 12 members,
// 4 staff) through LISTEN/NOTIFY. One op is one round, finished when every
// subscriber has received the last event.
//
//	CI=true go test -run '^$' -bench BenchmarkHubCommand ./meetings/live
func BenchmarkHubCommand(b *testing.B) {
	e := newEnv(b, live.Options{})
	e.start(b, 1)
	var subs []*live.Subscription
	for i := range 40 {
		a := live.Actor{}
		switch {
		case i < 4:
			a = e.clerk
		case i < 16:
			a = e.members[1+i%5]
		}
		s := e.subscribe(b, e.hub, a, 0)
		next(b, s) // the snapshot
		subs = append(subs, s)
	}
	chair, member := e.members[0], e.members[1]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.do(b, member, live.RaiseHand{})
		e.do(b, chair, live.GrantFloor{})
		last := e.do(b, chair, live.EndFloor{})
		for _, s := range subs {
			for next(b, s).Seq < last {
			}
		}
	}
	b.ReportMetric(float64(3*40*b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkDecodeClient measures reading one client command from the
// websocket, the step before Hub.Do of every command a browser sends.
//
//	go test -run '^$' -bench BenchmarkDecodeClient ./meetings/live
func BenchmarkDecodeClient(b *testing.B) {
	hub := live.NewHub(nil, live.Options{})
	msg := []byte(`{"v":1,"type":"command","id":"c1","command":"raise_hand","point_of_order":true}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := hub.DecodeClient(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDraftMinutes drafts the minutes of a long session: 60 agenda
// items called in turn, 300 speeches (raised, given the floor, ended), 80
// polls (open, named and secret in turn, every member voting) and the
// attendance changes of a council of five, as the session's log holds them
// (issue 18's target: ≤ 1 s). One op is one DraftMinutes.
//
//	CI=true go test -run '^$' -bench BenchmarkDraftMinutes -benchtime 10x ./meetings/live
func BenchmarkDraftMinutes(b *testing.B) {
	e := voteEnv(b, "")
	ms := meetings.NewStore(e.pool)
	for i := range 57 {
		if _, err := ms.SaveAgendaItem(e.ctx, meetings.AgendaItem{MeetingID: e.meeting.ID, Name: fmt.Sprintf("Vorlage %d", i+4), Public: true}); err != nil {
			b.Fatal(err)
		}
	}
	kinds := []voting.Kind{voting.Open, voting.Named, voting.Secret}
	speeches, polls := 0, 0
	for item := range 60 {
		if item > 0 {
			e.do(b, e.members[0], live.NextItem{})
		}
		for range 5 {
			m := e.members[1+speeches%4]
			e.do(b, m, live.RaiseHand{})
			e.do(b, e.clerk, live.GrantFloor{})
			e.do(b, e.clerk, live.EndFloor{})
			speeches++
		}
		for n := 0; n < 2 && polls < 80 && (item%3 != 2 || n == 0); n++ {
			p := e.open(b, live.OpenPoll{Kind: kinds[polls%3], Question: fmt.Sprintf("Beschluss %d", polls)})
			for i := range 5 {
				e.cast(b, e.members[i], p.ID, fmt.Sprintf("bench-%d-%d-ballot", polls, i), "yes")
			}
			e.do(b, e.clerk, live.ClosePoll{Poll: p.ID})
			polls++
		}
		if item%10 == 5 {
			e.do(b, e.clerk, live.CheckOut{Person: e.members[1].PersonID})
			e.do(b, e.clerk, live.CheckIn{Person: e.members[1].PersonID})
		}
	}
	var m live.Minutes
	b.ResetTimer()
	for b.Loop() {
		var err error
		if m, err = e.hub.DraftMinutes(e.ctx, e.meeting.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	got := 0
	for _, it := range m.Items {
		got += len(it.Polls)
	}
	if len(m.Items) != 60 || got != polls {
		b.Fatalf("minutes with %d items and %d polls, want 60 and %d", len(m.Items), got, polls)
	}
	b.ReportMetric(float64(speeches), "speeches")
	b.ReportMetric(float64(polls), "polls")
}
