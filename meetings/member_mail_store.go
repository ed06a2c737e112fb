package meetings

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plenar/plenar/council"
)

// WithMailer returns a copy of s that queues the members' mail through
// mailer: Invite the invitation, every agenda change of an invited
// meeting a note, AddMinutesApproval the minutes to approve — each in the
// change's transaction, so a change that fails sends nothing.
func (s *Store) WithMailer(mailer council.MemberMailer) *Store {
	c := *s
	c.mailer = mailer
	return &c
}

// notifyMembers gathers the notice of kind about meeting id in tx — the
// meeting, its public agenda (agenda_item_public, migration 00011),
// the number of the other items, and the members to tell — and hands
// it to the mailer; fill adds what a kind needs besides. Without a
// mailer it does nothing.
//
// The members are the users linked to a person with a membership, current
// on the meeting's day (in Germany), in one of the meeting's
// organizations, whose account is verified, enabled and not a citizen's.
func (s *Store) notifyMembers(ctx context.Context, tx council.DBTX, id council.ID, kind council.MeetingNoticeKind, fill func(*council.MeetingNotice)) error {
	if s.mailer == nil {
		return nil
	}
	n := council.MeetingNotice{Kind: kind, Meeting: id}
	var end *time.Time
	err := tx.QueryRow(ctx, `SELECT m.name, m.start_at, m.end_at, m.created, m.modified,
			greatest(coalesce(extract(epoch FROM m.modified - m.invited_at)::int, 0), 0),
			coalesce(concat_ws(', ', nullif(l.description, ''), nullif(l.room, ''), nullif(l.street_address, ''),
				nullif(btrim(l.postal_code || ' ' || l.locality), '')), '')
		FROM meetings m LEFT JOIN locations l ON l.id = m.location_id AND NOT l.deleted WHERE m.id = $1`, id).
		Scan(&n.Name, &n.Start, &end, &n.Created, &n.Modified, &n.Sequence, &n.Place)
	if err != nil {
		return fmt.Errorf("members' notice of %s: %w", id, council.TranslateError(err))
	}
	if end != nil {
		n.End = *end
	}
	rows, err := tx.Query(ctx, `SELECT i.number, i.name, agenda_item_public(i, m) FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.meeting_id = $1 AND NOT i.deleted ORDER BY i.position, i.created`, id)
	if err != nil {
		return fmt.Errorf("members' notice of %s: %w", id, council.TranslateError(err))
	}
	type item struct {
		council.NoticeItem
		public bool
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (item, error) {
		var it item
		return it, r.Scan(&it.Number, &it.Title, &it.public)
	})
	if err != nil {
		return fmt.Errorf("members' notice of %s: %w", id, council.TranslateError(err))
	}
	for _, it := range items {
		if it.public {
			n.Items = append(n.Items, it.NoticeItem)
		} else {
			n.NonPublic++
		}
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT u.id, u.email, u.lang FROM meetings m
		JOIN meeting_organizations mo ON mo.meeting_id = m.id
		JOIN memberships ms ON ms.organization_id = mo.organization_id AND NOT ms.deleted
		JOIN persons p ON p.id = ms.person_id AND NOT p.deleted
		JOIN users u ON u.person_id = p.id
		WHERE m.id = $1 AND NOT u.deleted AND NOT u.disabled AND u.email_verified IS NOT NULL AND u.role <> 'citizen'
		AND (ms.start_date IS NULL OR ms.start_date <= (m.start_at AT TIME ZONE 'Europe/Berlin')::date)
		AND (ms.end_date IS NULL OR ms.end_date >= (m.start_at AT TIME ZONE 'Europe/Berlin')::date)
		ORDER BY u.email`, id)
	if err != nil {
		return fmt.Errorf("members of %s: %w", id, council.TranslateError(err))
	}
	n.Recipients, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (council.NoticeRecipient, error) {
		var rc council.NoticeRecipient
		return rc, r.Scan(&rc.User, &rc.To, &rc.Lang)
	})
	if err != nil {
		return fmt.Errorf("members of %s: %w", id, council.TranslateError(err))
	}
	if fill != nil {
		fill(&n)
	}
	if len(n.Recipients) == 0 {
		return nil
	}
	return s.mailer.MeetingNotice(ctx, tx, n)
}
