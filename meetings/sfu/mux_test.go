package sfu_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

func TestSingleUDPPort(t *testing.T) {
	port := freeUDPPort(t)
	s := newSFU(t, sfu.Config{UDPPort: port})
	room := s.Room("m1")
	a := join(t, room, "a", sfu.KindMember, sfuclient.Options{PublishAudio: true})
	b := join(t, room, "b", sfu.KindMember, sfuclient.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.Publish(ctx)
	room.SetFloor([]string{"a"})
	eventually(t, "a at b over the shared port", func() bool { return b.Track("floor-0").BySource["a"] >= 10 })
	if _, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}); err == nil {
		t.Errorf("port %d is not in use by the SFU", port)
	}
}

func TestNATAddressIsAnnounced(t *testing.T) {
	s := newSFU(t, sfu.Config{NAT1To1IPs: []string{"203.0.113.7"}})
	got := make(chan string, 16)
	_, err := s.Room("m1").Join(context.Background(), sfu.JoinOptions{ID: "a", Kind: sfu.KindViewer, Send: func(sg sfu.Signal) {
		if sg.Type == "candidate" && sg.Candidate != nil {
			got <- sg.Candidate.Candidate
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := <-got
	if !strings.Contains(c, " 203.0.113.7 ") || strings.Contains(c, "127.0.0.1") {
		t.Errorf("candidate %q does not announce the NAT address instead of the host's", c)
	}
}
