package council

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The initiatives store (docs/DOMAIN.md, "Einwohnerantrag";
// docs/ARCHITECTURE.md, "Participation"). Every step is one transaction
// that writes the initiative, its public timeline (initiative_events) and
// the audit trail. Public readers go through initiative_public (migration
// 00020); co-signers are counted, never listed.

const initiativeCols = `i.id, i.body_id, i.kind, i.author_id, i.organization_id, i.group_meeting_id, i.title, i.text, i.reasoning,
	i.state, i.threshold, i.min_age, i.deadline, i.reason, i.paper_id, i.due_date, i.answer, i.answered_at,
	i.created, i.modified, i.deleted, i.meeting_id, i.paper_type,
	(SELECT max(e.at) FROM initiative_events e WHERE e.initiative_id = i.id AND e.state = 'submitted'),
	(SELECT min(e.at) FROM initiative_events e WHERE e.initiative_id = i.id AND e.state = 'admitted'),
	(SELECT count(*) FROM initiative_signatures s WHERE s.initiative_id = i.id),
	coalesce((SELECT o.name FROM organizations o WHERE o.id = i.organization_id), ''),
	coalesce((SELECT u.display_name FROM users u WHERE u.id = i.author_id AND user_name_public(u)), ''),
	coalesce((SELECT p.reference FROM papers p WHERE p.id = i.paper_id), '')`

func scanInitiative(row interface{ Scan(...any) error }) (Initiative, error) {
	var i Initiative
	var org, meeting, paper, target *ID
	var deadline, due pgDate
	var answered, submitted, admitted *time.Time
	err := row.Scan(&i.ID, &i.BodyID, &i.Kind, &i.AuthorID, &org, &meeting, &i.Title, &i.Text, &i.Reasoning,
		&i.State, &i.Threshold, &i.MinAge, &deadline, &i.Reason, &paper, &due, &i.Answer, &answered,
		&i.Created, &i.Modified, &i.Deleted, &target, &i.PaperType, &submitted, &admitted, &i.Signatures, &i.OrgName, &i.AuthorName, &i.PaperReference)
	i.OrganizationID, i.GroupMeetingID, i.PaperID, i.MeetingID = idOf(org), idOf(meeting), idOf(paper), idOf(target)
	if submitted != nil {
		i.SubmittedAt = *submitted
	}
	if admitted != nil {
		i.AdmittedAt = *admitted
	}
	i.Deadline, i.Due = dateOf(deadline), dateOf(due)
	if answered != nil {
		i.AnsweredAt = *answered
	}
	return i, err
}

func initiativeChanges(i Initiative) map[string]any {
	return map[string]any{"kind": i.Kind, "title": i.Title, "state": i.State, "organization": i.OrganizationID}
}

// ParticipationRules returns the body's rules, or the defaults when the
// city has set none.
func (s *Store) ParticipationRules(ctx context.Context, body ID) (ParticipationRules, error) {
	r := DefaultParticipationRules(body)
	err := s.db.QueryRow(ctx, `SELECT inhabitants, threshold, threshold_share::float8, min_age, collect_days, answer_days, motion_deadline_days,
		agenda_deadline_days FROM participation_rules WHERE body_id = $1`, body).Scan(&r.Inhabitants, &r.Threshold, &r.ThresholdShare, &r.MinAge,
		&r.CollectDays, &r.AnswerDays, &r.MotionDeadline, &r.AgendaDays)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("participation rules: %w", TranslateError(err))
	}
	rows, err := s.db.Query(ctx, `SELECT kind, organization_id FROM participation_routes WHERE body_id = $1`, body)
	if err != nil {
		return r, fmt.Errorf("participation routes: %w", TranslateError(err))
	}
	routes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (struct {
		k   InitiativeKind
		org ID
	}, error) {
		var x struct {
			k   InitiativeKind
			org ID
		}
		return x, row.Scan(&x.k, &x.org)
	})
	if err != nil {
		return r, fmt.Errorf("participation routes: %w", TranslateError(err))
	}
	for _, x := range routes {
		if r.Routes == nil {
			r.Routes = map[InitiativeKind]ID{}
		}
		r.Routes[x.k] = x.org
	}
	return r, nil
}

// SaveParticipationRules stores the body's rules and its routes (replacing
// the routes it had). Motions already published keep the threshold, age
// and deadline they were published with. Errors: ErrInvalid.
func (s *Store) SaveParticipationRules(ctx context.Context, r ParticipationRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return Tx(ctx, s.db, func(tx DBTXTx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO participation_rules AS r (body_id, inhabitants, threshold, threshold_share, min_age, collect_days,
			answer_days, motion_deadline_days, agenda_deadline_days)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (body_id) DO UPDATE SET inhabitants = $2, threshold = $3, threshold_share = $4,
			min_age = $5, collect_days = $6, answer_days = $7, motion_deadline_days = $8, agenda_deadline_days = $9, modified = now()`,
			r.BodyID, r.Inhabitants, r.Threshold, r.ThresholdShare, r.MinAge, r.CollectDays, r.AnswerDays, r.MotionDeadline, r.AgendaDays); err != nil {
			return TranslateError(err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM participation_routes WHERE body_id = $1`, r.BodyID); err != nil {
			return TranslateError(err)
		}
		for k, org := range r.Routes {
			tag, err := tx.Exec(ctx, `INSERT INTO participation_routes (body_id, kind, organization_id)
				SELECT $1, $2, o.id FROM organizations o WHERE o.id = $3 AND o.body_id = $1 AND NOT o.deleted`, r.BodyID, k, org)
			if err != nil {
				return TranslateError(err)
			}
			if tag.RowsAffected() == 0 {
				return FieldErrors{"routes": MsgInvalid}
			}
		}
		return Record(ctx, tx, "participation_rules", r.BodyID, OpUpdate, r)
	})
}

// SaveInitiativeDraft creates a draft (zero i.ID; created at i.Created,
// zero: now) by i.AuthorID, or
// updates the texts of the author's draft. A group's motion needs an
// author who represents the group: a user whose person is a current
// member of it. Errors: ErrInvalid, ErrNotFound, ErrForbidden (not the
// author, not the group's member), ErrConflict (no longer a draft).
func (s *Store) SaveInitiativeDraft(ctx context.Context, i Initiative) (Initiative, error) {
	if i.Kind == "" {
		i.Kind = InitiativeCitizens
	}
	if i.PaperType == "" {
		i.PaperType = PaperMotion
	}
	if err := i.Validate(); err != nil {
		return Initiative{}, err
	}
	i.Title, i.Text, i.Reasoning = strings.TrimSpace(i.Title), strings.TrimSpace(i.Text), strings.TrimSpace(i.Reasoning)
	var id ID
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		if i.ID == NilID {
			if i.Kind == InitiativeCouncillor {
				if err := checkCouncillor(ctx, tx, i.AuthorID, i.BodyID, i.OrganizationID); err != nil {
					return err
				}
			} else if i.Kind.Group() {
				if err := checkGroupMember(ctx, tx, i.AuthorID, i.OrganizationID, i.Kind.OrgKind()); err != nil {
					return err
				}
			}
			at := i.Created // a back-dated draft (the demo city); zero: now
			if at.IsZero() {
				at = time.Now()
			}
			// The same title twice from one author, or a title of a motion
			// collecting signatures now, is a duplicate: co-sign that one.
			var dup bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM initiatives i WHERE NOT i.deleted AND i.body_id = $1
				AND lower(regexp_replace(btrim(i.title), '\s+', ' ', 'g')) = $2
				AND ((i.author_id = $3 AND i.state IN ('draft', 'collecting', 'submitted', 'returned')) OR i.state = 'collecting'))`,
				i.BodyID, normTitle(i.Title), i.AuthorID).Scan(&dup); err != nil {
				return TranslateError(err)
			}
			if dup {
				return FieldErrors{"title": MsgInitiativeDuplicate}
			}
			if err := tx.QueryRow(ctx, `INSERT INTO initiatives (body_id, kind, author_id, organization_id, group_meeting_id, title, text, reasoning,
				created, modified, meeting_id, paper_type)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$10,$11) RETURNING id`, i.BodyID, i.Kind, i.AuthorID, nullID(i.OrganizationID),
				nullID(i.GroupMeetingID), i.Title, i.Text, i.Reasoning, at, nullID(i.MeetingID), i.PaperType).Scan(&id); err != nil {
				return TranslateError(err)
			}
			if err := addInitiativeEvent(ctx, tx, id, InitiativeDraft, "", at); err != nil {
				return err
			}
			return Record(ctx, tx, "initiative", id, OpCreate, initiativeChanges(i))
		}
		old, err := lockInitiative(ctx, tx, i.ID, i.AuthorID)
		if err != nil {
			return err
		}
		if !old.State.Editable() {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeState, Text: "only a draft can be edited"}
		}
		id = old.ID
		if _, err := tx.Exec(ctx, `UPDATE initiatives SET title = $2, text = $3, reasoning = $4, group_meeting_id = $5,
			meeting_id = $6, paper_type = $7, modified = now()
			WHERE id = $1`, id, i.Title, i.Text, i.Reasoning, nullID(i.GroupMeetingID), nullID(i.MeetingID), i.PaperType); err != nil {
			return TranslateError(err)
		}
		return Record(ctx, tx, "initiative", id, OpUpdate, map[string]any{"title": i.Title})
	})
	if err != nil {
		return Initiative{}, fmt.Errorf("save initiative: %w", err)
	}
	return s.Initiative(ctx, id)
}

// checkGroupMember: user's person is a current member of group org of
// kind. Errors: ErrForbidden.
func checkGroupMember(ctx context.Context, tx DBTXTx, user, org ID, kind OrgKind) error {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users u JOIN memberships m ON m.person_id = u.person_id
		JOIN organizations o ON o.id = m.organization_id
		WHERE u.id = $1 AND o.id = $2 AND o.kind = $3 AND NOT o.deleted AND NOT m.deleted
		AND (m.end_date IS NULL OR m.end_date >= current_date) AND (m.start_date IS NULL OR m.start_date <= current_date))`,
		user, org, kind).Scan(&ok)
	if err != nil {
		return TranslateError(err)
	}
	if !ok {
		return &UserError{Kind: ErrForbidden, Key: MsgInitiativeNoMember, Text: "only a member of the group may file a motion on its behalf"}
	}
	return nil
}

// checkCouncillor: user's person is a current member of a council,
// committee or district council (CouncilKinds) of body — of org unless it
// is NilID. Errors: ErrForbidden.
func checkCouncillor(ctx context.Context, tx DBTXTx, user, body, org ID) error {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users u JOIN memberships m ON m.person_id = u.person_id
		JOIN organizations o ON o.id = m.organization_id
		WHERE u.id = $1 AND o.body_id = $2 AND ($3::uuid IS NULL OR o.id = $3) AND o.kind = ANY($4) AND NOT o.deleted AND NOT m.deleted
		AND NOT u.deleted AND NOT u.disabled
		AND (m.end_date IS NULL OR m.end_date >= current_date) AND (m.start_date IS NULL OR m.start_date <= current_date))`,
		user, body, nullID(org), orgKindNames(CouncilKinds())).Scan(&ok)
	if err != nil {
		return TranslateError(err)
	}
	if !ok {
		return &UserError{Kind: ErrForbidden, Key: MsgInitiativeNoCouncillor,
			Text: "only a current member of the council or one of its committees may file or co-sign a councillor's motion"}
	}
	return nil
}

func orgKindNames(ks []OrgKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// lockInitiative locks initiative id for a change by its author (author
// NilID: by staff). Errors: ErrNotFound, ErrForbidden.
func lockInitiative(ctx context.Context, tx DBTXTx, id, author ID) (Initiative, error) {
	i, err := scanInitiative(tx.QueryRow(ctx, `SELECT `+initiativeCols+` FROM initiatives i WHERE id = $1 AND NOT deleted FOR UPDATE OF i`, id))
	if err != nil {
		return Initiative{}, fmt.Errorf("initiative %s: %w", id, TranslateError(err))
	}
	if author != NilID && i.AuthorID != author {
		return Initiative{}, &UserError{Kind: ErrForbidden, Key: MsgInitiativeNotYours, Text: "only its author may do this"}
	}
	return i, nil
}

func addInitiativeEvent(ctx context.Context, tx DBTXTx, id ID, st InitiativeState, note string, at time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO initiative_events (initiative_id, at, state, note) VALUES ($1,$2,$3,$4)`, id, at, st, note); err != nil {
		return TranslateError(err)
	}
	return nil
}

// setInitiative moves initiative id from one of the states from to st,
// by author (NilID: staff), with extra assignments (SQL, $2… are args),
// a timeline note and the audit entry. check runs on the locked row.
func (s *Store) setInitiative(ctx context.Context, id, author ID, from []InitiativeState, st InitiativeState, note string, at time.Time,
	check func(tx DBTXTx, i Initiative) error, set string, args ...any) (Initiative, error) {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		i, err := lockInitiative(ctx, tx, id, author)
		if err != nil {
			return err
		}
		ok := false
		for _, f := range from {
			ok = ok || i.State == f
		}
		if !ok {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeState, Text: fmt.Sprintf("not possible while the motion is %s", i.State)}
		}
		if check != nil {
			if err := check(tx, i); err != nil {
				return err
			}
		}
		q := `UPDATE initiatives SET state = $1, modified = now()`
		if set != "" {
			q += ", " + set
		}
		if _, err := tx.Exec(ctx, q+fmt.Sprintf(" WHERE id = $%d", len(args)+2), append(append([]any{st}, args...), id)...); err != nil {
			return TranslateError(err)
		}
		if err := addInitiativeEvent(ctx, tx, id, st, note, at); err != nil {
			return err
		}
		if i.PaperID != NilID { // OParl embeds the initiative in its Paper (plenar:initiative)
			if err := touchPaper(ctx, tx, i.PaperID); err != nil {
				return err
			}
		}
		return Record(ctx, tx, "initiative", id, OpUpdate, map[string]any{"state": st, "note": note})
	})
	if err != nil {
		return Initiative{}, fmt.Errorf("initiative %s → %s: %w", id, st, err)
	}
	return s.Initiative(ctx, id)
}

// PublishInitiative publishes the author's draft of a citizens' motion
// for co-signing, with the body's current threshold and minimum age and a
// deadline collect_days after at. Errors: ErrForbidden, ErrConflict.
func (s *Store) PublishInitiative(ctx context.Context, id, author ID, at time.Time) (Initiative, error) {
	i, err := s.Initiative(ctx, id)
	if err != nil {
		return Initiative{}, err
	}
	if i.Kind != InitiativeCitizens {
		return Initiative{}, &UserError{Kind: ErrConflict, Key: MsgInitiativeState, Text: "a group's motion is submitted, not published for signatures"}
	}
	r, err := s.ParticipationRules(ctx, i.BodyID)
	if err != nil {
		return Initiative{}, err
	}
	return s.setInitiative(ctx, id, author, []InitiativeState{InitiativeDraft}, InitiativeCollecting, "", at, nil,
		`threshold = $2, min_age = $3, deadline = $4`, r.Needed(), r.MinAge, Today(at).AddDate(0, 0, r.CollectDays))
}

// SignInitiative adds user's co-signature to a collecting motion on day
// at: the account must be verified, its residence confirmed by the clerk
// and its holder old enough (birth year). Errors: ErrConflict (signed
// already, not collecting, deadline passed), ErrForbidden (the account
// may not sign), ErrNotFound.
func (s *Store) SignInitiative(ctx context.Context, id, user ID, at time.Time) (Initiative, error) {
	err := Tx(ctx, s.db, func(tx DBTXTx) error {
		i, err := scanInitiative(tx.QueryRow(ctx, `SELECT `+initiativeCols+` FROM initiatives i WHERE id = $1 AND NOT deleted FOR SHARE OF i`, id))
		if err != nil {
			return fmt.Errorf("initiative %s: %w", id, TranslateError(err))
		}
		if i.Kind.CouncilMotion() {
			// A party group's co-signers: its other members, before it is
			// handed in; a councillor's: fellow councillors of the body.
			if !i.State.Editable() {
				return &UserError{Kind: ErrConflict, Key: MsgInitiativeClosed, Text: "the motion is handed in"}
			}
			if user == i.AuthorID {
				return &UserError{Kind: ErrConflict, Key: MsgInitiativeOwnSignature, Text: "the author does not co-sign"}
			}
			check := checkGroupMember(ctx, tx, user, i.OrganizationID, KindPartyGroup)
			if i.Kind == InitiativeCouncillor {
				check = checkCouncillor(ctx, tx, user, i.BodyID, NilID)
			}
			if check != nil {
				return check
			}
			return addSignature(ctx, tx, id, user, at)
		}
		if i.State != InitiativeCollecting {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeClosed, Text: "the motion does not collect signatures"}
		}
		if i.Expired(Today(at)) {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeClosed, Text: "the deadline for signatures has passed"}
		}
		var verified, resident bool
		var birth *int32
		if err := tx.QueryRow(ctx, `SELECT email_verified IS NOT NULL AND NOT disabled, residence_confirmed IS NOT NULL, birth_year
			FROM users WHERE id = $1 AND NOT deleted`, user).Scan(&verified, &resident, &birth); err != nil {
			return TranslateError(err)
		}
		switch {
		case !verified:
			return &UserError{Kind: ErrForbidden, Key: MsgInitiativeUnverified, Text: "confirm your e-mail address first"}
		case !resident:
			return &UserError{Kind: ErrForbidden, Key: MsgInitiativeResidence, Text: "only residents whose residence the city confirmed may sign"}
		case i.MinAge > 0 && birth == nil:
			return &UserError{Kind: ErrForbidden, Key: MsgInitiativeBirthYear, Text: "enter your year of birth on your account page first"}
		case i.MinAge > 0 && Today(at).Year()-int(*birth) < i.MinAge:
			return &UserError{Kind: ErrForbidden, Key: MsgInitiativeAge, Text: fmt.Sprintf("you must be at least %d to sign", i.MinAge)}
		}
		return addSignature(ctx, tx, id, user, at)
	})
	if err != nil {
		return Initiative{}, fmt.Errorf("sign initiative: %w", err)
	}
	return s.Initiative(ctx, id)
}

// addSignature adds user's signature to initiative id, once. The signer is
// not recorded in the audit's changes: the trail keeps that a signature
// came, the table who gave it.
func addSignature(ctx context.Context, tx DBTXTx, id, user ID, at time.Time) error {
	tag, err := tx.Exec(ctx, `INSERT INTO initiative_signatures (initiative_id, user_id, signed_at) VALUES ($1,$2,$3)
		ON CONFLICT DO NOTHING`, id, user, at)
	if err != nil {
		return TranslateError(err)
	}
	if tag.RowsAffected() == 0 {
		return &UserError{Kind: ErrConflict, Key: MsgInitiativeSignedAlready, Text: "you have signed this motion already"}
	}
	return Record(ctx, tx, "initiative", id, OpUpdate, map[string]any{"signed": true})
}

// HasSigned reports whether user co-signed initiative id.
func (s *Store) HasSigned(ctx context.Context, id, user ID) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM initiative_signatures WHERE initiative_id = $1 AND user_id = $2)`, id, user).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("signature: %w", TranslateError(err))
	}
	return ok, nil
}

// SubmitInitiative hands the author's motion in: a citizens' motion once
// it has its signatures (before its deadline), a group's motion from its
// draft. The author gets a receipt by mail (mailer; nil: none), queued in
// the same transaction: title, the timestamp at, the group. Errors:
// ErrForbidden, ErrConflict.
func (s *Store) SubmitInitiative(ctx context.Context, id, author ID, at time.Time, mailer ParticipationMailer) (Initiative, error) {
	allowed := func(tx DBTXTx, i Initiative) error {
		if i.Kind.CouncilMotion() {
			return checkMotionDeadline(ctx, tx, s, i, at)
		}
		if i.Kind == InitiativeCitizens && !i.Reached() {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeThreshold,
				Text: fmt.Sprintf("the motion has %d of %d signatures", i.Signatures, i.Threshold)}
		}
		if i.Kind == InitiativeCitizens && i.Expired(Today(at)) {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeClosed, Text: "the deadline for signatures has passed"}
		}
		return nil
	}
	// The receipt is queued once the step is allowed, in its transaction:
	// it commits with the submission or not at all.
	check := func(tx DBTXTx, i Initiative) error {
		if err := allowed(tx, i); err != nil || mailer == nil {
			return err
		}
		to, lang, ok, err := MailAddressOf(ctx, tx, i.AuthorID)
		if err != nil || !ok {
			return err
		}
		rc := InitiativeReceipt{To: to, Lang: lang, Initiative: i.ID, Title: i.Title, Group: i.OrgName, Kind: i.Kind, SubmittedAt: at}
		if i.Kind == InitiativeCouncillor {
			rc.Group, rc.Member = "", i.OrgName
		}
		return mailer.InitiativeReceipt(ctx, tx, rc)
	}
	return s.setInitiative(ctx, id, author, []InitiativeState{InitiativeDraft, InitiativeCollecting, InitiativeReturned},
		InitiativeSubmitted, "", at, check, "")
}

// checkMotionDeadline: a party group's motion names the meeting it is for,
// a coming one, and arrives by the city's deadline (MotionDeadline days
// before the meeting's day). Errors: ErrConflict.
func checkMotionDeadline(ctx context.Context, tx DBTXTx, s *Store, i Initiative, at time.Time) error {
	if i.MeetingID == NilID {
		return &UserError{Kind: ErrConflict, Key: MsgInitiativeMeeting, Text: "choose the meeting the motion is for"}
	}
	var start time.Time
	if err := tx.QueryRow(ctx, `SELECT start_at FROM meetings WHERE id = $1 AND NOT deleted AND NOT cancelled AND state IN ('planned', 'invited')`,
		i.MeetingID).Scan(&start); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeMeeting, Text: "the meeting has taken place or was cancelled"}
		}
		return TranslateError(err)
	}
	r, err := s.ParticipationRules(ctx, i.BodyID)
	if err != nil {
		return err
	}
	if !Today(at).Before(MotionDeadlineFor(start, r.MotionDeadline).AddDate(0, 0, 1)) {
		return &UserError{Kind: ErrConflict, Key: MsgInitiativeDeadline,
			Text: fmt.Sprintf("motions for this meeting had to be in by %s", MotionDeadlineFor(start, r.MotionDeadline).Format("2.1.2006"))}
	}
	return nil
}

// MotionDeadlineFor is the last day (a UTC midnight date) a party group's
// motion for a meeting starting at start may arrive: days before the
// meeting's day in Germany.
func MotionDeadlineFor(start time.Time, days int) time.Time { return Today(start).AddDate(0, 0, -days) }

// ReturnInitiative: the clerk sends a party group's submitted motion back
// with the reason; the group may change and submit it again. Errors:
// ErrInvalid (no reason), ErrConflict.
func (s *Store) ReturnInitiative(ctx context.Context, id ID, reason string, at time.Time) (Initiative, error) {
	reason = strings.TrimSpace(reason)
	fe := FieldErrors{}
	checkText(fe, "reason", reason, true, 5000)
	if err := fe.Err(); err != nil {
		return Initiative{}, err
	}
	check := func(_ DBTXTx, i Initiative) error {
		if !i.Kind.CouncilMotion() {
			return &UserError{Kind: ErrConflict, Key: MsgInitiativeState, Text: "only a party group's or councillor's motion is returned; reject others"}
		}
		return nil
	}
	return s.setInitiative(ctx, id, NilID, []InitiativeState{InitiativeSubmitted}, InitiativeReturned, reason, at, check, `reason = $2`, reason)
}

// WithdrawInitiative withdraws the author's motion before it is admitted.
// Errors: ErrForbidden, ErrConflict.
func (s *Store) WithdrawInitiative(ctx context.Context, id, author ID, at time.Time) (Initiative, error) {
	return s.setInitiative(ctx, id, author, []InitiativeState{InitiativeDraft, InitiativeCollecting, InitiativeSubmitted},
		InitiativeWithdrawn, "", at, nil, "")
}

// RejectInitiative: the clerk finds a submitted motion inadmissible, with
// the reason (public). Errors: ErrInvalid (no reason), ErrConflict.
func (s *Store) RejectInitiative(ctx context.Context, id ID, reason string, at time.Time) (Initiative, error) {
	reason = strings.TrimSpace(reason)
	fe := FieldErrors{}
	checkText(fe, "reason", reason, true, 5000)
	if err := fe.Err(); err != nil {
		return Initiative{}, err
	}
	return s.setInitiative(ctx, id, NilID, []InitiativeState{InitiativeSubmitted}, InitiativeRejected, reason, at, nil, `reason = $2`, reason)
}

// AdmitInitiative: the clerk admits a submitted motion. It becomes a
// public, submitted Paper (a motion whose type name says what it is,
// originated by the group for a group's motion) with a consultation by
// org (the deciding body); a group's motion gets its answer due date
// (answer_days after at). The caller puts the Paper on an agenda
// (meetings.Store.AddPaper). Errors: ErrConflict, ErrNotFound.
func (s *Store) AdmitInitiative(ctx context.Context, id, org ID, at time.Time) (Initiative, Paper, error) {
	i, err := s.Initiative(ctx, id)
	if err != nil {
		return Initiative{}, Paper{}, err
	}
	if i.State != InitiativeSubmitted {
		return Initiative{}, Paper{}, &UserError{Kind: ErrConflict, Key: MsgInitiativeState, Text: "only a submitted motion can be admitted"}
	}
	r, err := s.ParticipationRules(ctx, i.BodyID)
	if err != nil {
		return Initiative{}, Paper{}, err
	}
	text := i.Text
	if i.Reasoning != "" {
		text += "\n\nBegründung:\n" + i.Reasoning
	}
	typ := i.PaperType
	if typ == "" {
		typ = PaperMotion
	}
	p := Paper{BodyID: i.BodyID, Name: i.Title, Type: typ, TypeName: i.PaperTypeName(), Text: text, Public: true}
	switch {
	case i.Kind == InitiativeCouncillor:
		// The councillor and the co-signing councillors, in their own names.
		if p.Originators, err = s.councillorOriginators(ctx, i.ID); err != nil {
			return Initiative{}, Paper{}, err
		}
	case i.OrganizationID != NilID:
		p.Originators = []Originator{{OrganizationID: i.OrganizationID}}
	}
	if p, err = s.SavePaper(ctx, p); err != nil {
		return Initiative{}, Paper{}, err
	}
	if _, err := s.SaveConsultation(ctx, Consultation{PaperID: p.ID, OrganizationID: org, Role: "Entscheidung", Authoritative: true}); err != nil {
		return Initiative{}, Paper{}, err
	}
	if p, err = s.Submit(ctx, p.ID, at); err != nil {
		return Initiative{}, Paper{}, err
	}
	var due any
	if i.Kind.Answered() {
		due = Today(at).AddDate(0, 0, r.AnswerDays)
	}
	i, err = s.setInitiative(ctx, id, NilID, []InitiativeState{InitiativeSubmitted}, InitiativeAdmitted, p.Reference, at, nil,
		`paper_id = $2, due_date = $3`, p.ID, due)
	return i, p, err
}

// councillorOriginators are the persons of a councillor's motion: its
// author, then its co-signers in the order they signed.
func (s *Store) councillorOriginators(ctx context.Context, id ID) ([]Originator, error) {
	rows, err := s.db.Query(ctx, `SELECT u.person_id FROM initiatives i JOIN users u ON u.id = i.author_id
		WHERE i.id = $1 AND u.person_id IS NOT NULL
		UNION ALL (SELECT u.person_id FROM initiative_signatures g JOIN users u ON u.id = g.user_id
		WHERE g.initiative_id = $1 AND u.person_id IS NOT NULL ORDER BY g.signed_at, u.person_id)`, id)
	if err != nil {
		return nil, fmt.Errorf("originators of %s: %w", id, TranslateError(err))
	}
	persons, err := pgx.CollectRows(rows, pgx.RowTo[ID])
	if err != nil {
		return nil, fmt.Errorf("originators of %s: %w", id, TranslateError(err))
	}
	var out []Originator
	for _, p := range persons {
		if !slices.ContainsFunc(out, func(o Originator) bool { return o.PersonID == p }) {
			out = append(out, Originator{PersonID: p})
		}
	}
	return out, nil
}

// AnswerInitiative records the administration's answer to an admitted
// group's motion (public). Errors: ErrInvalid, ErrConflict.
func (s *Store) AnswerInitiative(ctx context.Context, id ID, answer string, at time.Time) (Initiative, error) {
	answer = strings.TrimSpace(answer)
	fe := FieldErrors{}
	checkText(fe, "answer", answer, true, MaxInitiativeText)
	if err := fe.Err(); err != nil {
		return Initiative{}, err
	}
	return s.setInitiative(ctx, id, NilID, []InitiativeState{InitiativeAdmitted}, InitiativeAdmitted, "answered", at, nil,
		`answer = $2, answered_at = $3`, answer, at)
}

// Initiative returns initiative id whatever its state (for its author,
// staff and the stores). Errors: ErrNotFound.
func (s *Store) Initiative(ctx context.Context, id ID) (Initiative, error) {
	i, err := scanInitiative(s.db.QueryRow(ctx, `SELECT `+initiativeCols+` FROM initiatives i WHERE id = $1 AND NOT deleted`, id))
	if err != nil {
		return Initiative{}, fmt.Errorf("initiative %s: %w", id, TranslateError(err))
	}
	if i.Events, err = s.initiativeEvents(ctx, id); err != nil {
		return Initiative{}, err
	}
	return i, nil
}

// InitiativeFor returns initiative id as v may see it: public ones for
// everyone, the author's own, every one for staff. Errors: ErrNotFound
// (also when hidden).
func (s *Store) InitiativeFor(ctx context.Context, v Viewer, id ID) (Initiative, error) {
	i, err := scanInitiative(s.db.QueryRow(ctx, `SELECT `+initiativeCols+` FROM initiatives i
		WHERE id = $1 AND NOT deleted AND (initiative_public(i) OR i.author_id = $2 OR $3
			OR (i.kind IN ('party_group', 'councillor') AND i.organization_id = ANY($4)))`, id, nullID(v.UserID), v.SeesAllNonPublic(), v.SQLOrgs()))
	if err != nil {
		return Initiative{}, fmt.Errorf("initiative %s: %w", id, TranslateError(err))
	}
	if i.Events, err = s.initiativeEvents(ctx, id); err != nil {
		return Initiative{}, err
	}
	return i, nil
}

func (s *Store) initiativeEvents(ctx context.Context, id ID) ([]InitiativeEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT at, state, note FROM initiative_events WHERE initiative_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("initiative events: %w", TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (InitiativeEvent, error) {
		var e InitiativeEvent
		return e, r.Scan(&e.At, &e.State, &e.Note)
	})
	if err != nil {
		return nil, fmt.Errorf("initiative events: %w", TranslateError(err))
	}
	return out, nil
}

// PublicInitiatives lists the body's public initiatives, the collecting
// ones first (nearest deadline first), then the newest.
func (s *Store) PublicInitiatives(ctx context.Context, body ID) ([]Initiative, error) {
	return s.listInitiatives(ctx, `i.body_id = $1 AND initiative_public(i)`, body)
}

// InitiativesOf lists the initiatives of v: their own, their party
// groups' motions and their fellow councillors' motions (organizations of
// v.Orgs).
func (s *Store) InitiativesOf(ctx context.Context, v Viewer) ([]Initiative, error) {
	return s.listInitiatives(ctx, `(i.author_id = $1 OR (i.kind IN ('party_group', 'councillor') AND i.organization_id = ANY($2)))`, v.UserID, v.SQLOrgs())
}

// InitiativesToDecide lists, for the back office, every initiative past
// its draft: submitted ones first.
func (s *Store) InitiativesToDecide(ctx context.Context, body ID) ([]Initiative, error) {
	return s.listInitiatives(ctx, `i.body_id = $1 AND i.state <> 'draft'`, body)
}

func (s *Store) listInitiatives(ctx context.Context, where string, args ...any) ([]Initiative, error) {
	rows, err := s.db.Query(ctx, `SELECT `+initiativeCols+` FROM initiatives i WHERE NOT i.deleted AND `+where+`
		ORDER BY (i.state = 'submitted') DESC, (i.state = 'collecting') DESC, i.deadline NULLS LAST, i.modified DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("initiatives: %w", TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Initiative, error) { return scanInitiative(r) })
	if err != nil {
		return nil, fmt.Errorf("initiatives: %w", TranslateError(err))
	}
	return out, nil
}

// InitiativeGroupsOf lists the youth councils, community groups and party
// groups whose current member user's person is — the groups on whose
// behalf user may file a motion — and the councils, committees and
// district councils (CouncilKinds) as whose member they may file a
// councillor's motion.
func (s *Store) InitiativeGroupsOf(ctx context.Context, user ID) ([]Organization, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT o.id, o.name, o.kind FROM users u JOIN memberships m ON m.person_id = u.person_id
		JOIN organizations o ON o.id = m.organization_id
		WHERE u.id = $1 AND o.kind IN ('youth_council', 'community_group', 'party_group', 'council', 'committee', 'district_council') AND NOT o.deleted AND NOT m.deleted
		AND (m.end_date IS NULL OR m.end_date >= current_date) AND (m.start_date IS NULL OR m.start_date <= current_date)
		ORDER BY o.name`, user)
	if err != nil {
		return nil, fmt.Errorf("groups of %s: %w", user, TranslateError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Organization, error) {
		var o Organization
		return o, r.Scan(&o.ID, &o.Name, &o.Kind)
	})
	if err != nil {
		return nil, fmt.Errorf("groups of %s: %w", user, TranslateError(err))
	}
	return out, nil
}

// PublicInitiativesOfPapers returns the public initiatives (by
// initiative_public) that became the papers ids, by paper: OParl's
// plenar:initiative. Party groups' motions are not among them (their
// Paper is the public record).
func (s *Store) PublicInitiativesOfPapers(ctx context.Context, ids []ID) (map[ID]Initiative, error) {
	out := map[ID]Initiative{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+initiativeCols+` FROM initiatives i WHERE i.paper_id = ANY($1) AND initiative_public(i)`, ids)
	if err != nil {
		return nil, fmt.Errorf("initiatives of papers: %w", TranslateError(err))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Initiative, error) { return scanInitiative(r) })
	if err != nil {
		return nil, fmt.Errorf("initiatives of papers: %w", TranslateError(err))
	}
	for _, i := range list {
		out[i.PaperID] = i
	}
	return out, nil
}
