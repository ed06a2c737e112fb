package live_test

import (
	"testing"

	"github.com/plenar/plenar/meetings/live"
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
