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
		"PLENAR_TURN": "turn:turn.example:3478?transport=udp, turns:turn.example:5349",
		"PLENAR_TURN_USERNAME": "u", "PLENAR_TURN_CREDENTIAL": "p",
		"PLENAR_NAT_IPS": "203.0.113.7", "PLENAR_FLOOR_MAX": "3", "PLENAR_PRESENCE_GRACE": "5s"})}
	cfg, grace, err := a.mediaConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UDPPort != 50000 || len(cfg.ICEServers) != 2 || len(cfg.ICEServers[1].URLs) != 2 ||
		cfg.ICEServers[1].Username != "u" || len(cfg.NAT1To1IPs) != 1 || cfg.MaxFloor != 3 || grace != 5*time.Second {
		t.Errorf("config %+v, grace %v", cfg, grace)
	}
	if cfg, grace, err := (&app{env: mapEnv(nil)}).mediaConfig(); err != nil || cfg.UDPPort != 0 || grace != 20*time.Second {
		t.Errorf("defaults: %+v %v %v", cfg, grace, err)
	}
	for k, v := range map[string]string{"PLENAR_MEDIA_UDP_PORT": "x", "PLENAR_STUN": "http://x", "PLENAR_TURN": "turn:x",
		"PLENAR_NAT_IPS": "host.example", "PLENAR_FLOOR_MAX": "0", "PLENAR_PRESENCE_GRACE": "forever"} {
		if _, _, err := (&app{env: mapEnv(map[string]string{k: v})}).mediaConfig(); err == nil {
			t.Errorf("%s=%q accepted", k, v)
		}
	}
}
