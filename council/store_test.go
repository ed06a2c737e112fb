package council_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plenar/plenar/council"
)

func TestTranslateError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   error
		want error // nil: returned unchanged
	}{
		{"no rows", pgx.ErrNoRows, council.ErrNotFound},
		{"wrapped no rows", fmt.Errorf("query: %w", pgx.ErrNoRows), council.ErrNotFound},
		{"unique", &pgconn.PgError{Code: "23505", ConstraintName: "users_email"}, council.ErrConflict},
		{"foreign key", &pgconn.PgError{Code: "23503"}, council.ErrInvalid},
		{"check", &pgconn.PgError{Code: "23514"}, council.ErrInvalid},
		{"not null", &pgconn.PgError{Code: "23502"}, council.ErrInvalid},
		{"bad text", &pgconn.PgError{Code: "22P02"}, council.ErrInvalid},
		{"bad byte sequence", &pgconn.PgError{Code: "22021"}, council.ErrInvalid},
		{"untranslatable character", &pgconn.PgError{Code: "22P05"}, council.ErrInvalid},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, council.ErrUnavailable},
		{"connection", &pgconn.PgError{Code: "08006"}, council.ErrUnavailable},
		{"syntax error", &pgconn.PgError{Code: "42601"}, nil},
		{"empty code", &pgconn.PgError{}, nil},
		{"other", errors.New("boom"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := council.TranslateError(tc.in)
			if tc.want == nil {
				if got != tc.in {
					t.Errorf("TranslateError(%v) = %v, want it unchanged", tc.in, got)
				}
				return
			}
			if !errors.Is(got, tc.want) {
				t.Errorf("TranslateError(%v) = %v, want errors.Is %v", tc.in, got, tc.want)
			}
		})
	}
	if got := council.TranslateError(nil); got != nil {
		t.Errorf("TranslateError(nil) = %v, want nil", got)
	}
}

func TestTranslateErrorFromServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		sql  string
		args []any
		want error
	}{
		{"not found", `SELECT name FROM bodies WHERE id = $1`, []any{council.NewID()}, council.ErrNotFound},
		{"unique", `INSERT INTO bodies (id, name) VALUES ($1, 'x')`, []any{e.body.ID}, council.ErrConflict},
		{"foreign key", `INSERT INTO persons (body_id, family_name) VALUES ($1, 'x')`, []any{council.NewID()}, council.ErrInvalid},
		{"check", `INSERT INTO bodies (name) VALUES ('  ')`, nil, council.ErrInvalid},
		{"malformed uuid", `SELECT name FROM bodies WHERE id = $1::text::uuid`, []any{"nope"}, council.ErrInvalid},
		// Bytes PostgreSQL refuses in text (SQLSTATE 22021): a NUL and invalid UTF-8.
		{"NUL byte", `SELECT name FROM bodies WHERE name = $1`, []any{"Rat\x00"}, council.ErrInvalid},
		{"invalid UTF-8", `SELECT name FROM bodies WHERE name = $1`, []any{"Rat\xff"}, council.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s string
			err := e.pool.QueryRow(e.ctx, tc.sql, tc.args...).Scan(&s)
			got := council.TranslateError(err)
			if !errors.Is(got, tc.want) {
				t.Errorf("%s: TranslateError(%v) = %v, want errors.Is %v", tc.sql, err, got, tc.want)
			}
			if tc.want == council.ErrNotFound {
				return
			}
			// A refusal says what went wrong in the user's words; the
			// constraint and the SQLSTATE stay in the cause, for the log.
			var ue *council.UserError
			if !errors.As(got, &ue) || ue.Key == "" || ue.Text == "" {
				t.Fatalf("%s: TranslateError(%v) = %#v, want a *UserError with a key and a text", tc.sql, err, got)
			}
			var pgErr *pgconn.PgError
			if !errors.As(got, &pgErr) || pgErr.Code == "" {
				t.Errorf("%s: the driver's error is not reachable from %v", tc.sql, got)
			}
			text := got.Error()
			for _, bad := range []string{"SQLSTATE", "violates", "constraint", "bodies", "persons", "uuid", "syntax", pgErr.ConstraintName} {
				if bad != "" && strings.Contains(text, bad) {
					t.Errorf("%s: message %q shows %q", tc.sql, text, bad)
				}
			}
		})
	}
}

// TestTranslateErrorMessages: each refusal has the kind and message key
// its SQLSTATE calls for, and an English text without the constraint.
func TestTranslateErrorMessages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		kind council.Kind
		key  string
	}{
		{"23505", council.KindConflict, council.MsgExists},
		{"23514", council.KindInvalid, council.MsgValueInvalid},
		{"22P02", council.KindInvalid, council.MsgValueInvalid},
		{"23503", council.KindInvalid, council.MsgReference},
		{"23502", council.KindInvalid, council.MsgMissing},
		{"22001", council.KindInvalid, council.MsgTooLong},
		{"22021", council.KindInvalid, council.MsgBadChars},
	} {
		in := &pgconn.PgError{Code: tc.code, ConstraintName: "secret_constraint", Message: "violates secret_constraint"}
		got := fmt.Errorf("save thing: %w", council.TranslateError(in))
		var ue *council.UserError
		if !errors.As(got, &ue) || ue.Key != tc.key || council.KindOf(got) != tc.kind {
			t.Errorf("SQLSTATE %s: %#v (kind %s), want key %s, kind %s", tc.code, got, council.KindOf(got), tc.key, tc.kind)
		}
		if strings.Contains(got.Error(), "secret") || strings.Contains(got.Error(), tc.code) {
			t.Errorf("SQLSTATE %s: message %q shows the driver's error", tc.code, got)
		}
	}
}

// TestKindOf: every kind's sentinel, wrapped, is found; a FieldErrors is
// invalid; anything else is internal.
func TestKindOf(t *testing.T) {
	t.Parallel()
	for _, k := range council.Kinds() {
		if k == council.KindInternal {
			if k.Err() != nil {
				t.Errorf("KindInternal has sentinel %v", k.Err())
			}
			continue
		}
		if got := council.KindOf(fmt.Errorf("op: %w: detail", k.Err())); got != k {
			t.Errorf("KindOf(wrapped %v) = %s, want %s", k.Err(), got, k)
		}
	}
	for _, tc := range []struct {
		err  error
		want council.Kind
	}{
		{nil, council.KindInternal},
		{errors.New("boom"), council.KindInternal},
		{council.FieldErrors{"name": council.MsgRequired}, council.KindInvalid},
		{council.Invalidf("bad %d", 1), council.KindInvalid},
		{&council.UserError{Kind: council.ErrConflict, Key: council.MsgExists, Text: "x"}, council.KindConflict},
	} {
		if got := council.KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	id := council.NewID()
	for _, tc := range []struct {
		in      string
		want    council.ID
		wantErr bool
	}{
		{id.String(), id, false},
		{"", council.NilID, true},
		{"not-a-uuid", council.NilID, true},
		{id.String()[:35], council.NilID, true},
		{id.String() + "0", council.NilID, true},
		{"{" + id.String() + "}", council.NilID, true},
		{"urn:uuid:" + id.String(), council.NilID, true},
		{"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", council.NilID, true},
	} {
		got, err := council.ParseID(tc.in)
		if tc.wantErr {
			if !errors.Is(err, council.ErrInvalid) {
				t.Errorf("ParseID(%q) error = %v, want ErrInvalid", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseID(%q) = %v, %v; want %v, nil", tc.in, got, err, tc.want)
		}
	}
}

func TestRecordActorAndRollback(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clerk := e.user(t, "clerk@example.org", council.RoleClerk)

	t.Run("actor from context", func(t *testing.T) {
		m := e.mark(t)
		o, err := e.s.SaveOrganization(council.WithActor(e.ctx, clerk.ID),
			council.Organization{BodyID: e.body.ID, Name: "Stadtrat", Kind: council.KindCouncil})
		if err != nil {
			t.Fatal(err)
		}
		e.wantTrail(t, "SaveOrganization with actor", m, clerk.ID, change{"organization", o.ID, "create", council.NilID})
	})
	t.Run("system without actor", func(t *testing.T) {
		m := e.mark(t)
		o := e.org(t, "Bauausschuss", council.KindCommittee)
		e.wantTrail(t, "SaveOrganization without actor", m, council.NilID, change{"organization", o.ID, "create", council.NilID})
	})
	t.Run("failed writes leave no trail", func(t *testing.T) {
		m := e.mark(t)
		writes := map[string]error{}
		_, writes["org in unknown body"] = e.s.SaveOrganization(e.ctx, council.Organization{BodyID: council.NewID(), Name: "X", Kind: council.KindCouncil})
		_, writes["org with unknown parent"] = e.s.SaveOrganization(e.ctx, council.Organization{BodyID: e.body.ID, Name: "X", Kind: council.KindCommittee, ParentID: council.NewID()})
		_, writes["update unknown org"] = e.s.SaveOrganization(e.ctx, council.Organization{ID: council.NewID(), BodyID: e.body.ID, Name: "X", Kind: council.KindCouncil})
		_, writes["duplicate user"] = e.s.CreateUser(e.ctx, council.User{Email: "CLERK@example.org", PasswordHash: "h", Role: council.RoleClerk})
		_, writes["membership of unknown person"] = e.s.SaveMembership(e.ctx, council.Membership{PersonID: council.NewID(), OrganizationID: council.NewID()})
		_, writes["body without name"] = e.s.CreateBody(e.ctx, council.Body{Name: " "})
		writes["delete unknown org"] = e.s.DeleteOrganization(e.ctx, council.NewID())
		_, writes["actor that is no user"] = e.s.SaveOrganization(council.WithActor(e.ctx, council.NewID()),
			council.Organization{BodyID: e.body.ID, Name: "Y", Kind: council.KindCouncil})
		for what, err := range writes {
			if err == nil {
				t.Errorf("%s: got no error", what)
			}
		}
		e.wantTrail(t, "failed writes", m, council.NilID)
		var n int
		if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM organizations WHERE name IN ('X', 'Y')`).Scan(&n); err != nil || n != 0 {
			t.Errorf("organizations left by failed writes = %d (err %v), want 0", n, err)
		}
	})
}
