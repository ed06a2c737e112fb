package main

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/meetings/sfu"
)

// mediaConfig is the media server's configuration, from PLENAR_* variables
// (serve has no flags for them: they are deployment settings, like
// PLENAR_MAX_UPLOAD_MB).
//
//	PLENAR_MEDIA_UDP_PORT  one UDP port for every peer (ICE mux); 0 or unset: ephemeral ports
//	PLENAR_STUN            STUN server URLs, comma-separated (stun:host:port)
//	PLENAR_TURN            TURN server URLs, comma-separated (turn:host:port?transport=udp, turns:…)
//	PLENAR_TURN_USERNAME   TURN user name
//	PLENAR_TURN_CREDENTIAL TURN password
//	PLENAR_NAT_IPS         public addresses announced instead of the host's (1:1 NAT), comma-separated
//	PLENAR_FLOOR_MAX       audio slots: at most this many members on the floor are heard at once; default 4
//	PLENAR_PRESENCE_GRACE  how long a dropped member stays "remote" before leaving; default 20s
func (a *app) mediaConfig() (sfu.Config, time.Duration, error) {
	var cfg sfu.Config
	get := func(k string) string { v, _ := a.env(k); return strings.TrimSpace(v) }
	if v := get("PLENAR_MEDIA_UDP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			return cfg, 0, usagef("PLENAR_MEDIA_UDP_PORT=%q: want a port number (0: ephemeral ports)", v)
		}
		cfg.UDPPort = p
	}
	if urls := list(get("PLENAR_STUN")); len(urls) > 0 {
		for _, u := range urls {
			if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") {
				return cfg, 0, usagef("PLENAR_STUN=%q: want stun: or stuns: URLs", u)
			}
		}
		cfg.ICEServers = append(cfg.ICEServers, sfu.ICEServer{URLs: urls})
	}
	if urls := list(get("PLENAR_TURN")); len(urls) > 0 {
		for _, u := range urls {
			if !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
				return cfg, 0, usagef("PLENAR_TURN=%q: want turn: or turns: URLs", u)
			}
		}
		user, cred := get("PLENAR_TURN_USERNAME"), get("PLENAR_TURN_CREDENTIAL")
		if user == "" || cred == "" {
			return cfg, 0, usagef("PLENAR_TURN needs PLENAR_TURN_USERNAME and PLENAR_TURN_CREDENTIAL")
		}
		cfg.ICEServers = append(cfg.ICEServers, sfu.ICEServer{URLs: urls, Username: user, Credential: cred})
	}
	for _, ip := range list(get("PLENAR_NAT_IPS")) {
		if net.ParseIP(ip) == nil {
			return cfg, 0, usagef("PLENAR_NAT_IPS: %q is not an IP address", ip)
		}
		cfg.NAT1To1IPs = append(cfg.NAT1To1IPs, ip)
	}
	if v := get("PLENAR_FLOOR_MAX"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > 16 {
			return cfg, 0, usagef("PLENAR_FLOOR_MAX=%q: want 1 to 16", v)
		}
		cfg.MaxFloor = k
	}
	grace := 20 * time.Second
	if v := get("PLENAR_PRESENCE_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 10*time.Minute {
			return cfg, 0, usagef("PLENAR_PRESENCE_GRACE=%q: want a duration up to 10m, e.g. 20s", v)
		}
		grace = d
	}
	return cfg, grace, nil
}

func list(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// newSFU starts the media server. A media server that cannot start (the
// UDP port taken) is fatal: a council session without media is no
// session.
func newSFU(cfg sfu.Config, log *slog.Logger) (*sfu.SFU, error) {
	s, err := sfu.New(cfg, log.With("component", "sfu"))
	if err != nil {
		return nil, fmt.Errorf("media server: %w", err)
	}
	if cfg.UDPPort == 0 {
		log.Info("media server on ephemeral UDP ports; set PLENAR_MEDIA_UDP_PORT for production behind a firewall")
	}
	return s, nil
}
