package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/web/site"
)

// checkInput is the middleware that refuses, with site.ErrBadChars, a request
// whose text carries bytes PostgreSQL cannot store: in the URL path (and
// so every route parameter), the query, a URL-encoded or multipart form's
// fields, and JSON or other text bodies. It runs for every route, before
// any handler, so no handler has to think of it.
//
// Uploads (isUpload) are streamed: their file content is binary and not
// checked; their text fields and file name are checked by site.TextPart as the
// upload handler reads them. Live websocket messages are checked by the
// live protocol.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkRequestText(r); err != nil {
			s.reject(w, r, err)
			return
		}
		if r.MultipartForm != nil {
			// Parsed here, on a copy of the request the server does not see.
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
		next.ServeHTTP(w, r)
	})
}

// checkRequestText checks r's text; reading a form or body, it keeps it
// for the handler (r.PostForm, r.MultipartForm, a replayed r.Body).
// Errors: site.ErrBadChars; ErrInvalid for a malformed form; *http.MaxBytesError.
func checkRequestText(r *http.Request) error {
	if !site.ValidText(r.URL.Path) {
		return site.ErrBadChars
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // malformed pairs: what r.URL.Query() drops too
	if err := checkValues(q); err != nil {
		return err
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return formError(err)
		}
		return checkValues(r.PostForm)
	case mt == "multipart/form-data":
		if isUpload(r) || requestStateOf(r).multipart != nil {
			return nil // streamed: site.TextPart checks the fields as they are read
		}
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return formError(err)
		}
		for _, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				if !site.ValidText(fh.Filename) {
					return site.ErrBadChars
				}
			}
		}
		return checkValues(r.MultipartForm.Value)
	case isJSON(mt) || isText(mt):
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 || (isJSON(mt) && jsonHasNUL(b)) {
			return site.ErrBadChars
		}
	}
	return nil
}

// formError classifies a form that could not be parsed: too large stays a
// *http.MaxBytesError (413), anything else is ErrInvalid.
func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return council.Invalidf("malformed form: %v", err)
}

// checkValues checks the names and values of a form or query.
func checkValues(v url.Values) error {
	for k, vs := range v {
		if !site.ValidText(k) {
			return site.ErrBadChars
		}
		for _, s := range vs {
			if !site.ValidText(s) {
				return site.ErrBadChars
			}
		}
	}
	return nil
}

func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// isText reports whether a body of media type mt is text: plain text and
// the SDP of WHIP/WHEP offers and trickled candidates.
func isText(mt string) bool {
	return strings.HasPrefix(mt, "text/") || mt == "application/sdp" || mt == "application/trickle-ice-sdpfrag"
}

// jsonHasNUL reports whether a JSON document has a string (or key) with
// an escaped NUL (\u0000), which decodes to a NUL byte. A malformed
// document is left to its handler.
func jsonHasNUL(b []byte) bool {
	if !bytes.Contains(b, []byte(`\u0000`)) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return true
		}
	}
}

// reject answers a request checkInput refused: a JSON error where the
// client speaks JSON (wantsJSON), the error page otherwise.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, err error) {
	if wantsJSON(r) {
		s.apiFail(w, r, err)
		return
	}
	s.fail(w, r, err)
}

// wantsJSON reports whether r is a request of the JSON API (/api/, OParl)
// or a client that sends or asks for JSON.
func wantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/oparl/") {
		return true
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); isJSON(mt) {
		return true
	}
	accept, _, _ := strings.Cut(r.Header.Get("Accept"), ",")
	mt, _, _ := mime.ParseMediaType(accept)
	return isJSON(mt)
}
