package sfu_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
	"github.com/plenar/plenar/migrations/pgtest"
)

// newSFU starts an SFU on loopback in the production layout: every peer on
// one UDP port (the ICE mux, whose socket batches fan-outs into sendmmsg),
// unless cfg.UDPPort is ephemeralPorts.
func newSFU(t testing.TB, cfg sfu.Config) *sfu.SFU {
	t.Helper()
	cfg.LoopbackOnly = true
	pickPort := cfg.UDPPort == 0
	if cfg.UDPPort == ephemeralPorts {
		cfg.UDPPort = 0
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 10 * time.Millisecond
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var s *sfu.SFU
	var err error
	for try := 0; ; try++ {
		if pickPort {
			// A port free a moment ago may be taken by a parallel test
			// before the SFU binds it: pick another.
			cfg.UDPPort = freeUDPPort(t)
		}
		if s, err = sfu.New(cfg, log); err == nil || !pickPort || try == 4 {
			break
		}
	}
	if err != nil {
		t.Fatalf("new sfu: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close sfu: %v", err)
		}
	})
	return s
}

// ephemeralPorts as Config.UDPPort asks newSFU for a port per peer.
const ephemeralPorts = -1

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort(t testing.TB) int {
	t.Helper()
	l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.LocalAddr().(*net.UDPAddr).Port
}

// member is a pion client joined to a room through the signalling API.
type member struct {
	*sfuclient.Client
	peer *sfu.Peer
}

// join connects a client as id of the given kind and waits until ICE and
// DTLS are up.
func join(t testing.TB, room *sfu.Room, id string, kind sfu.Kind, opts sfuclient.Options) member {
	t.Helper()
	m, err := connect(room, id, kind, opts)
	if m.Client != nil {
		t.Cleanup(m.Close)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// connect is join for any goroutine: it returns an error instead of
// failing the test; the caller closes the client (also on error, when it
// is set).
func connect(room *sfu.Room, id string, kind sfu.Kind, opts sfuclient.Options) (member, error) {
	var peer atomic.Pointer[sfu.Peer]
	ready := make(chan struct{})
	opts.Tag = id
	opts.Send = func(s sfu.Signal) error {
		<-ready
		return peer.Load().Signal(s)
	}
	c, err := sfuclient.New(opts)
	if err != nil {
		return member{}, fmt.Errorf("client %s: %w", id, err)
	}
	p, err := room.Join(context.Background(), sfu.JoinOptions{ID: id, Kind: kind, Send: c.Handle})
	if err != nil {
		return member{Client: c}, fmt.Errorf("join %s: %w", id, err)
	}
	peer.Store(p)
	close(ready)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitConnected(ctx); err != nil {
		return member{Client: c, peer: p}, fmt.Errorf("connect %s: %w", id, err)
	}
	return member{Client: c, peer: p}, nil
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settled waits until the packet count of track id at every client stops
// changing, then returns the counts.
func settled(t testing.TB, id string, cs ...member) []uint64 {
	t.Helper()
	prev := make([]uint64, len(cs))
	for i, c := range cs {
		prev[i] = c.Track(id).Packets
	}
	for range 100 {
		time.Sleep(100 * time.Millisecond)
		same := true
		for i, c := range cs {
			n := c.Track(id).Packets
			if n != prev[i] {
				same = false
			}
			prev[i] = n
		}
		if same {
			return prev
		}
	}
	t.Fatalf("track %s never settled", id)
	return nil
}

func pgtestUnavailable(t testing.TB, reason string) {
	t.Helper()
	pgtest.Unavailable(t, reason)
}
