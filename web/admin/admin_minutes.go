package admin

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/documents"
	"github.com/plenar/plenar/meetings"
)

// The clerk's editor of the minutes (docs/DOMAIN.md, "Niederschrift"): the
// draft from the session's log with every agenda item, and per item a form
// for the resolution text, the result and notes, and one for a correction
// with its reason. Every save is an edit on top of the log, kept with its
// history; after approval by a later meeting only addenda are taken, and
// each addendum publishes the public PDF again.

// minutesPage is the editor.
type minutesPage struct {
	Notice  string
	Meeting meetings.Meeting
	Record  meetings.MinutesRecord
	Draft   bool
	Items   []minutesItem
	History []meetings.MinutesEdit // edits of the minutes as a whole
}

// minutesItem is an item of the minutes with its edit history.
type minutesItem struct {
	meetings.MinutesRecItem
	History    []meetings.MinutesEdit
	LogDiffers bool // the edits changed what the log said
}

// minutesService returns the live hub's minutes, or ErrNotFound when this
// server runs no live sessions.
func (s *server) minutesService() (MinutesService, error) {
	if s.Minutes == nil {
		return nil, fmt.Errorf("%w: this server runs no live sessions, so there are no minutes to draft", council.ErrNotFound)
	}
	return s.Minutes, nil
}

// adminMinutes shows the minutes of a meeting with the editor. Only the
// staff sees the back office, so the non-public items are shown in full
// (marked as such).
func (s *server) adminMinutes(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	svc, err := s.minutesService()
	if err != nil {
		return err
	}
	rec, edits, err := svc.MinutesDocument(r.Context(), m.ID)
	if err != nil {
		return err
	}
	page := minutesPage{Notice: s.Notice(r), Meeting: m, Record: rec, Draft: rec.State != meetings.MinutesApproved}
	for _, e := range edits {
		if e.ItemID == council.NilID {
			page.History = append(page.History, e)
		}
	}
	for _, it := range rec.Items {
		mi := minutesItem{MinutesRecItem: it, LogDiffers: page.Draft && (it.Result != it.LogResult || it.ResolutionText != it.LogResolutionText)}
		for _, e := range edits {
			if e.ItemID == it.ItemID {
				mi.History = append(mi.History, e)
			}
		}
		page.Items = append(page.Items, mi)
	}
	s.Render(w, r, http.StatusOK, "admin_minutes", page)
	return nil
}

// formText returns the form value name with Windows line ends made Unix
// and trailing space removed.
func formText(r *http.Request, name string) string {
	return strings.TrimRight(strings.ReplaceAll(r.PostFormValue(name), "\r\n", "\n"), " \t\n")
}

// minutesURL is the editor's address.
func minutesURL(id council.ID) string { return "/admin/meetings/" + id.String() + "/minutes" }

// adminMinutesItem saves an item's resolution text, result and notes: one
// edit per field that changed.
func (s *server) adminMinutesItem(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	svc, err := s.minutesService()
	if err != nil {
		return err
	}
	rec, _, err := svc.MinutesDocument(r.Context(), m.ID)
	if err != nil {
		return err
	}
	var cur meetings.MinutesRecItem
	for _, x := range rec.Items {
		if x.ItemID == it.ID {
			cur = x
		}
	}
	ctx := s.Actor(r)
	changed := false
	for _, f := range []struct {
		field meetings.MinutesField
		old   string
	}{{meetings.FieldResolutionText, cur.ResolutionText}, {meetings.FieldResult, cur.Result}, {meetings.FieldNotes, cur.Notes}} {
		v := formText(r, string(f.field))
		if v == f.old {
			continue
		}
		if _, err := s.Meetings.EditMinutes(ctx, meetings.MinutesEdit{MeetingID: m.ID, ItemID: it.ID, Field: f.field, Value: v}); err != nil {
			return err
		}
		changed = true
	}
	notice := "minutes_unchanged"
	if changed {
		notice = "minutes_saved"
	}
	return Redirect(w, r, minutesURL(m.ID), notice)
}

// adminMinutesCorrection adds a correction with its reason to an item.
func (s *server) adminMinutesCorrection(w http.ResponseWriter, r *http.Request) error {
	m, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	if _, err := s.Meetings.EditMinutes(s.Actor(r), meetings.MinutesEdit{MeetingID: m.ID, ItemID: it.ID,
		Field: meetings.FieldCorrection, Value: formText(r, "value"), Reason: formText(r, "reason")}); err != nil {
		return err
	}
	return Redirect(w, r, minutesURL(m.ID), "minutes_corrected")
}

// adminMinutesNotes saves the notes on the whole meeting.
func (s *server) adminMinutesNotes(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	if _, err := s.Meetings.EditMinutes(s.Actor(r), meetings.MinutesEdit{MeetingID: m.ID, Field: meetings.FieldNotes,
		Value: formText(r, "notes")}); err != nil {
		return err
	}
	return Redirect(w, r, minutesURL(m.ID), "minutes_saved")
}

// adminMinutesAddendum adds an addendum to approved minutes (for an item
// when the form names one) and publishes the public PDF again.
func (s *server) adminMinutesAddendum(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	e := meetings.MinutesEdit{MeetingID: m.ID, Field: meetings.FieldAddendum, Value: formText(r, "value"), Reason: formText(r, "reason")}
	if v := r.PostFormValue("item"); v != "" {
		if e.ItemID, err = council.ParseID(v); err != nil {
			return err
		}
	}
	ctx := s.Actor(r)
	if _, err := s.Meetings.EditMinutes(ctx, e); err != nil {
		return err
	}
	if err := s.publishMinutes(ctx, m.ID); err != nil {
		return err
	}
	return Redirect(w, r, minutesURL(m.ID), "minutes_addendum")
}

// adminMinutesApprovalItem puts the approval of an earlier meeting's
// minutes on this meeting's agenda.
func (s *server) adminMinutesApprovalItem(w http.ResponseWriter, r *http.Request) error {
	_, m, err := loadInBody(s, r, s.loadMeeting)
	if err != nil {
		return err
	}
	of, err := council.ParseID(r.PostFormValue("of"))
	if err != nil {
		return err
	}
	if _, err := s.Meetings.AddMinutesApproval(s.Actor(r), m.ID, of); err != nil {
		return err
	}
	return Redirect(w, r, meetingURL(m), "minutes_item_added")
}

// adminMinutesApprove records that the item's accepted poll approved the
// minutes it names: they are frozen and their public version is published
// as the meeting's results protocol.
func (s *server) adminMinutesApprove(w http.ResponseWriter, r *http.Request) error {
	_, it, err := s.loadItem(r)
	if err != nil {
		return err
	}
	svc, err := s.minutesService()
	if err != nil {
		return err
	}
	ctx := s.Actor(r)
	st, err := svc.ApproveMinutes(ctx, it.ID)
	if err != nil {
		return err
	}
	if err := s.publishMinutes(ctx, st.MeetingID); err != nil {
		return err
	}
	return Redirect(w, r, minutesURL(st.MeetingID), "minutes_approved")
}

// publishMinutes stores the public version of meeting id's approved
// minutes as its results protocol (a new version after an addendum).
func (s *server) publishMinutes(ctx context.Context, id council.ID) error {
	rec, err := s.Meetings.PublicMinutes(ctx, id)
	if err != nil {
		return err
	}
	rd, err := documents.NewRenderer("")
	if err != nil {
		return err
	}
	_, err = documents.PublishMinutes(ctx, s.Docs, rd, rec, s.Now())
	return err
}
