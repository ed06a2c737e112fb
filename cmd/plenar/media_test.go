package main

import (
	"testing"
	"time"
)

// TestMediaConfig: the PLENAR_* media variables, and the usage errors
// for bad values.
func TestMediaConfig(t *testing.T) {
	a := &app{env: mapEnv(map[string]string{
		"PLENAR_MEDIA_UDP_PORT": "50000", "PLENAR_STUN": "stun:stun.example:3478",
		"PLENAR_TURN":          "turn:turn.example:3478?transport=udp, turns:turn.example:5349",
		"PLENAR_TURN_USERNAME": "u", "PLENAR_TURN_CREDENTIAL": "p", "PLENAR_TURN_SECRET": "s3cret", "PLENAR_TURN_TTL": "2h",
		"PLENAR_NAT_IPS": "203.0.113.7", "PLENAR_FLOOR_MAX": "3", "PLENAR_PRESENCE_GRACE": "5s", "PLENAR_MEDIA_VIEWERS": "2000"})}
	ms, err := a.mediaConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg, b := ms.sfu, ms.browser
	if cfg.UDPPort != 50000 || len(cfg.ICEServers) != 2 || len(cfg.ICEServers[1].URLs) != 2 ||
		cfg.ICEServers[1].Username != "u" || len(cfg.NAT1To1IPs) != 1 || cfg.MaxFloor != 3 || ms.grace != 5*time.Second || ms.viewers != 2000 {
		t.Errorf("config %+v, grace %v", cfg, ms.grace)
	}
	if len(b.STUN) != 1 || len(b.TURN) != 2 || b.TURNSecret != "s3cret" || b.TURNTTL != 2*time.Hour {
		t.Errorf("browser ICE %+v", b)
	}
	// The secret alone: browsers get TURN, the media server does not.
	ms, err = (&app{env: mapEnv(map[string]string{"PLENAR_TURN": "turn:turn.example", "PLENAR_TURN_SECRET": "s"})}).mediaConfig()
	if err != nil || len(ms.sfu.ICEServers) != 0 || ms.browser.TURNSecret != "s" || len(ms.browser.TURN) != 1 {
		t.Errorf("secret only: %+v %v", ms, err)
	}
	// Static credentials alone: the media server only.
	ms, err = (&app{env: mapEnv(map[string]string{"PLENAR_TURN": "turn:turn.example", "PLENAR_TURN_USERNAME": "u", "PLENAR_TURN_CREDENTIAL": "p"})}).mediaConfig()
	if err != nil || len(ms.sfu.ICEServers) != 1 || ms.browser.TURNSecret != "" || len(ms.browser.TURN) != 0 {
		t.Errorf("static only: %+v %v", ms, err)
	}
	if ms, err := (&app{env: mapEnv(nil)}).mediaConfig(); err != nil || ms.sfu.UDPPort != 0 || ms.grace != 20*time.Second ||
		len(ms.browser.STUN)+len(ms.browser.TURN) != 0 {
		t.Errorf("defaults: %+v %v", ms, err)
	}
	for _, bad := range []map[string]string{
		{"PLENAR_MEDIA_UDP_PORT": "x"}, {"PLENAR_STUN": "http://x"}, {"PLENAR_TURN": "turn:x"},
		{"PLENAR_TURN": "turn:x", "PLENAR_TURN_USERNAME": "u"}, {"PLENAR_TURN_SECRET": "s"},
		{"PLENAR_TURN": "turn:x", "PLENAR_TURN_SECRET": "s", "PLENAR_TURN_TTL": "10s"},
		{"PLENAR_NAT_IPS": "host.example"}, {"PLENAR_FLOOR_MAX": "0"}, {"PLENAR_PRESENCE_GRACE": "forever"}, {"PLENAR_MEDIA_VIEWERS": "0"},
	} {
		if _, err := (&app{env: mapEnv(bad)}).mediaConfig(); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
