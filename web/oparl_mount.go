package web

import (
	"fmt"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/web/oparl"
)

// oparlRoutes mounts the OParl 1.1 API (package web/oparl) under /oparl.
// It is public data for everyone: sessions play no part in it.
func (s *Server) oparlRoutes(r chi.Router) {
	opt := oparl.Options{Council: s.council, Meetings: s.meetings, Log: s.log,
		BaseURL: s.opt.BaseURL,
		Vendor:  "https://github.com/plenar/plenar", Product: "https://github.com/plenar/plenar"}
	if s.docs != nil { // a nil *documents.Store must not become a non-nil interface
		opt.Files = s.docs
	}
	h, err := oparl.New(opt)
	if err != nil {
		// The time zone database is embedded (server.go), so this cannot
		// happen; fail loudly if it ever does.
		panic(fmt.Sprintf("oparl: %v", err))
	}
	r.Mount("/oparl", h)
}
