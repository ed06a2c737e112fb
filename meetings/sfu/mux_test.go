package sfu_test

import (
	"context"
	"net"
	"testing"

	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/meetings/sfu/sfuclient"
)

func TestSingleUDPPort(t *testing.T) {
	l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := l.LocalAddr().(*net.UDPAddr).Port
	l.Close()

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
