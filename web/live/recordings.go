package liveweb

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// recordingRoutes registers /meetings/{id}/recordings/{rid}.webm: one
// segment of a recorded session (docs/ARCHITECTURE.md, "Recording").
// Outside the page cache: segments are large and answered in ranges.
func (s *server) recordingRoutes(r chi.Router) {
	r.Get("/meetings/{id}/recordings/{rid}.webm", s.Handle(s.serveRecording))
	r.Head("/meetings/{id}/recordings/{rid}.webm", s.Handle(s.serveRecording))
}

// serveRecording answers GET and HEAD for one segment: 404 for an unknown
// one and for one the viewer may not see (the public: the view
// public_recordings), otherwise the blob as video/webm with ETag and Range
// (http.ServeContent: 206 with Content-Range).
func (s *server) serveRecording(w http.ResponseWriter, r *http.Request) error {
	mid, err1 := council.ParseID(chi.URLParam(r, "id"))
	rid, err2 := council.ParseID(chi.URLParam(r, "rid"))
	if err1 != nil || err2 != nil {
		return site.NotFound("recording", rid)
	}
	v := s.State(r).Viewer
	rec, err := s.Docs.Recording(r.Context(), mid, rid, v.SeesAllNonPublic())
	if err != nil {
		return site.HideMissing(err, "recording", rid)
	}
	blob, err := s.Docs.OpenRecording(rec)
	if err != nil {
		return fmt.Errorf("recording %s: %w", rid, err) // a row without its blob is a server fault
	}
	defer blob.Close()
	h := w.Header()
	h.Set("Content-Type", rec.MIMEType)
	h.Set("ETag", `"`+rec.SHA512+`"`)
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("Vary", "Cookie")
	http.ServeContent(w, r, "", rec.Created, blob)
	return nil
}
