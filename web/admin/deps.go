package admin

import (
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
	"github.com/plenar/plenar/web/site"
)

// Deps are what the back office needs from the site.
type Deps struct {
	Council  *council.Store
	Meetings *meetings.Store
	// Docs holds the files of the file pages (admin_files.go), with the
	// upload size limit (Limits); publishing an invitation stores its PDF.
	Docs *documents.Store
	Log  *slog.Logger
	// Minutes drafts, edits and approves a meeting's minutes from its live
	// session's log (live.Hub); nil: the server runs no live hub.
	Minutes MinutesService
	Now     func() time.Time
	// Handle adapts a page handler: errors become the site's error page.
	Handle func(site.HandlerFunc) http.HandlerFunc
	// API adapts a JSON handler: errors become the API's JSON error.
	API func(site.HandlerFunc) http.HandlerFunc
	// Render renders page name with data as the site's HTML page.
	Render func(w http.ResponseWriter, r *http.Request, status int, name string, data any)
	// Actor returns the request's context with the logged-in user as the
	// actor of every change (the audit trail).
	Actor func(r *http.Request) context.Context
	// ShowQuestions tells the live session of meeting, if it runs on its
	// question time, that the questions changed (live command
	// show_questions as the request's user); nil: no live hub.
	ShowQuestions func(r *http.Request, meeting council.ID)
	// Mailer queues the messages to the people who take part: the note
	// to an asker whose question was moderated. nil: no mail.
	Mailer council.ParticipationMailer
	// Multipart returns the body of a streamed upload (a multipart form)
	// whose first part, the CSRF token, the session middleware has already
	// read (web/files_csrf.go); nil when it has not read one.
	Multipart func(r *http.Request) *multipart.Reader
	// Notice returns the translation key of the request's ?notice= (see
	// Redirect), or "" when it names no known notice.
	Notice func(r *http.Request) string
}

// MinutesService is what the back office needs of the live hub for the
// minutes (live.Hub).
type MinutesService interface {
	MinutesDocument(ctx context.Context, meeting council.ID) (meetings.MinutesRecord, []meetings.MinutesEdit, error)
	ApproveMinutes(ctx context.Context, item council.ID) (meetings.MinutesStatus, error)
}

// server serves the back office with what the site gave it.
type server struct{ Deps }
