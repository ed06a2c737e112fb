package media

import (
	"context"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings"
)

// Run listens for media tokens revoked on any node
// (meetings.MediaTokensChannel) until ctx ends, and ends the WHIP/WHEP
// peers this node opened with them. A lost connection is retried with
// back-off, and each new listen checks every driver's tokens (a
// notification may have been missed meanwhile). It returns nil after ctx
// ends. Without Run the drivers still check every TokenCheck.
func (s *Service) Run(ctx context.Context) error {
	council.ListenRetry(ctx, s.pool, []string{meetings.MediaTokensChannel}, s.log, "media token listener", func() {
		s.checkAllTokens(ctx)
		s.listened.Do(func() { close(s.listening) })
	}, func(_, payload string) {
		meeting, token, err := meetings.ParseRevokedToken(payload)
		if err != nil {
			s.log.Warn("media token notification", "err", err)
			return
		}
		s.Revoked(meeting, token)
	})
	return nil
}

// Listening is closed once Run first listens for revocations.
func (s *Service) Listening() <-chan struct{} { return s.listening }

// Revoked ends every WHIP/WHEP peer of this node opened with meeting's
// media token id, which was revoked, and refuses the peers still being
// set up with it (they hold the meeting's driver, which remembers the
// revocation). The node that revokes a token calls it at once; Run calls
// it for the other nodes' revocations.
func (s *Service) Revoked(meeting, id council.ID) {
	s.mu.Lock()
	if d := s.rooms[meeting]; d != nil {
		d.revoked[id] = true
	}
	var ids []string
	for rid, res := range s.resources {
		if res.token == id {
			ids = append(ids, rid)
		}
	}
	s.mu.Unlock()
	for _, rid := range ids {
		s.dropResource(rid)
	}
	if len(ids) > 0 {
		s.log.Info("media peers of a revoked token closed", "token_id", id, "peers", len(ids))
	}
}

// checkAllTokens runs checkTokens for every meeting of this node.
func (s *Service) checkAllTokens(ctx context.Context) {
	s.mu.Lock()
	ids := make([]council.ID, 0, len(s.rooms))
	for id := range s.rooms {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.checkTokens(ctx, id)
	}
}

// checkTokens ends meeting's WHIP/WHEP peers whose media token was
// revoked (on any node) or deleted.
func (s *Service) checkTokens(ctx context.Context, meeting council.ID) {
	s.mu.Lock()
	var ids []council.ID
	seen := map[council.ID]bool{}
	for _, res := range s.resources {
		if res.meeting == meeting && !seen[res.token] {
			seen[res.token] = true
			ids = append(ids, res.token)
		}
	}
	s.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, DefaultTokenCheck)
	defer cancel()
	revoked, err := s.tokens.RevokedMediaTokens(cctx, ids)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("media token check", "meeting_id", meeting, "err", err)
		}
		return
	}
	for _, id := range revoked {
		s.Revoked(meeting, id)
	}
}
