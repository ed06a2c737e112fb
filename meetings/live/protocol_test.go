package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plenar/plenar/council"
)

func TestDecodeClient(t *testing.T) {
	person := council.NewID()
	for _, tc := range []struct {
		name, in string
		wantID   string
		want     Command
		wantErr  bool
	}{
		{name: "raise hand", in: `{"v":1,"type":"command","id":"c1","command":"raise_hand","point_of_order":true}`,
			wantID: "c1", want: RaiseHand{PointOfOrder: true}},
		{name: "check in", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c2","command":"check_in","person":%q}`, person),
			wantID: "c2", want: CheckIn{Person: person}},
		{name: "roll call", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c9","command":"check_in_many","persons":[%q]}`, person),
			wantID: "c9", want: CheckInMany{Persons: []council.ID{person}}},
		{name: "move a request", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c10","command":"move_request","request":%q,"position":2}`, person),
			wantID: "c10", want: MoveRequest{Request: person, Position: 2}},
		{name: "grant with time", in: `{"v":1,"type":"command","id":"c3","command":"grant_floor","seconds":180}`,
			wantID: "c3", want: GrantFloor{Limit: 3 * time.Minute}},
		{name: "part", in: `{"v":1,"type":"command","id":"c4","command":"set_part","part":"non_public"}`,
			wantID: "c4", want: SetPart{Part: PartNonPublic}},
		{name: "resolve complaint", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c5","command":"resolve_complaint","request":%q,"text":"repeat","note":"Abstimmung wiederholen"}`, person),
			wantID: "c5", want: ResolveComplaint{Complaint: person, Resolution: ResolutionRepeat, Note: "Abstimmung wiederholen"}},
		{name: "resolve without note", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c6","command":"resolve_complaint","request":%q,"text":"continue"}`, person),
			wantID: "c6", want: ResolveComplaint{Complaint: person, Resolution: ResolutionContinue}},
		{name: "withdraw a request", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c7","command":"withdraw_hand","request":%q}`, person),
			wantID: "c7", want: WithdrawHand{Request: person}},
		{name: "complain", in: `{"v":1,"type":"command","id":"c8","command":"complain","text":"Ton weg"}`,
			wantID: "c8", want: Complain{Text: "Ton weg"}},
		{name: "read a question", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c11","command":"read_question","question":%q}`, person),
			wantID: "c11", want: ReadQuestion{Question: person}},
		{name: "no arguments", in: `{"v":1,"type":"command","id":"c9","command":"next_item"}`, wantID: "c9", want: NextItem{}},
		{name: "null and empty mean none", in: `{"v":1,"type":"command","id":"c10","command":"raise_hand","person":"","point_of_order":null}`,
			wantID: "c10", want: RaiseHand{}},
		{name: "a client names no media epoch", in: fmt.Sprintf(`{"v":1,"type":"command","id":"c11","command":"leave_remote","person":%q}`, person),
			wantID: "c11", want: LeaveRemote{Person: person}},
		{name: "resolve with a bad classification", in: fmt.Sprintf(`{"v":1,"type":"command","id":"x","command":"resolve_complaint","request":%q,"text":"ignore"}`, person),
			wantID: "x", wantErr: true},
		{name: "resolve without the complaint", in: `{"v":1,"type":"command","id":"x","command":"resolve_complaint","text":"repeat"}`, wantID: "x", wantErr: true},
		{name: "note on another command", in: `{"v":1,"type":"command","id":"x","command":"complain","text":"Ton","note":"n"}`, wantID: "x", wantErr: true},
		{name: "a field the command does not take", in: fmt.Sprintf(`{"v":1,"type":"command","id":"x","command":"next_item","person":%q}`, person),
			wantID: "x", wantErr: true},
		{name: "seconds on raise_hand", in: `{"v":1,"type":"command","id":"x","command":"raise_hand","seconds":60}`, wantID: "x", wantErr: true},
		{name: "long note", in: fmt.Sprintf(`{"v":1,"type":"command","id":"x","command":"resolve_complaint","request":%q,"text":"repeat","note":"%s"}`, person, strings.Repeat("a", 2001)),
			wantID: "x", wantErr: true},
		{name: "long complaint", in: `{"v":1,"type":"command","id":"x","command":"complain","text":"` + strings.Repeat("ä", 2001) + `"}`,
			wantID: "x", wantErr: true},
		{name: "other version", in: `{"v":2,"type":"command","id":"x","command":"start"}`, wantID: "x", wantErr: true},
		{name: "no version", in: `{"type":"command","id":"x","command":"start"}`, wantID: "x", wantErr: true},
		{name: "other type", in: `{"v":1,"type":"media","id":"x","command":"start"}`, wantID: "x", wantErr: true},
		{name: "unknown command", in: `{"v":1,"type":"command","id":"x","command":"drop_tables"}`, wantID: "x", wantErr: true},
		{name: "unknown field", in: `{"v":1,"type":"command","id":"x","command":"start","admin":true}`, wantID: "x", wantErr: true},
		{name: "bad person", in: `{"v":1,"type":"command","id":"x","command":"check_in","person":"1 OR 1=1"}`, wantID: "x", wantErr: true},
		{name: "person not a string", in: `{"v":1,"type":"command","id":"x","command":"check_in","person":7}`, wantID: "x", wantErr: true},
		{name: "move to a negative place", in: fmt.Sprintf(`{"v":1,"type":"command","id":"x","command":"move_request","request":%q,"position":-1}`, person), wantID: "x", wantErr: true},
		{name: "roll call with a bad id", in: `{"v":1,"type":"command","id":"x","command":"check_in_many","persons":["1 OR 1=1"]}`, wantID: "x", wantErr: true},
		{name: "roll call not a list", in: `{"v":1,"type":"command","id":"x","command":"check_in_many","persons":"all"}`, wantID: "x", wantErr: true},
		{name: "roll call too long", in: `{"v":1,"type":"command","id":"x","command":"check_in_many","persons":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 201), ",") + `]}`, wantID: "x", wantErr: true},
		{name: "flag not a boolean", in: `{"v":1,"type":"command","id":"x","command":"raise_hand","point_of_order":"yes"}`, wantID: "x", wantErr: true},
		{name: "bad part", in: `{"v":1,"type":"command","id":"x","command":"set_part","part":"secret"}`, wantID: "x", wantErr: true},
		{name: "no part", in: `{"v":1,"type":"command","id":"x","command":"set_part"}`, wantID: "x", wantErr: true},
		{name: "negative time", in: `{"v":1,"type":"command","id":"x","command":"grant_floor","seconds":-1}`, wantID: "x", wantErr: true},
		{name: "huge time", in: `{"v":1,"type":"command","id":"x","command":"grant_floor","seconds":9223372036854775807}`, wantID: "x", wantErr: true},
		{name: "fractional time", in: `{"v":1,"type":"command","id":"x","command":"grant_floor","seconds":1.5}`, wantID: "x", wantErr: true},
		{name: "trailing data", in: `{"v":1,"type":"command","id":"x","command":"start"} {}`, wantErr: true},
		{name: "not an object", in: `[1,2]`, wantErr: true},
		{name: "null", in: `null`, wantErr: true},
		{name: "id not a string", in: `{"v":1,"type":"command","id":5,"command":"start"}`, wantErr: true},
		{name: "oversized", in: `{"v":1,"type":"command","id":"x","command":"complain","text":"` + strings.Repeat("a", MaxClientMessage) + `"}`, wantErr: true},
		{name: "long id", in: `{"v":1,"type":"command","id":"` + strings.Repeat("i", 65) + `","command":"start"}`, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, c, err := newCommands().decodeClient([]byte(tc.in))
			if tc.wantErr {
				if !errors.Is(err, council.ErrInvalid) {
					t.Errorf("DecodeClient(%.60s) error %v, want ErrInvalid", tc.in, err)
				}
				if id != tc.wantID {
					t.Errorf("DecodeClient(%.60s) id %q, want %q", tc.in, id, tc.wantID)
				}
				return
			}
			if err != nil || id != tc.wantID {
				t.Fatalf("DecodeClient(%s) = %q, %v", tc.in, id, err)
			}
			if diff := cmp.Diff(tc.want, c, cmp.AllowUnexported(LeaveRemote{})); diff != "" {
				t.Errorf("DecodeClient(%s) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func FuzzDecodeClient(f *testing.F) {
	f.Add([]byte(`{"v":1,"type":"command","id":"c1","command":"raise_hand","point_of_order":true}`))
	f.Add([]byte(`{"v":1,"type":"command","id":"c2","command":"check_in","person":"0b6f0b7e-7a43-4f55-9a3c-1b1f1d1e1f10"}`))
	f.Add([]byte(`{"v":1,"type":"command","command":"complain","text":"\u00fc"}`))
	f.Add([]byte(`{"v":1,"type":"command","id":"r","command":"resolve_complaint","request":"0b6f0b7e-7a43-4f55-9a3c-1b1f1d1e1f10","text":"repeat","note":"Ton weg"}`))
	f.Add([]byte(`{"v":1,"type":"command","id":"r","command":"resolve_complaint","request":"0b6f0b7e-7a43-4f55-9a3c-1b1f1d1e1f10","text":"continue"}`))
	f.Add([]byte(`{"v":1,"type":"command","id":"j","command":"join_remote","person":"0b6f0b7e-7a43-4f55-9a3c-1b1f1d1e1f10"}`))
	f.Add([]byte(`{"v":1,"type":"command","id":"g","command":"grant_floor","seconds":86400}`))
	f.Add([]byte(`{}`))
	cmds := newCommands()
	f.Fuzz(func(t *testing.T, b []byte) {
		_, c, err := cmds.decodeClient(b)
		if err != nil {
			if !errors.Is(err, council.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if c == nil || len(b) > MaxClientMessage {
			t.Fatalf("accepted %+v from %q", c, b)
		}
		if _, ok := cmds.lookup(c.Name()); !ok || validate(c) != nil {
			t.Fatalf("accepted a bad command %#v from %q", c, b)
		}
		if l, ok := c.(LeaveRemote); ok && l.epoch != 0 {
			t.Fatalf("a client set a media epoch: %+v from %q", c, b)
		}
		if g, ok := c.(GrantFloor); ok && (g.Limit < 0 || g.Limit > maxSpeakingTime) {
			t.Fatalf("accepted a bad speaking time %+v from %q", c, b)
		}
		if r, ok := c.(ResolveComplaint); ok && utf8.RuneCountInString(r.Note) > maxText {
			t.Fatalf("accepted a bad resolution %+v from %q", c, b)
		}
	})
}

func TestMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code string
	}{
		{fmt.Errorf("live x: %w: no", council.ErrForbidden), "forbidden"},
		{fmt.Errorf("live x: %w", council.ErrConflict), "conflict"},
		{council.Invalidf("bad"), "invalid"},
		{fmt.Errorf("x: %w", council.ErrNotFound), "not_found"},
		{fmt.Errorf("%w: your session ended", council.ErrUnauthorized), "unauthorized"},
		{council.ErrUnavailable, "unavailable"},
		{errors.New("connection string password=secret"), "internal"},
	} {
		m := ErrorMessage("c1", tc.err)
		if m.Error.Code != tc.code || m.ID != "c1" || m.V != ProtocolVersion || m.Type != TypeError {
			t.Errorf("ErrorMessage(%v) = %+v, want code %s", tc.err, m, tc.code)
		}
		if tc.code == "internal" && strings.Contains(m.Error.Message, "secret") {
			t.Errorf("internal error text leaks: %q", m.Error.Message)
		}
	}
	// The codes are the error kinds, the same that web/httperr maps to
	// HTTP status codes.
	for _, k := range council.Kinds() {
		err := errors.New("boom")
		if k.Err() != nil {
			err = fmt.Errorf("live x: %w", k.Err())
		}
		if m := ErrorMessage("k", err); m.Error.Code != string(k) {
			t.Errorf("ErrorMessage(%v).Error.Code = %q, want %q", err, m.Error.Code, k)
		}
	}
	// A database refusal says what went wrong, not the constraint.
	dup := fmt.Errorf("live x: %w", council.TranslateError(&pgconn.PgError{Code: "23505", ConstraintName: "live_speakers_open",
		Message: `duplicate key value violates unique constraint "live_speakers_open"`}))
	if m := ErrorMessage("d", dup); m.Error.Code != "conflict" || strings.Contains(m.Error.Message, "live_speakers_open") ||
		strings.Contains(m.Error.Message, "violates") || !strings.Contains(m.Error.Message, "already exists") {
		t.Errorf("ErrorMessage(unique violation) = %+v, want conflict in the user's words", m.Error)
	}
	b, err := json.Marshal(AckMessage("c9", 42))
	if err != nil || string(b) != `{"v":1,"type":"ack","seq":42,"id":"c9"}` {
		t.Errorf("ack JSON %s, %v", b, err)
	}
	at := time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)
	e := storedEvent{Seq: 7, Kind: EvItemChanged, Audience: AudienceMembers, Payload: json.RawMessage(`{"title":"geheim"}`),
		Redacted: json.RawMessage(`{"title":"neutral"}`), At: at}
	pub, ok := e.message(AudiencePublic)
	if !ok || string(pub.Data) != `{"title":"neutral"}` {
		t.Errorf("public message %+v, want the redacted payload", pub)
	}
	mem, _ := e.message(AudienceMembers)
	if string(mem.Data) != `{"title":"geheim"}` {
		t.Errorf("member message %s", mem.Data)
	}
	e.Redacted = nil
	if _, ok := e.message(AudiencePublic); ok {
		t.Error("public receives a members event without redaction")
	}
}
