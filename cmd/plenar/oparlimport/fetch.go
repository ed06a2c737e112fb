package oparlimport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// errNotFound is a 404 (or 410) answer.
var errNotFound = errors.New("not found")

// maxBody bounds one response.
const maxBody = 64 << 20

// get fetches u as JSON, retrying server errors, 429 and transport errors
// with exponential backoff up to Options.Retries attempts.
func (im *importer) get(ctx context.Context, u string) (any, error) {
	wait := im.opt.Backoff
	var last error
	for attempt := 1; ; attempt++ {
		v, retry, err := im.getOnce(ctx, u)
		if err == nil || !retry {
			return v, err
		}
		last = err
		if attempt >= im.opt.Retries {
			return nil, fmt.Errorf("%s: giving up after %d attempts: %w", u, attempt, last)
		}
		im.problem(u, "http-retry", fmt.Sprintf("attempt %d: %v; retrying in %s", attempt, err, wait))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (im *importer) getOnce(ctx context.Context, u string) (v any, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "plenar-import")
	res, err := im.opt.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, true, fmt.Errorf("%s: %w", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return nil, true, fmt.Errorf("%s: read: %w", u, err)
	}
	switch {
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
		return nil, false, fmt.Errorf("%s: status %d: %w", u, res.StatusCode, errNotFound)
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return nil, true, fmt.Errorf("%s: status %d", u, res.StatusCode)
	case res.StatusCode != http.StatusOK:
		return nil, false, fmt.Errorf("%s: status %d", u, res.StatusCode)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false, fmt.Errorf("%s: not JSON: %w", u, err)
	}
	return v, false, nil
}
