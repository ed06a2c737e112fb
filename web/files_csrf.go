package web

import (
	"io"
	"mime"
	"net/http"
	"strings"
)

// isUpload reports whether r posts a file upload (web/admin/admin_files.go:
// POST /admin/files/{kind}/{id} and …/{file}/version), whose body is streamed
// under the upload size limit instead of the form limit.
func isUpload(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/admin/files/")
	if r.Method != http.MethodPost || !ok || !isMultipart(r) {
		return false
	}
	seg := strings.Split(rest, "/")
	return len(seg) == 2 || len(seg) == 4 && seg[3] == "version"
}

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// formCSRFToken returns the csrf_token field of a posted form. For a
// multipart form (an upload) it reads only the first part, which must be
// the token — browsers send fields in document order, and upload forms
// put the token first — and leaves the rest of the stream in the request
// state for the handler, so a large file is never buffered. A multipart
// form whose first part is something else has no token.
func formCSRFToken(r *http.Request) string {
	if !isMultipart(r) {
		return r.PostFormValue("csrf_token")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return ""
	}
	requestStateOf(r).multipart = mr
	p, err := mr.NextPart()
	if err != nil || p.FormName() != "csrf_token" {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(p, 256))
	if err != nil {
		return ""
	}
	return string(b)
}
