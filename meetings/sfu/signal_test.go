package sfu_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

func TestWHIPIngestAndWHEPView(t *testing.T) {
	s := newSFU(t, sfu.Config{})
	room := s.Room("m1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	enc, err := sfuclient.New(sfuclient.Options{Tag: "room", PublishAudio: true, PublishVideo: true, KeyframeEvery: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	offer, err := enc.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var states []sfu.State
	var mu sync.Mutex
	answer, ingest, err := room.Ingest(ctx, offer, func(st sfu.State) { mu.Lock(); states = append(states, st); mu.Unlock() })
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if err := enc.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	if err := enc.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	enc.Publish(ctx)

	player, err := sfuclient.New(sfuclient.Options{RecvAudio: 1, RecvVideo: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer player.Close()
	offer, err = player.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, viewer, err := room.View(ctx, offer, nil)
	if err != nil {
		t.Fatalf("view: %v", err)
	}
	if err := player.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	if err := player.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "room audio and video at the WHEP player", func() bool {
		return player.Track("room-video").BySource["room"] >= 20 && player.Track("room-audio").BySource["room"] >= 20
	})
	// A member hears and sees the room, too.
	m := join(t, room, "m", sfu.KindMember, sfuclient.Options{})
	eventually(t, "room video at a member", func() bool { return m.Track("room-video").BySource["room"] >= 20 })

	// Ending the ingest (WHIP DELETE) closes it and silences the slots.
	ingest.Close()
	mu.Lock()
	last := states[len(states)-1]
	mu.Unlock()
	if !last.Closed || last.Kind != sfu.KindRoom {
		t.Errorf("last ingest state %+v, want closed room", last)
	}
	settled(t, "room-video", m)
	viewer.Close()
	if st := s.Stats(); st.Peers != 1 {
		t.Errorf("peers after closing ingest and viewer: %d, want 1", st.Peers)
	}
}

func TestBadSignalsLeaveThePeerUsable(t *testing.T) {
	s := newSFU(t, sfu.Config{StaleAfter: 2 * time.Second})
	room := s.Room("m1")
	b := join(t, room, "b", sfu.KindMember, sfuclient.Options{})

	// a joins, but its signals go through the test first.
	offers := make(chan sfu.Signal, 4)
	pa, err := room.Join(context.Background(), sfu.JoinOptions{ID: "a", Kind: sfu.KindMember, Send: func(s sfu.Signal) {
		if s.Type == "offer" {
			offers <- s
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// A stranger's answer (another room's offer) and garbage.
	other, err := sfuclient.New(sfuclient.Options{RecvAudio: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	foreign, err := other.Offer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bad := []sfu.Signal{
		{Type: "answer", SDP: "garbage"},
		{Type: "answer", SDP: foreign},
		{Type: "offer", SDP: foreign},
		{Type: "nonsense"},
	}
	for _, sig := range bad {
		if err := pa.Signal(sig); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("Signal(%s %.20q) = %v, want ErrInvalid", sig.Type, sig.SDP, err)
		}
	}
	offer := <-offers
	for _, sig := range bad[:2] {
		if err := pa.Signal(sig); !errors.Is(err, council.ErrInvalid) {
			t.Errorf("with an offer in flight, Signal(%s %.20q) = %v, want ErrInvalid", sig.Type, sig.SDP, err)
		}
	}

	// Now the real client answers; a bad candidate is refused on the way.
	ready := make(chan struct{})
	a, err := sfuclient.New(sfuclient.Options{Tag: "a", PublishAudio: true, Send: func(s sfu.Signal) error {
		<-ready
		return pa.Signal(s)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	close(ready)
	a.Handle(offer)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pa.Signal(sfu.Signal{Type: "candidate", Candidate: &sfu.Candidate{Candidate: "candidate:not a candidate"}}); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("bad candidate: %v, want ErrInvalid", err)
	}
	if err := pa.Signal(sfu.Signal{Type: "answer", SDP: offer.SDP}); !errors.Is(err, council.ErrInvalid) {
		t.Errorf("second answer: %v, want ErrInvalid", err)
	}
	a.Publish(ctx)
	room.SetFloor([]string{"a"})
	eventually(t, "a at b after the bad signals", func() bool { return b.Track("floor-0").BySource["a"] >= 20 })

	// A client that never answers is closed as stale.
	closed := make(chan struct{})
	_, err = room.Join(context.Background(), sfu.JoinOptions{ID: "silent", Kind: sfu.KindMember, Send: func(sfu.Signal) {},
		OnState: func(st sfu.State) {
			if st.Closed {
				close(closed)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("a peer that never answered was not closed")
	}
	if st := s.Stats(); st.Peers != 2 {
		t.Errorf("peers: %d, want 2", st.Peers)
	}
	if n, err := a.Err(); n != 0 {
		t.Errorf("client a saw %d errors, last %v", n, err)
	}
}

func TestOneOfferInFlightAndJoinBursts(t *testing.T) {
	s := newSFU(t, sfu.Config{Debounce: 30 * time.Millisecond})
	room := s.Room("m1")
	a := join(t, room, "a", sfu.KindMember, sfuclient.Options{})

	// Hold a's answers back while changes pile up.
	var mu sync.Mutex
	var held []sfu.Signal
	offers := 0
	pa, err := room.Join(context.Background(), sfu.JoinOptions{ID: "x", Kind: sfu.KindViewer, Send: func(sg sfu.Signal) {
		mu.Lock()
		defer mu.Unlock()
		if sg.Type == "offer" {
			offers++
			held = append(held, sg)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first offer", func() bool { mu.Lock(); defer mu.Unlock(); return offers == 1 })
	for range 10 {
		pa.Renegotiate()
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	if offers != 1 {
		t.Errorf("%d offers while one was in flight, want 1", offers)
	}
	first := held[0]
	mu.Unlock()

	// Answer with a real client: exactly one follow-up offer for the burst.
	ready := make(chan struct{})
	x, err := sfuclient.New(sfuclient.Options{Send: func(sg sfu.Signal) error { <-ready; return pa.Signal(sg) }})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	close(ready)
	x.Handle(first)
	eventually(t, "the follow-up offer", func() bool { mu.Lock(); defer mu.Unlock(); return offers == 2 })
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	if offers != 2 {
		t.Errorf("%d offers after the burst, want 2", offers)
	}
	mu.Unlock()

	// A burst of joins: one offer per new peer, none to the others.
	base := s.Stats().Offers
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { join(t, room, string(rune('p'+i)), sfu.KindMember, sfuclient.Options{}) })
	}
	wg.Wait()
	if n := s.Stats().Offers - base; n != 8 {
		t.Errorf("a burst of 8 joins caused %d offers, want 8", n)
	}
	if n := a.Offers(); n != 1 {
		t.Errorf("an existing member got %d offers, want 1", n)
	}
}
