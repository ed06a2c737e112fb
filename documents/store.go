package documents

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/plenar/plenar/council"
)

// File is the metadata of one stored file (OParl File).
type File struct {
	ID       council.ID
	Name     string // a title; the file name when empty
	FileName string
	MIMEType string
	Size     int64
	SHA512   string
	Date     time.Time // zero: none
	License  string
	// Public is the clerk's mark. A file is visible to the public only when
	// it is marked public and everything it is linked to is public (Access).
	Public   bool
	MasterID council.ID // the file this one is a new version or derivative of; NilID: none
	// HasText tells whether text extraction finished. The text itself
	// (up to DefaultMaxText) is never loaded with the file: downloads and
	// lists do not need it; Text reads it, bounded.
	HasText bool
	council.Meta
}

// Title returns Name, or FileName when Name is empty.
func (f File) Title() string {
	if strings.TrimSpace(f.Name) != "" {
		return f.Name
	}
	return f.FileName
}

// LinkKind names what a file is attached to.
type LinkKind string

// Link kinds.
const (
	LinkPaper      LinkKind = "paper"
	LinkMeeting    LinkKind = "meeting"
	LinkAgendaItem LinkKind = "agenda_item"
)

// Roles of a file at what it is attached to (OParl's properties).
const (
	RoleAuxiliary        = "auxiliary"
	RoleMain             = "main"              // paper
	RoleInvitation       = "invitation"        // meeting
	RoleResultsProtocol  = "results_protocol"  // meeting
	RoleVerbatimProtocol = "verbatim_protocol" // meeting
	RoleResolution       = "resolution"        // agenda item
)

// Link attaches a file to a paper, meeting or agenda item in a role.
type Link struct {
	Kind LinkKind
	ID   council.ID
	Role string // "" means RoleAuxiliary
}

// table returns the link table and its key column.
func (k LinkKind) table() (table, col string, err error) {
	switch k {
	case LinkPaper:
		return "paper_files", "paper_id", nil
	case LinkMeeting:
		return "meeting_files", "meeting_id", nil
	case LinkAgendaItem:
		return "agenda_item_files", "agenda_item_id", nil
	}
	return "", "", fmt.Errorf("%w: unknown link kind %q", council.ErrInvalid, k)
}

// ParseLinkKind parses s. Errors: ErrInvalid.
func ParseLinkKind(s string) (LinkKind, error) {
	k := LinkKind(s)
	if _, _, err := k.table(); err != nil {
		return "", err
	}
	return k, nil
}

// Store reads and writes file metadata in PostgreSQL and blobs on disk.
type Store struct {
	db     council.DBTX
	blobs  *Blobs
	limits Limits
}

// NewStore returns a Store on db with blobs in dir (<data dir>/files) and
// the upload limits lim (zero fields take the defaults).
func NewStore(db council.DBTX, dir string, lim Limits) *Store {
	return &Store{db: db, blobs: NewBlobs(dir), limits: lim.withDefaults()}
}

// Blobs returns the blob store.
func (s *Store) Blobs() *Blobs { return s.blobs }

// Limits returns the upload limits in effect.
func (s *Store) Limits() Limits { return s.limits }

const fileCols = `id, name, file_name, mime_type, size, sha512, date, license, public, master_id,
	text IS NOT NULL, created, modified, deleted`

func scanFile(row pgx.Row) (File, error) {
	var f File
	var date pgtype.Date
	var master *council.ID
	err := row.Scan(&f.ID, &f.Name, &f.FileName, &f.MIMEType, &f.Size, &f.SHA512, &date, &f.License,
		&f.Public, &master, &f.HasText, &f.Created, &f.Modified, &f.Deleted)
	if date.Valid {
		f.Date = date.Time
	}
	if master != nil {
		f.MasterID = *master
	}
	return f, err
}

// Create writes the metadata row of a committed blob b, its links and a
// text extraction job, with an outbox/audit record, in one transaction.
// The blob must be on disk (Temp.Commit) before Create is called.
// Errors: ErrInvalid (bad metadata, unknown link target), ErrNotFound.
func (s *Store) Create(ctx context.Context, f File, b Blob, links []Link) (File, error) {
	f.SHA512, f.Size = b.SHA512, b.Size
	if err := f.validate(); err != nil {
		return File{}, err
	}
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `INSERT INTO files (name, file_name, mime_type, size, sha512, date, license, public, master_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+fileCols,
			f.Name, f.FileName, f.MIMEType, f.Size, f.SHA512, nullDate(f.Date), f.License, f.Public, nullID(f.MasterID))
		var err error
		if f, err = scanFile(row); err != nil {
			return council.TranslateError(err)
		}
		for _, l := range links {
			if err := link(ctx, tx, f.ID, l); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO file_text_jobs (file_id) VALUES ($1)`, f.ID); err != nil {
			return council.TranslateError(err)
		}
		if err := touchParents(ctx, tx, f.ID); err != nil {
			return err
		}
		return council.Record(ctx, tx, "file", f.ID, council.OpCreate, map[string]any{
			"name": f.Name, "file_name": f.FileName, "mime_type": f.MIMEType, "size": f.Size,
			"sha512": f.SHA512, "public": f.Public, "links": links, "master_id": nullID(f.MasterID)})
	})
	if err != nil {
		return File{}, fmt.Errorf("create file: %w", err)
	}
	return f, nil
}

func link(ctx context.Context, tx pgx.Tx, file council.ID, l Link) error {
	table, col, err := l.Kind.table()
	if err != nil {
		return err
	}
	role := l.Role
	if role == "" {
		role = RoleAuxiliary
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+table+` (`+col+`, file_id, role) VALUES ($1, $2, $3)
		ON CONFLICT (`+col+`, file_id) DO UPDATE SET role = excluded.role`, l.ID, file, role)
	if err != nil {
		return fmt.Errorf("link file to %s %s: %w", l.Kind, l.ID, council.TranslateError(err))
	}
	return nil
}

func (f File) validate() error {
	fe := council.FieldErrors{}
	if strings.TrimSpace(f.FileName) == "" {
		fe.Add("file_name", council.MsgRequired)
	} else if len(f.FileName) > 255 {
		fe.Add("file_name", council.MsgTooLong)
	}
	if len(f.Name) > 1000 {
		fe.Add("name", council.MsgTooLong)
	}
	if !validSum(f.SHA512) || f.Size <= 0 {
		fe.Add("file", "files.err.empty")
	}
	return fe.Err()
}

// File returns the file id, deleted or not. Errors: ErrNotFound.
func (s *Store) File(ctx context.Context, id council.ID) (File, error) {
	f, err := scanFile(s.db.QueryRow(ctx, `SELECT `+fileCols+` FROM files WHERE id = $1`, id))
	if err != nil {
		return File{}, fmt.Errorf("file %s: %w", id, council.TranslateError(err))
	}
	return f, nil
}

// Text returns at most max bytes (cut at a character) of the extracted
// text of file id, and whether extraction has finished. Errors:
// ErrNotFound.
func (s *Store) Text(ctx context.Context, id council.ID, max int) (string, bool, error) {
	var text *string
	err := s.db.QueryRow(ctx, `SELECT substr(text, 1, $2) FROM files WHERE id = $1`, id, max).Scan(&text)
	if err != nil {
		return "", false, fmt.Errorf("text of file %s: %w", id, council.TranslateError(err))
	}
	if text == nil {
		return "", false, nil
	}
	return CutText(*text, max), true, nil
}

// Listed is a file at what it is attached to, with its role and the state
// of its text extraction.
type Listed struct {
	File
	Role string
	Job  Job
}

// Files returns the files attached to the paper, meeting or agenda item
// in l (l.Role is ignored), deleted ones excluded, oldest first.
func (s *Store) Files(ctx context.Context, l Link) ([]Listed, error) {
	table, col, err := l.Kind.table()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT f.id, f.name, f.file_name, f.mime_type, f.size, f.sha512, f.date, f.license, f.public,
			f.master_id, f.text IS NOT NULL, f.created, f.modified, f.deleted, l.role,
			coalesce(j.status, ''), coalesce(j.attempts, 0), coalesce(j.method, ''), coalesce(j.pages, 0), coalesce(j.last_error, '')
		FROM `+table+` l JOIN files f ON f.id = l.file_id LEFT JOIN file_text_jobs j ON j.file_id = f.id
		WHERE l.`+col+` = $1 AND NOT f.deleted ORDER BY f.created, f.id`, l.ID)
	if err != nil {
		return nil, fmt.Errorf("files of %s %s: %w", l.Kind, l.ID, council.TranslateError(err))
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var x Listed
		var date pgtype.Date
		var master *council.ID
		f := &x.File
		if err := rows.Scan(&f.ID, &f.Name, &f.FileName, &f.MIMEType, &f.Size, &f.SHA512, &date, &f.License,
			&f.Public, &master, &f.HasText, &f.Created, &f.Modified, &f.Deleted, &x.Role,
			&x.Job.Status, &x.Job.Attempts, &x.Job.Method, &x.Job.Pages, &x.Job.LastError); err != nil {
			return nil, fmt.Errorf("files of %s %s: %w", l.Kind, l.ID, err)
		}
		if date.Valid {
			f.Date = date.Time
		}
		if master != nil {
			f.MasterID = *master
		}
		x.Job.FileID = f.ID
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("files of %s %s: %w", l.Kind, l.ID, err)
	}
	return out, nil
}

// SetPublic marks file id public or not. Errors: ErrNotFound.
func (s *Store) SetPublic(ctx context.Context, id council.ID, public bool) error {
	return s.update(ctx, id, `public = $2`, map[string]any{"public": public}, public)
}

// Delete marks file id deleted; its blob stays (GC keeps blobs of deleted
// rows, which answer 410). Errors: ErrNotFound.
func (s *Store) Delete(ctx context.Context, id council.ID) error {
	return s.update(ctx, id, `deleted = true`, map[string]any{"deleted": true})
}

func (s *Store) update(ctx context.Context, id council.ID, set string, changes map[string]any, args ...any) error {
	op := council.OpUpdate
	if _, ok := changes["deleted"]; ok {
		op = council.OpDelete
	}
	err := council.Tx(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE files SET `+set+`, modified = now() WHERE id = $1 AND NOT deleted`,
			append([]any{id}, args...)...)
		if err != nil {
			return council.TranslateError(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: file %s", council.ErrNotFound, id)
		}
		if err := touchParents(ctx, tx, id); err != nil {
			return err
		}
		return council.Record(ctx, tx, "file", id, op, changes)
	})
	if err != nil {
		return fmt.Errorf("update file %s: %w", id, err)
	}
	return nil
}

// Access says who may see a file: everyone when Public, otherwise staff
// and members of one of Orgs (council.Viewer.SeesNonPublicOf).
type Access struct {
	Public bool
	Orgs   []council.ID
}

// Access computes the visibility of file id with the database's rule
// (the view file_visibility, migrations/sql/00011_visibility.sql): Public
// is published (marked public, attached to something, everything it is
// attached to published) with nothing it is attached to deleted; the
// file's own deletion is left to the caller (a deleted public file answers
// 410 Gone, not 404). Orgs are the linked paper's lead and consulting
// bodies and the linked meetings' bodies. Errors: ErrNotFound.
func (s *Store) Access(ctx context.Context, id council.ID) (Access, error) {
	var a Access
	err := s.db.QueryRow(ctx, `SELECT v.public_unless_deleted, v.orgs
		FROM file_visibility v WHERE v.file_id = $1`, id).Scan(&a.Public, &a.Orgs)
	if err != nil {
		return Access{}, fmt.Errorf("access to file %s: %w", id, council.TranslateError(err))
	}
	return a, nil
}

// Open opens the blob of f for reading. Errors: ErrNotFound (blob
// missing), ErrUnavailable (no data directory).
func (s *Store) Open(f File) (*os.File, error) { return s.blobs.Open(f.SHA512) }

// GCResult reports what GC did.
type GCResult struct {
	Blobs   int // blobs looked at
	Removed int // orphaned blobs and stale temporary files removed
	Bytes   int64
}

// GC removes blobs that no row of files or recordings names (deleted rows count as naming) and
// temporary files, both only when older than minAge, so uploads in flight
// are never touched.
func (s *Store) GC(ctx context.Context, minAge time.Duration) (GCResult, error) {
	all, err := s.blobs.walk()
	if err != nil {
		return GCResult{}, err
	}
	cutoff := time.Now().Add(-minAge)
	var res GCResult
	var sums []string
	old := map[string]stored{}
	for _, b := range all {
		if b.sum != "" {
			res.Blobs++
		}
		if !b.mod.Before(cutoff) {
			continue
		}
		if b.sum == "" {
			if err := removeCounted(b.path, &res); err != nil {
				return res, err
			}
			continue
		}
		sums = append(sums, b.sum)
		old[b.sum] = b
	}
	for len(sums) > 0 {
		n := min(len(sums), 1000)
		batch := sums[:n]
		sums = sums[n:]
		rows, err := s.db.Query(ctx, `SELECT sha512 FROM files WHERE sha512 = ANY($1)
			UNION SELECT sha512 FROM recordings WHERE sha512 = ANY($1)`, batch)
		if err != nil {
			return res, fmt.Errorf("gc: %w", council.TranslateError(err))
		}
		known, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return res, fmt.Errorf("gc: %w", err)
		}
		for _, k := range known {
			delete(old, k)
		}
	}
	for _, b := range old {
		if err := removeCounted(b.path, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

func removeCounted(p string, res *GCResult) error {
	st, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("gc: %w", err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("gc: %w", err)
	}
	res.Removed++
	res.Bytes += st.Size()
	return nil
}

func nullID(id council.ID) *council.ID {
	if id == council.NilID {
		return nil
	}
	return &id
}

func nullDate(t time.Time) pgtype.Date {
	if t.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
}
