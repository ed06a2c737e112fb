package main

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
)

// mediaConfig is the media server's configuration, from PLENAR_* variables
// (serve has no flags for them: they are deployment settings, like
// PLENAR_MAX_UPLOAD_MB). envVars (help.go) says what each one means.
func (a *app) mediaConfig() (mediaSettings, error) {
	var ms mediaSettings
	cfg, browser, grace, err := a.mediaVars()
	if err != nil {
		return ms, err
	}
	viewers := 0
	if v, _ := a.env("PLENAR_MEDIA_VIEWERS"); strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 1000000 {
			return ms, usagef("PLENAR_MEDIA_VIEWERS=%q: want 1 to 1000000", v)
		}
		viewers = n
	}
	return mediaSettings{sfu: cfg, browser: browser, grace: grace, viewers: viewers}, nil
}

// mediaSettings are the media server's, the browsers' and presence's
// settings.
type mediaSettings struct {
	sfu     sfu.Config
	browser media.ICE
	grace   time.Duration
	// viewers is the node's viewer capacity, which sizes the admission
	// budgets of new viewers (media.Admission.Capacity); 0: the default.
	viewers int
}

func (a *app) mediaVars() (sfu.Config, media.ICE, time.Duration, error) {
	var cfg sfu.Config
	var browser media.ICE
	get := func(k string) string { v, _ := a.env(k); return strings.TrimSpace(v) }
	if v := get("PLENAR_MEDIA_UDP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			return cfg, browser, 0, usagef("PLENAR_MEDIA_UDP_PORT=%q: want a port number (0: ephemeral ports)", v)
		}
		cfg.UDPPort = p
	}
	if urls := list(get("PLENAR_STUN")); len(urls) > 0 {
		for _, u := range urls {
			if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") {
				return cfg, browser, 0, usagef("PLENAR_STUN=%q: want stun: or stuns: URLs", u)
			}
		}
		cfg.ICEServers = append(cfg.ICEServers, sfu.ICEServer{URLs: urls})
		browser.STUN = urls
	}
	if urls := list(get("PLENAR_TURN")); len(urls) > 0 {
		for _, u := range urls {
			if !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
				return cfg, browser, 0, usagef("PLENAR_TURN=%q: want turn: or turns: URLs", u)
			}
		}
		user, cred, secret := get("PLENAR_TURN_USERNAME"), get("PLENAR_TURN_CREDENTIAL"), get("PLENAR_TURN_SECRET")
		if (user == "") != (cred == "") || (user == "" && secret == "") {
			return cfg, browser, 0, usagef("PLENAR_TURN needs PLENAR_TURN_SECRET (browsers) or PLENAR_TURN_USERNAME and PLENAR_TURN_CREDENTIAL (the media server), or both")
		}
		if user != "" {
			cfg.ICEServers = append(cfg.ICEServers, sfu.ICEServer{URLs: urls, Username: user, Credential: cred})
		}
		if secret != "" {
			browser.TURN, browser.TURNSecret = urls, secret
		}
	} else if get("PLENAR_TURN_SECRET") != "" {
		return cfg, browser, 0, usagef("PLENAR_TURN_SECRET needs PLENAR_TURN (the TURN server URLs)")
	}
	if v := get("PLENAR_TURN_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 7*24*time.Hour {
			return cfg, browser, 0, usagef("PLENAR_TURN_TTL=%q: want a duration from 1m to 168h, e.g. 12h", v)
		}
		browser.TURNTTL = d
	}
	for _, ip := range list(get("PLENAR_NAT_IPS")) {
		if net.ParseIP(ip) == nil {
			return cfg, browser, 0, usagef("PLENAR_NAT_IPS: %q is not an IP address", ip)
		}
		cfg.NAT1To1IPs = append(cfg.NAT1To1IPs, ip)
	}
	if v := get("PLENAR_FLOOR_MAX"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > 16 {
			return cfg, browser, 0, usagef("PLENAR_FLOOR_MAX=%q: want 1 to 16", v)
		}
		cfg.MaxFloor = k
	}
	grace := defaultPresenceGrace
	if v := get("PLENAR_PRESENCE_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 10*time.Minute {
			return cfg, browser, 0, usagef("PLENAR_PRESENCE_GRACE=%q: want a duration up to 10m, e.g. 20s", v)
		}
		grace = d
	}
	return cfg, browser, grace, nil
}

// defaultPresenceGrace is how long a member whose media connection
// dropped stays "remote" unless PLENAR_PRESENCE_GRACE says otherwise.
const defaultPresenceGrace = 20 * time.Second

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
		log.Info("media server on ephemeral UDP ports; set PLENAR_MEDIA_UDP_PORT in production: one firewall rule and batched sends")
	}
	return s, nil
}
