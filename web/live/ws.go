package liveweb

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/live"
	"github.com/plenar/plenar/meetings/media"
	"github.com/plenar/plenar/meetings/sfu"
	"github.com/plenar/plenar/web/site"
)

// Websocket timings. A browser answers pings on its own; a client that
// answers nothing for liveReadWait is dropped.
const (
	PingEvery      = 10 * time.Second // how often the server pings a websocket client
	liveReadWait   = 3 * PingEvery
	liveWriteWait  = 10 * time.Second
	CmdBurst       = 20                     // commands a client may send at once …
	liveCmdRefill  = 100 * time.Millisecond // … and one more every this long
	liveReplyQueue = 16
)

// Close codes beyond RFC 6455's: CloseResync, the client should reconnect
// (with its last seq) at once; CloseSession (session.go), the login
// session of the socket ended.
const CloseResync = 4000

// sameOrigin accepts a websocket handshake without an Origin header (not a
// browser, so no ambient-cookie attack) or with one naming this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// liveWS is GET /meetings/{id}/live/ws: one websocket per client. The
// first message is a snapshot (or, with ?since=seq, the events after seq),
// then events in seq order for the viewer's audience. Client messages are
// commands (live.Hub.DecodeClient), run through the hub as the viewer; each is
// answered with an ack or an error message. The connection closes with
// code 4000 when the client must resync (it fell behind, or the hub
// stopped), 4001 when the session of a logged-in user ended (logout,
// reset, disabled account, expiry: session.go), 1009 for an
// oversized message, 1001 on shutdown.
func (s *server) liveWS(w http.ResponseWriter, r *http.Request) {
	if s.Live == nil {
		s.Fail(w, r, council.ErrUnavailable)
		return
	}
	id, err := site.PathID(r)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var since int64
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			s.Fail(w, r, council.Invalidf("since: not a sequence number"))
			return
		}
	}
	if !websocket.IsWebSocketUpgrade(r) {
		s.Fail(w, r, council.Invalidf("websocket upgrade expected"))
		return
	}
	if !sameOrigin(r) {
		s.Fail(w, r, council.ErrForbidden)
		return
	}
	a := s.actor(r)
	// Subscribe before the upgrade, so an unknown meeting is a plain 404.
	sub, err := s.Live.Subscribe(r.Context(), id, a, since)
	if err != nil {
		s.Fail(w, r, site.HideMissing(err, "meeting", id))
		return
	}
	defer func() { sub.Close() }()
	up := websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 8192, HandshakeTimeout: 10 * time.Second,
		CheckOrigin: sameOrigin}
	// The handshake's response carries the session cookie when
	// the server's session middleware changed it (a renewed token).
	var hdr http.Header
	if c := w.Header().Values("Set-Cookie"); len(c) > 0 {
		hdr = http.Header{"Set-Cookie": c}
	}
	conn, err := up.Upgrade(w, r, hdr) // answers the client itself on failure
	if err != nil {
		s.Log.Debug("live websocket upgrade failed", "meeting_id", id, "err", err)
		return
	}
	defer conn.Close()
	// The request's context does not end for a hijacked connection;
	// shutdown reaches us through the hub, which ends the subscription.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	lc := &liveConn{s: s, conn: conn, meeting: id, actor: a, replies: make(chan any, liveReplyQueue)}
	var signals <-chan sfu.Signal // nil without media: never ready
	if s.Media != nil {
		lc.mc = s.Media.Conn(id, a, s.ClientAddr(r))
		signals = lc.mc.Signals()
	}
	if lc.sess = s.Session(r); lc.sess != nil {
		lc.ended = make(chan struct{})
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		lc.readLoop(ctx)
	}()
	// The media's presence runs until the reader is done (a media_join
	// may still be under way).
	pctx, endPresence := context.WithCancel(context.WithoutCancel(r.Context()))
	var loops sync.WaitGroup // presence and session checks
	if lc.mc != nil {
		loops.Go(func() { lc.mc.Run(pctx) })
	}
	if lc.sess != nil {
		loops.Go(func() { lc.sessionLoop(ctx) })
	}
	lc.writeLoop(ctx, sub, readDone, signals)
	cancel()         // ends sessionLoop too
	_ = conn.Close() // unblocks the reader
	<-readDone
	endPresence()
	loops.Wait()
	if lc.mc != nil {
		lc.mc.Leave() // closing the websocket closes the peer
	}
}

// liveConn is one websocket client. Only writeLoop writes data frames;
// the reader hands its replies over through replies.
type liveConn struct {
	s       *server
	conn    *websocket.Conn
	meeting council.ID
	actor   live.Actor
	replies chan any    // live.Message replies to commands and media messages
	mc      *media.Conn // the connection's media peer (media_ws.go); nil without media
	// closeCode is set by the reader before it ends: the close frame the
	// writer sends (0: none, the peer is gone).
	closeCode int
	closeText string
	// sess is the session of a logged-in user's socket (nil: the
	// public); ended is closed, once, when it no longer stands
	// (session.go).
	sess    Session
	ended   chan struct{}
	endOnce sync.Once
}

// readLoop reads client messages until the connection fails or ctx ends.
func (lc *liveConn) readLoop(ctx context.Context) {
	c := lc.conn
	c.SetReadLimit(MaxMessage) // commands: live.MaxClientMessage, checked by live.Hub.DecodeClient
	_ = c.SetReadDeadline(time.Now().Add(liveReadWait))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(liveReadWait)) })
	// Per connection, so they go with it: nothing to evict.
	cmds := rate.NewLimiter(rate.Every(liveCmdRefill), CmdBurst)
	media := rate.NewLimiter(rate.Every(liveMediaRefill), MediaBurst)
	for {
		typ, b, err := c.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				lc.closeCode, lc.closeText = websocket.CloseMessageTooBig, "message too big"
				lc.s.Log.Info("live websocket: oversized message", "meeting_id", lc.meeting)
			} else if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) && ctx.Err() == nil {
				lc.s.Log.Debug("live websocket read", "meeting_id", lc.meeting, "err", err)
			}
			return
		}
		_ = c.SetReadDeadline(time.Now().Add(liveReadWait))
		if typ == websocket.TextMessage && isMediaMessage(b) {
			var reply any
			if !media.Allow() {
				m := live.ErrorMessage(clientID(b), council.ErrUnavailable)
				m.Error.Message = "too many media messages; slow down"
				reply = m
			} else {
				reply = lc.media(ctx, b)
			}
			if reply == nil {
				continue
			}
			select {
			case lc.replies <- reply:
			case <-ctx.Done():
				return
			}
			continue
		}
		var reply live.Message
		switch {
		case typ != websocket.TextMessage:
			reply = live.ErrorMessage("", council.Invalidf("text messages only"))
		case !cmds.Allow():
			reply = live.ErrorMessage(clientID(b), council.ErrUnavailable)
			reply.Error.Message = "too many commands; slow down"
		default:
			reply = lc.command(ctx, b)
		}
		select {
		case lc.replies <- reply:
		case <-ctx.Done():
			return
		}
		if reply.Type == live.TypeError && wrongVersion(b) {
			lc.closeCode, lc.closeText = websocket.CloseProtocolError, "unsupported protocol version"
			return
		}
	}
}

// command decodes and runs one client message and returns its ack or
// error. The public may watch but not act: their commands are refused
// without touching the database.
func (lc *liveConn) command(ctx context.Context, b []byte) live.Message {
	id, cmd, err := lc.s.Live.DecodeClient(b)
	if err != nil {
		return live.ErrorMessage(id, err)
	}
	if lc.actor.IsPublic() {
		return live.ErrorMessage(id, council.ErrForbidden)
	}
	if err := lc.checkSession(ctx); err != nil {
		return live.ErrorMessage(id, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	seq, reply, err := lc.s.Live.DoReply(cctx, lc.meeting, lc.actor, cmd)
	if err != nil {
		if !errors.Is(err, council.ErrForbidden) && !errors.Is(err, council.ErrConflict) && !errors.Is(err, council.ErrInvalid) {
			lc.s.Log.Warn("live command failed", "meeting_id", lc.meeting, "command", cmd.Name(), "err", err)
		}
		return live.ErrorMessage(id, err)
	}
	return live.AckReply(id, seq, reply)
}

// clientID reads just the command id of a message, for error replies.
func clientID(b []byte) string {
	var m struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(b, &m) != nil || len(m.ID) > 64 {
		return ""
	}
	return m.ID
}

// wrongVersion reports whether b names a protocol version other than ours.
func wrongVersion(b []byte) bool {
	var m struct {
		V *int `json:"v"`
	}
	return json.Unmarshal(b, &m) == nil && m.V != nil && *m.V != live.ProtocolVersion
}

// writeLoop sends the subscription's messages, the replies and pings
// until the subscription or the reader ends, then a close frame.
//
// A viewer who connected before the session started was subscribed with
// the public's audience and an empty state (no roster yet); when the
// session starts, writeLoop subscribes again and sends the viewer's own
// snapshot.
func (lc *liveConn) writeLoop(ctx context.Context, sub *live.Subscription, readDone <-chan struct{}, signals <-chan sfu.Signal) {
	ping := time.NewTicker(PingEvery)
	defer ping.Stop()
	defer func() { sub.Close() }()
	upgrade := false // subscribed before the session existed
	for {
		select {
		case <-ctx.Done():
			lc.close(websocket.CloseGoingAway, "server shutting down")
			return
		case <-lc.ended: // nil for the public: never
			lc.close(CloseSession, "session ended")
			return
		case <-readDone:
			for len(lc.replies) > 0 { // the last reply before a protocol close
				if lc.write(<-lc.replies) != nil {
					return
				}
			}
			if lc.closeCode != 0 {
				lc.close(lc.closeCode, lc.closeText)
				lc.linger()
			}
			return
		case m, ok := <-sub.C:
			if !ok {
				lc.close(CloseResync, "resync")
				return
			}
			if m.Type == live.TypeSnapshot && m.Snapshot != nil {
				upgrade = m.Snapshot.Seq == 0
			}
			if err := lc.write(m); err != nil {
				return
			}
			if upgrade && m.Type == live.TypeEvent && m.Kind == live.EvSessionStarted {
				upgrade = false
				next, err := lc.s.Live.Subscribe(ctx, lc.meeting, lc.actor, 0)
				if err != nil {
					lc.s.Log.Warn("live resubscribe after the start", "meeting_id", lc.meeting, "err", err)
					lc.close(CloseResync, "resync")
					return
				}
				sub.Close()
				sub = next
				continue
			}
			if m.Type == live.TypeResync {
				lc.close(CloseResync, "resync")
				return
			}
		case m := <-lc.replies:
			if err := lc.write(m); err != nil {
				return
			}
		case sig := <-signals:
			if err := lc.write(mediaServerMessage{V: live.ProtocolVersion, Type: "media", Signal: sig}); err != nil {
				return
			}
		case <-ping.C:
			if err := lc.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
				return
			}
		}
	}
}

func (lc *liveConn) write(m any) error {
	_ = lc.conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
	var err error
	if lm, ok := m.(live.Message); ok {
		// Events come encoded once for all subscribers of the audience.
		var b []byte
		if b, err = lm.JSON(); err == nil {
			err = lc.conn.WriteMessage(websocket.TextMessage, b)
		}
	} else {
		err = lc.conn.WriteJSON(m)
	}
	if err != nil {
		lc.s.Log.Debug("live websocket write", "meeting_id", lc.meeting, "err", err)
		return err
	}
	return nil
}

func (lc *liveConn) close(code int, text string) {
	_ = lc.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
}

// linger discards what the client still sends (for at most a second,
// until it closes) after the reader failed on a protocol error. Closing a
// TCP connection with unread data makes the kernel send a reset, which can
// destroy the close frame in flight before the client reads it.
func (lc *liveConn) linger() {
	nc := lc.conn.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = io.Copy(io.Discard, nc)
}
