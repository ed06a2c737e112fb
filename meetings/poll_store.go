package meetings

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plenar/plenar/council"
	"github.com/plenar/plenar/meetings/voting"
)

// The poll tables (migrations/sql/00013_polls.sql) are written only here;
// meetings/live calls these functions inside its command transactions.

const pollCols = `p.id, p.meeting_id, p.item_id, p.position, p.kind, p.question, p.rule, p.profile, p.seats, p.round,
	p.previous_id, p.state, p.remote, p.statutory, p.present, p.conflicted, p.eligible, p.opened_at, p.closed_at, p.reason,
	coalesce(p.yes, 0), coalesce(p.no, 0), coalesce(p.abstain, 0), coalesce(p.invalid, 0), coalesce(p.ballots, 0),
	coalesce(p.outcome, ''), p.result, p.seed, p.progress,
	coalesce((SELECT json_agg(json_build_object('id', c.id, 'name', c.name) ORDER BY c.position)
		FROM poll_candidates c WHERE c.poll_id = p.id), '[]')`

// scanPoll reads a row of pollCols and then the extra columns into extra.
func scanPoll(row pgx.Row, extra ...any) (Poll, error) {
	var p Poll
	var prev *council.ID
	var closed *time.Time
	var result, cands []byte
	err := row.Scan(append([]any{&p.ID, &p.MeetingID, &p.ItemID, &p.Position, &p.Kind, &p.Question, &p.Rule, &p.Profile, &p.Seats,
		&p.Round, &prev, &p.State, &p.Remote, &p.Inputs.Statutory, &p.Inputs.Present, &p.Inputs.Conflicted,
		&p.Inputs.Eligible, &p.OpenedAt, &closed, &p.Reason, &p.Tally.Yes, &p.Tally.No, &p.Tally.Abstain,
		&p.Tally.Invalid, &p.Ballots, &p.Outcome, &result, &p.Seed, &p.Progress, &cands}, extra...)...)
	if err != nil {
		return Poll{}, err
	}
	p.PreviousID = council.IDOf(prev)
	if closed != nil {
		p.ClosedAt = *closed
	}
	if err := json.Unmarshal(cands, &p.Candidates); err != nil {
		return Poll{}, fmt.Errorf("poll %s candidates: %w", p.ID, err)
	}
	if len(result) > 0 {
		if p.Kind == voting.Election {
			p.Election = &voting.ElectionResult{}
			err = json.Unmarshal(result, p.Election)
		} else {
			p.Result = &voting.Result{}
			err = json.Unmarshal(result, p.Result)
		}
	}
	return p, err
}

func (s *Store) polls(ctx context.Context, where string, args ...any) ([]Poll, error) {
	rows, err := s.db.Query(ctx, `SELECT `+pollCols+` FROM polls p WHERE `+where, args...)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []Poll
	for rows.Next() {
		p, err := scanPoll(rows)
		if err != nil {
			return nil, fmt.Errorf("read polls: %w", err)
		}
		out = append(out, p)
	}
	return out, council.TranslateError(rows.Err())
}

// Poll returns poll id; lock locks its row: "share" for a ballot (many at
// once, none while the poll closes), "update" to change its state.
// Errors: ErrNotFound.
//
// "update" also takes the poll's ballot lock exclusively (see
// CastOwnBallot), so it must run in a transaction.
func (s *Store) Poll(ctx context.Context, id council.ID, lock string) (Poll, error) {
	q := `SELECT ` + pollCols + ` FROM polls p WHERE p.id = $1`
	switch lock {
	case "share":
		q += ` FOR SHARE OF p`
	case "update":
		q += ` FOR UPDATE OF p`
		if _, err := s.db.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2::text))`, ballotLockSpace, id); err != nil {
			return Poll{}, fmt.Errorf("lock poll %s: %w", id, council.TranslateError(err))
		}
	}
	p, err := scanPoll(s.db.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Poll{}, fmt.Errorf("%w: no poll %s", council.ErrNotFound, id)
	}
	return p, council.TranslateError(err)
}

// Eligibility is what a ballot needs to know of its member in a poll:
// whether they may vote (and how they were present when it opened) and
// whether they voted already.
type Eligibility struct {
	Eligible bool
	Mode     Mode // room or remote when the poll opened
	Voted    bool
}

// BallotPoll returns poll id locked FOR SHARE, as a ballot locks it (many
// at once, none while the poll closes), with person's eligibility in it:
// one round trip. Errors: ErrNotFound.
func (s *Store) BallotPoll(ctx context.Context, id, person council.ID) (Poll, Eligibility, error) {
	var mode *string
	var el Eligibility
	p, err := scanPoll(s.db.QueryRow(ctx, `SELECT `+pollCols+`, e.mode, v.person_id IS NOT NULL
		FROM polls p LEFT JOIN poll_eligible e ON e.poll_id = p.id AND e.person_id = $2
		LEFT JOIN poll_voters v ON v.poll_id = p.id AND v.person_id = $2
		WHERE p.id = $1 FOR SHARE OF p`, id, person), &mode, &el.Voted)
	if errors.Is(err, pgx.ErrNoRows) {
		return Poll{}, el, fmt.Errorf("%w: no poll %s", council.ErrNotFound, id)
	}
	if mode != nil {
		el.Eligible, el.Mode = true, Mode(*mode)
	}
	return p, el, council.TranslateError(err)
}

// RunningPoll returns the meeting's open or paused poll, if any.
func (s *Store) RunningPoll(ctx context.Context, meeting council.ID) (Poll, bool, error) {
	ps, err := s.polls(ctx, `p.meeting_id = $1 AND p.state IN ('open','paused')`, meeting)
	if err != nil || len(ps) == 0 {
		return Poll{}, false, err
	}
	return ps[0], true, nil
}

// PollsOfMeeting returns a meeting's polls in the order they were opened.
func (s *Store) PollsOfMeeting(ctx context.Context, meeting council.ID) ([]Poll, error) {
	return s.polls(ctx, `p.meeting_id = $1 ORDER BY p.opened_at, p.position`, meeting)
}

// PollsOfItems returns the polls of the given agenda items by item, each in
// order of position.
func (s *Store) PollsOfItems(ctx context.Context, items []council.ID) (map[council.ID][]Poll, error) {
	out := map[council.ID][]Poll{}
	if len(items) == 0 {
		return out, nil
	}
	ps, err := s.polls(ctx, `p.item_id = ANY($1) ORDER BY p.item_id, p.position`, items)
	for _, p := range ps {
		out[p.ItemID] = append(out[p.ItemID], p)
	}
	return out, err
}

// OpenPoll records poll p (ID, MeetingID, ItemID, Kind, Question, Rule,
// Profile, Seats, Round, PreviousID, Remote, Inputs, OpenedAt, Candidates)
// as open, at the next position of its item, with the members who may vote
// (in roster order). It returns p with its position. actor is the user who
// opened it.
func (s *Store) OpenPoll(ctx context.Context, p Poll, eligible []Eligible, actor council.ID) (Poll, error) {
	p.State = PollOpen
	err := s.db.QueryRow(ctx, `INSERT INTO polls (id, meeting_id, item_id, position, kind, question, rule, profile, seats, round,
			previous_id, state, remote, statutory, present, conflicted, eligible, opened_at, opened_by, seed)
		VALUES ($1,$2,$3,(SELECT coalesce(max(position), 0) + 1 FROM polls WHERE item_id = $3),$4,$5,$6,$7,$8,$9,$10,'open',$11,
			$12,$13,$14,$15,$16,$17,$18)
		RETURNING position`,
		p.ID, p.MeetingID, p.ItemID, p.Kind, p.Question, p.Rule, p.Profile, p.Seats, p.Round, council.NullID(p.PreviousID),
		p.Remote, p.Inputs.Statutory, p.Inputs.Present, p.Inputs.Conflicted, p.Inputs.Eligible, p.OpenedAt,
		council.NullID(actor), p.Seed).Scan(&p.Position)
	if err != nil {
		return Poll{}, fmt.Errorf("open poll: %w", council.TranslateError(err))
	}
	// Candidates and eligible members each in one statement (a council's
	// 60 members are one round trip, not 60), positions from 0 in order.
	if len(p.Candidates) > 0 {
		ids, names := make([]string, len(p.Candidates)), make([]string, len(p.Candidates))
		for i, c := range p.Candidates {
			ids[i], names[i] = c.ID, c.Name
		}
		if _, err := s.db.Exec(ctx, `INSERT INTO poll_candidates (poll_id, id, name, position)
			SELECT $1, c.id, c.name, c.n - 1 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS c(id, name, n)`,
			p.ID, ids, names); err != nil {
			return Poll{}, fmt.Errorf("poll candidate: %w", council.TranslateError(err))
		}
	}
	if len(eligible) > 0 {
		persons, names, modes := make([]council.ID, len(eligible)), make([]string, len(eligible)), make([]string, len(eligible))
		for i, e := range eligible {
			persons[i], names[i], modes[i] = e.PersonID, e.Name, string(e.Mode)
		}
		if _, err := s.db.Exec(ctx, `INSERT INTO poll_eligible (poll_id, person_id, name, mode, position)
			SELECT $1, e.person_id, e.name, e.mode, e.n - 1 FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS e(person_id, name, mode, n)`,
			p.ID, persons, names, modes); err != nil {
			return Poll{}, fmt.Errorf("poll eligible: %w", council.TranslateError(err))
		}
	}
	return p, nil
}

// SetPollState moves poll id to state with a reason (pause, resume,
// cancel) at now, by actor.
func (s *Store) SetPollState(ctx context.Context, id council.ID, state PollState, reason string, actor council.ID, now time.Time) error {
	q := `UPDATE polls SET state = $2, reason = $3 WHERE id = $1`
	args := []any{id, state, reason}
	if state == PollCancelled {
		q = `UPDATE polls SET state = $2, reason = $3, closed_at = $4, closed_by = $5 WHERE id = $1`
		args = append(args, now, council.NullID(actor))
	}
	_, err := s.db.Exec(ctx, q, args...)
	return council.TranslateError(err)
}

// PollEligible returns the members who may vote in poll id, in roster
// order, and which of them have voted.
func (s *Store) PollEligible(ctx context.Context, id council.ID) ([]Eligible, map[council.ID]bool, error) {
	// IN (subquery) is one hashed scan of the voters; as a join, the
	// planner of a database not yet analysed chose a nested loop of
	// sequential scans (see Votes).
	rows, err := s.db.Query(ctx, `SELECT e.person_id, e.name, e.mode, e.person_id IN (SELECT person_id FROM poll_voters WHERE poll_id = $1)
		FROM poll_eligible e WHERE e.poll_id = $1 ORDER BY e.position`, id)
	if err != nil {
		return nil, nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []Eligible
	voted := map[council.ID]bool{}
	for rows.Next() {
		var e Eligible
		var v bool
		if err := rows.Scan(&e.PersonID, &e.Name, &e.Mode, &v); err != nil {
			return nil, nil, err
		}
		out = append(out, e)
		if v {
			voted[e.PersonID] = true
		}
	}
	return out, voted, council.TranslateError(rows.Err())
}

// AddVoter records that person voted in poll id, via via. Errors:
// ErrConflict when they voted already, ErrInvalid when they are not
// eligible (the database refuses both).
func (s *Store) AddVoter(ctx context.Context, id, person council.ID, via Via) error {
	_, err := s.db.Exec(ctx, `INSERT INTO poll_voters (poll_id, person_id, via) VALUES ($1,$2,$3)`, id, person, via)
	return council.TranslateError(err)
}

// ErrReceiptTaken is the conflict of a secret ballot whose receipt is in
// the urn already (a ballot id used before by someone else).
var ErrReceiptTaken = errors.New("receipt taken")

// CastBallot records, in one statement, that person voted in poll id via
// via and what they voted: for an open or named poll (receipt "") their
// choice with the client's ballot id, at now; for a secret poll choice
// into the urn under receipt, with nothing linking it to the voter.
// Errors: ErrConflict when person voted already, wrapping ErrReceiptTaken
// when the receipt is taken; ErrInvalid when person may not vote in it
// (the database refuses all three).
func (s *Store) CastBallot(ctx context.Context, id, person council.ID, via Via, choice []string, clientID, receipt string, now time.Time) error {
	var err error
	if receipt != "" {
		_, err = s.db.Exec(ctx, `WITH v AS (INSERT INTO poll_voters (poll_id, person_id, via) VALUES ($1, $2, $3) RETURNING poll_id)
			INSERT INTO poll_secret_ballots (poll_id, receipt, choice) SELECT poll_id, $4, $5 FROM v`, id, person, via, receipt, choice)
	} else {
		_, err = s.db.Exec(ctx, `WITH v AS (INSERT INTO poll_voters (poll_id, person_id, via) VALUES ($1, $2, $3) RETURNING poll_id, person_id)
			INSERT INTO poll_choices (poll_id, person_id, choice, client_id, via, at) SELECT poll_id, person_id, $4, $5, $3, $6 FROM v`,
			id, person, via, choice, clientID, now)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.TableName == "poll_secret_ballots" {
		return fmt.Errorf("%w: %w", council.TranslateError(err), ErrReceiptTaken)
	}
	return council.TranslateError(err)
}

// ballotLockSpace is the first key of the polls' ballot locks
// (PostgreSQL advisory locks; the second key is a hash of the poll id).
const ballotLockSpace = 0x706f6c6c // "poll"

// CastOwnBallot is CastBallot for a member voting on their own device
// (via self), in one round trip and one transaction of its own, committed
// when it returns. A ballot holds its poll's ballot lock shared, and
// whoever changes the poll's state (Poll with lock "update": closing,
// pausing, cancelling) holds it exclusively, so ballots go in side by
// side and none once the poll is no longer open: the insert reads the
// state after it has the lock. (A row lock FOR SHARE on the poll, as
// BallotPoll takes, does the same, but dozens of ballots sharing one row
// lock make PostgreSQL keep a multixact per ballot; the advisory lock
// lives in memory only.) It reports false and records nothing when the
// poll is not open or person voted already; an error (ErrInvalid when
// person may not vote, ErrConflict wrapping ErrReceiptTaken when the
// receipt is taken) records nothing either. It answers nothing else:
// the caller then asks the way CastBallot's callers do (BallotPoll, a
// changed or repeated ballot) for the exact answer. Receipt "" records an
// open or named ballot, with clientID.
func (s *Store) CastOwnBallot(ctx context.Context, id, person council.ID, choice []string, clientID, receipt string, now time.Time) (bool, error) {
	const open = `WITH v AS (INSERT INTO poll_voters (poll_id, person_id, via)
			SELECT id, $2, 'self' FROM polls WHERE id = $1 AND state = 'open' ON CONFLICT DO NOTHING RETURNING poll_id, person_id)`
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1, hashtext($2::text))`, ballotLockSpace, id)
	if receipt != "" {
		b.Queue(open+` INSERT INTO poll_secret_ballots (poll_id, receipt, choice) SELECT poll_id, $3, $4 FROM v`, id, person, receipt, choice)
	} else {
		b.Queue(open+` INSERT INTO poll_choices (poll_id, person_id, choice, client_id, via, at)
			SELECT poll_id, person_id, $3, $4, 'self', $5 FROM v`, id, person, choice, clientID, now)
	}
	br := s.db.SendBatch(ctx, b)
	_, err := br.Exec()
	var tag pgconn.CommandTag
	if err == nil {
		tag, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr // the commit
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.TableName == "poll_secret_ballots" {
		return false, fmt.Errorf("%w: %w", council.TranslateError(err), ErrReceiptTaken)
	}
	return err == nil && tag.RowsAffected() == 1, council.TranslateError(err)
}

// Voted reports whether person voted in poll id.
func (s *Store) Voted(ctx context.Context, id, person council.ID) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM poll_voters WHERE poll_id = $1 AND person_id = $2)`, id, person).Scan(&ok)
	return ok, council.TranslateError(err)
}

// SetChoice records (or, when the member changes it, replaces) a member's
// choice in an open or named poll. The voter row must exist.
func (s *Store) SetChoice(ctx context.Context, id, person council.ID, choice []string, clientID string, via Via, now time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO poll_choices (poll_id, person_id, choice, client_id, via, at) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (poll_id, person_id) DO UPDATE SET choice = EXCLUDED.choice, client_id = EXCLUDED.client_id,
			via = EXCLUDED.via, at = EXCLUDED.at`, id, person, choice, clientID, via, now)
	return council.TranslateError(err)
}

// Choice returns a member's recorded choice in an open or named poll and
// the client ballot id it came with.
func (s *Store) Choice(ctx context.Context, id, person council.ID) ([]string, string, bool, error) {
	var choice []string
	var client string
	err := s.db.QueryRow(ctx, `SELECT choice, client_id FROM poll_choices WHERE poll_id = $1 AND person_id = $2`, id, person).
		Scan(&choice, &client)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", false, nil
	}
	return choice, client, err == nil, council.TranslateError(err)
}

// Votes returns the recorded choices of an open or named poll in roster
// order. Two plain scans joined here: the planner of a database not yet
// analysed (a new council, or autovacuum off) chose a nested loop of
// sequential scans for the join in SQL, 20 ms for 60 members by the
// thirtieth poll.
func (s *Store) Votes(ctx context.Context, id council.ID) ([]Vote, error) {
	el, _, err := s.PollEligible(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT person_id, choice, via FROM poll_choices WHERE poll_id = $1`, id)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	byPerson := map[council.ID]Vote{}
	for rows.Next() {
		var v Vote
		if err := rows.Scan(&v.PersonID, &v.Choice, &v.Via); err != nil {
			return nil, err
		}
		byPerson[v.PersonID] = v
	}
	if err := rows.Err(); err != nil {
		return nil, council.TranslateError(err)
	}
	out := make([]Vote, 0, len(byPerson))
	for _, e := range el {
		if v, ok := byPerson[e.PersonID]; ok {
			v.Name = e.Name
			out = append(out, v)
		}
	}
	return out, nil
}

// AddSecretBallot puts a ballot into the urn of secret poll id under
// receipt. Errors: ErrConflict when the receipt is taken.
func (s *Store) AddSecretBallot(ctx context.Context, id council.ID, receipt string, choice []string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO poll_secret_ballots (poll_id, receipt, choice) VALUES ($1,$2,$3)`, id, receipt, choice)
	return council.TranslateError(err)
}

// SecretBallot returns the choice under receipt in poll id.
func (s *Store) SecretBallot(ctx context.Context, id council.ID, receipt string) ([]string, bool, error) {
	var choice []string
	err := s.db.QueryRow(ctx, `SELECT choice FROM poll_secret_ballots WHERE poll_id = $1 AND receipt = $2`, id, receipt).Scan(&choice)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return choice, err == nil, council.TranslateError(err)
}

// PaperReceipt returns a fresh random receipt for a paper ballot.
func PaperReceipt() string {
	var b [5]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	s := receiptEncoding.EncodeToString(b[:])
	return s[:4] + "-" + s[4:8]
}

// SecretBallots returns the ballots of a secret poll ordered by receipt
// (random with respect to the voters), for the published list.
func (s *Store) SecretBallots(ctx context.Context, id council.ID) ([]SecretBallot, error) {
	rows, err := s.db.Query(ctx, `SELECT receipt, choice FROM poll_secret_ballots WHERE poll_id = $1 ORDER BY receipt`, id)
	if err != nil {
		return nil, council.TranslateError(err)
	}
	defer rows.Close()
	var out []SecretBallot
	for rows.Next() {
		var b SecretBallot
		if err := rows.Scan(&b.Receipt, &b.Choice); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, council.TranslateError(rows.Err())
}

// PollCounts counts poll id's ballots by choice (per candidate for an
// election) and how many members voted, and how many paper voters there
// are. The choices come from poll_choices for open and named polls and
// from the urn for secret ones.
func (s *Store) PollCounts(ctx context.Context, p Poll) (counts map[string]int, voters, paper int, err error) {
	table := "poll_choices"
	if p.Secret() {
		table = "poll_secret_ballots"
	}
	rows, err := s.db.Query(ctx, `SELECT c, count(*) FROM `+table+`, unnest(choice) AS c WHERE poll_id = $1 GROUP BY c`, p.ID)
	if err != nil {
		return nil, 0, 0, council.TranslateError(err)
	}
	counts = map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			rows.Close()
			return nil, 0, 0, err
		}
		counts[c] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, 0, council.TranslateError(err)
	}
	err = s.db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE via = 'paper') FROM poll_voters WHERE poll_id = $1`, p.ID).
		Scan(&voters, &paper)
	return counts, voters, paper, council.TranslateError(err)
}

// UrnSize returns how many ballots the urn of secret poll id holds.
func (s *Store) UrnSize(ctx context.Context, id council.ID) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM poll_secret_ballots WHERE poll_id = $1`, id).Scan(&n)
	return n, council.TranslateError(err)
}

// ClosePoll records poll p's result (State closed or, with Reason,
// cancelled; Tally, Ballots, Outcome, Result or Election, Seed, ClosedAt)
// by actor. For a secret poll it then rewrites the poll's voter rows and
// its urn in random order inside the closing transaction, so the rows
// carry no trace of the order or transaction in which ballots were cast
// (docs/VOTING.md, "Threat model").
func (s *Store) ClosePoll(ctx context.Context, p Poll, actor council.ID) error {
	var result any = p.Result
	if p.Kind == voting.Election {
		result = p.Election
	}
	b, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode poll result: %w", err)
	}
	if _, err := s.db.Exec(ctx, `UPDATE polls SET state = $2, closed_at = $3, closed_by = $4, yes = $5, no = $6, abstain = $7,
			invalid = $8, ballots = $9, outcome = $10, result = $11, seed = $12, reason = $13, progress = $9 WHERE id = $1`,
		p.ID, p.State, p.ClosedAt, council.NullID(actor), p.Tally.Yes, p.Tally.No, p.Tally.Abstain, p.Tally.Invalid, p.Ballots,
		p.Outcome, b, p.Seed, p.Reason); err != nil {
		return fmt.Errorf("close poll: %w", council.TranslateError(err))
	}
	if !p.Secret() {
		return nil
	}
	for _, q := range []string{
		`WITH gone AS (DELETE FROM poll_secret_ballots WHERE poll_id = $1 RETURNING *)
			INSERT INTO poll_secret_ballots SELECT * FROM gone ORDER BY random()`,
		`WITH gone AS (DELETE FROM poll_voters WHERE poll_id = $1 RETURNING *)
			INSERT INTO poll_voters SELECT * FROM gone ORDER BY random()`,
	} {
		if _, err := s.db.Exec(ctx, q, p.ID); err != nil {
			return fmt.Errorf("shuffle poll %s: %w", p.ID, council.TranslateError(err))
		}
	}
	return nil
}

// SetItemResult records an agenda item's result in words (OParl
// AgendaItem.result), as the polls on it came out.
// The change is recorded (audit and outbox), so the search index, the
// page cache and OParl's modified follow.
func (s *Store) SetItemResult(ctx context.Context, item council.ID, result string) error {
	if _, err := s.db.Exec(ctx, `UPDATE agenda_items SET result = $2, modified = now() WHERE id = $1`, item, result); err != nil {
		return council.TranslateError(err)
	}
	return council.Record(ctx, s.db, "agenda_item", item, council.OpUpdate, map[string]any{"Result": result})
}

// VotingProfile returns the Land profile code of the body a meeting
// belongs to.
func (s *Store) VotingProfile(ctx context.Context, meeting council.ID) (string, error) {
	var code string
	err := s.db.QueryRow(ctx, `SELECT b.voting_profile FROM meetings m JOIN bodies b ON b.id = m.body_id WHERE m.id = $1`, meeting).Scan(&code)
	return code, council.TranslateError(err)
}
