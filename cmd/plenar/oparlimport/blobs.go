package oparlimport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
)

// pendingFile is an import_files row whose blob is to be downloaded (or
// whose local file is to be updated or deleted).
type pendingFile struct {
	sourceURL, name, fileName, sha512, access, download, license string
	date                                                         *time.Time
	links                                                        []fileLink
	fileID                                                       *council.ID
	created, modified                                            time.Time
	deleted                                                      bool
	localSHA512                                                  string
	changed                                                      bool // the source changed since the download
}

// syncFile handles one pending file: it downloads the blob of a new or
// changed file (downloadUrl, else accessUrl) into the documents store,
// linked to the imported paper, meeting or agenda item in its role, links
// a known file to objects it was newly found at, or deletes the local file
// of a deleted source. A failed download or check is logged and counted;
// the file stays pending. unreachable reports a failure of the host (for
// its circuit breaker); only database errors are returned.
func (im *importer) syncFile(ctx context.Context, p pendingFile) (unreachable bool, err error) {
	links := documentLinks(p.links)
	switch {
	case p.deleted && p.fileID != nil:
		if err := im.opt.Docs.Delete(ctx, *p.fileID); err != nil && !errors.Is(err, council.ErrNotFound) {
			return false, dbError{fmt.Errorf("delete file %s: %w", p.sourceURL, err)}
		}
		im.count(func(s *Summary) { s.Deleted["file_blob"]++; s.Files.Deleted++ })
		return false, nil
	case p.fileID != nil && (!p.changed || (p.sha512 != "" && p.sha512 == p.localSHA512)):
		// Same content: new metadata and links only.
		return false, im.updateFile(ctx, p, *p.fileID, links)
	}
	f := documents.File{Name: clip(p.name, 1000), FileName: p.fileName, License: clip(p.license, 1000), Public: true}
	if f.FileName == "" {
		f.FileName = fileNameOf(p.download, p.access)
	}
	if p.date != nil {
		f.Date = *p.date
	}
	if p.fileID != nil {
		f.MasterID = *p.fileID // a new version of the file downloaded before
	}
	var created documents.File
	var lastErr error
	urls := []string{p.download, p.access}
	if p.download == "" || p.download == p.access {
		urls = []string{p.access}
	}
	for _, u := range urls {
		if u == "" {
			continue
		}
		created, lastErr = im.fetchBlob(ctx, u, f, links)
		// The other URL only when this one's host answered: an unreachable
		// host is not asked twice for the same file.
		if lastErr == nil || ctx.Err() != nil || isDBError(lastErr) || errors.Is(lastErr, errUnreachable) {
			break
		}
	}
	failed := func(kind, detail string) (bool, error) {
		im.problem(p.sourceURL, kind, detail)
		im.count(func(s *Summary) { s.Files.Failed++ })
		return errors.Is(lastErr, errUnreachable), im.fileFailed(ctx, p.sourceURL, detail)
	}
	switch {
	case ctx.Err() != nil:
		im.count(func(s *Summary) { s.Files.Deferred++ })
		return false, nil
	case lastErr == nil && created.ID == council.NilID:
		return failed("file-download-failed", "File without accessUrl or downloadUrl")
	case errors.Is(lastErr, council.ErrInvalid):
		return failed("file-rejected", lastErr.Error())
	case lastErr != nil && isDBError(lastErr):
		return false, lastErr
	case lastErr != nil:
		return failed("file-download-failed", lastErr.Error())
	}
	if p.sha512 != "" && p.sha512 != created.SHA512 {
		im.problem(p.sourceURL, "file-checksum", fmt.Sprintf("sha512Checksum %s… differs from the downloaded %s…",
			p.sha512[:min(12, len(p.sha512))], created.SHA512[:12]))
	}
	if err := im.fileStored(ctx, p, created.ID); err != nil {
		return false, dbError{fmt.Errorf("file %s: %w", p.sourceURL, err)}
	}
	im.count(func(s *Summary) { s.Imported["file_blob"]++; s.Files.Downloaded++ })
	return false, nil
}

// updateFile sets the metadata of the local file id and adds links.
func (im *importer) updateFile(ctx context.Context, p pendingFile, id council.ID, links []documents.Link) error {
	err := im.opt.Docs.SetImported(ctx, id, documents.ImportedMeta{Name: clip(p.name, 1000), License: clip(p.license, 1000),
		Date: p.date, Modified: p.modified, Source: p.sourceURL}, links)
	if err != nil {
		return dbError{fmt.Errorf("update file %s: %w", p.sourceURL, err)}
	}
	im.count(func(s *Summary) { s.Imported["file_blob"]++; s.Files.Downloaded++ })
	return nil
}

// fetchBlob downloads u into the documents store, retrying server errors
// with backoff like get. The body streams into Upload, which checks the
// content; a download that breaks off stores nothing.
func (im *importer) fetchBlob(ctx context.Context, u string, f documents.File, links []documents.Link) (documents.File, error) {
	wait := im.opt.Backoff
	for attempt := 1; ; attempt++ {
		created, retry, err := im.fetchBlobOnce(ctx, u, f, links)
		if err == nil || !retry {
			return created, err
		}
		if attempt >= im.opt.FileRetries {
			return documents.File{}, fmt.Errorf("%s: giving up after %d attempts: %w", u, attempt, err)
		}
		im.problem(u, "http-retry", fmt.Sprintf("attempt %d: %v; retrying in %s", attempt, err, wait))
		select {
		case <-ctx.Done():
			return documents.File{}, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (im *importer) fetchBlobOnce(ctx context.Context, u string, f documents.File, links []documents.Link) (documents.File, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return documents.File{}, false, fmt.Errorf("%s: %w", u, err)
	}
	req.Header.Set("User-Agent", "plenar-import")
	res, err := im.opt.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return documents.File{}, false, ctx.Err()
		}
		// Not retried here: a host that does not answer costs a timeout per
		// attempt; its circuit breaker and the next run take care of it.
		return documents.File{}, false, fmt.Errorf("%s: %w: %w", u, errUnreachable, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return documents.File{}, true, fmt.Errorf("%s: %w: status %d", u, errUnreachable, res.StatusCode)
	case res.StatusCode != http.StatusOK:
		return documents.File{}, false, fmt.Errorf("%s: status %d", u, res.StatusCode)
	}
	created, err := im.opt.Docs.Upload(ctx, res.Body, f, links)
	if err != nil {
		var rej *documents.Rejection
		if errors.As(err, &rej) || errors.Is(err, council.ErrInvalid) || errors.Is(err, council.ErrNotFound) {
			return documents.File{}, false, fmt.Errorf("%s: %w", u, err)
		}
		if ctx.Err() != nil {
			return documents.File{}, false, ctx.Err()
		}
		// A body that broke off, or a blob/database failure: try again.
		return documents.File{}, true, fmt.Errorf("%s: %w", u, err)
	}
	return created, false, nil
}

// documentLinks turns import links into document links, one per target
// (a specific role wins over auxiliary).
func documentLinks(ls []fileLink) []documents.Link {
	var out []documents.Link
	at := map[string]int{}
	for _, l := range ls {
		kind, err := documents.ParseLinkKind(l.Entity)
		id, perr := council.ParseID(l.ID)
		if err != nil || perr != nil {
			continue
		}
		role := l.Role
		if role == "" {
			role = documents.RoleAuxiliary
		}
		key := l.Entity + "/" + l.ID
		if i, ok := at[key]; ok {
			if out[i].Role == documents.RoleAuxiliary {
				out[i].Role = role
			}
			continue
		}
		at[key] = len(out)
		out = append(out, documents.Link{Kind: kind, ID: id, Role: role})
	}
	return out
}

// fileNameOf takes a file name from the last path segment of the first
// usable URL.
func fileNameOf(urls ...string) string {
	for _, u := range urls {
		if p, err := url.Parse(u); err == nil {
			if b := path.Base(p.Path); b != "" && b != "/" && b != "." {
				return b
			}
		}
	}
	return ""
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	for len(s) > n {
		s = s[:n]
		s = strings.ToValidUTF8(s, "")
	}
	return s
}
