-- Alerts for everyone (issue 20, point 3): follows of a body, a paper, a
-- person, a decision's implementation or a saved search, with a digest
-- frequency; the private feed tokens; and alert_news, the one definition
-- of what a follow may learn from the change log (the outbox).
-- docs/ARCHITECTURE.md, "Alerts"; docs/DOMAIN.md, "Alerts".

-- +goose Up

-- A user's follow. target_id names the organization, paper, person or
-- implementation record; a saved search has no target but its query (the
-- portal search's parameters, normalised, e.g. "q=radweg&type=paper").
-- last_period is the digest period last prepared ('2026-12-07' daily,
-- '2026-W49' weekly, '2026-12-07T10:05' instant); last_seq the outbox id
-- up to which news was delivered (or found to be none). Both are written
-- in the transaction that queues the digest, so a period is prepared once.
CREATE TABLE alert_follows (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('organization','paper','person','implementation','search')),
    target_id   uuid,
    query       text NOT NULL DEFAULT '' CHECK (length(query) <= 2000),
    label       text NOT NULL DEFAULT '' CHECK (length(label) <= 300),
    frequency   text NOT NULL DEFAULT 'daily' CHECK (frequency IN ('instant','daily','weekly')),
    last_period text NOT NULL DEFAULT '',
    last_seq    bigint NOT NULL DEFAULT 0,
    created     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'search') = (target_id IS NULL)),
    CHECK (kind <> 'search' OR query <> '')
);
CREATE UNIQUE INDEX alert_follows_target ON alert_follows (user_id, kind, target_id) WHERE target_id IS NOT NULL;
CREATE UNIQUE INDEX alert_follows_search ON alert_follows (user_id, query) WHERE kind = 'search';
CREATE INDEX alert_follows_kind_target ON alert_follows (kind, target_id);
CREATE INDEX alert_follows_frequency ON alert_follows (frequency, last_period);
COMMENT ON COLUMN alert_follows.query IS 'pii:usage';
COMMENT ON COLUMN alert_follows.label IS 'pii:usage';

-- The private Atom feed of a user's follows: only the token's SHA-256 is
-- kept; a new token replaces (revokes) the old one.
CREATE TABLE alert_feed_tokens (
    user_id    uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created    timestamptz NOT NULL DEFAULT now()
);

-- alert_news(lo, hi) is the public news of the changes lo < outbox.id <=
-- hi, per followable target: which organization, paper, person or
-- implementation record a change concerns, with the changed object's
-- title and page. Every branch reads through the public visibility rules
-- (00011_visibility.sql, 00015, 00016): a change of something the public
-- may not see (a draft paper, a non-public agenda item, a file not
-- public, an unpublished agenda or minutes) yields no row, so no alert,
-- digest or feed can carry it. The state is today's, not the change's: a
-- draft edited ten times shows nothing until it is submitted, and then
-- its newest version. One row per target and changed object (the newest
-- change). SQL, not plpgsql, so the planner sees through it.
-- +goose StatementBegin
CREATE FUNCTION alert_news(lo bigint, hi bigint)
    RETURNS TABLE (seq bigint, at timestamptz, target_kind text, target_id uuid, entity text, entity_id uuid, title text, path text)
    LANGUAGE sql STABLE AS $$
WITH ch AS (
    SELECT o.entity, o.entity_id, max(o.id) AS seq, max(o.at) AS at FROM outbox o
    WHERE o.id > lo AND o.id <= hi
        AND o.entity IN ('paper','consultation','meeting','agenda_item','implementation','file','person','membership','minutes')
    GROUP BY o.entity, o.entity_id
), paper_ch AS (
    -- a paper changed, or its consultation path did
    SELECT max(ch.seq) AS seq, max(ch.at) AS at, p.id FROM ch
        JOIN consultations c ON ch.entity = 'consultation' AND c.id = ch.entity_id
        JOIN papers p ON p.id = c.paper_id
    GROUP BY p.id
    UNION ALL
    SELECT ch.seq, ch.at, ch.entity_id FROM ch WHERE ch.entity = 'paper'
), papers_pub AS (
    SELECT max(x.seq) AS seq, max(x.at) AS at, p.id, p.lead_org_id,
        coalesce(p.reference || ': ', '') || p.name AS title
    FROM paper_ch x JOIN papers p ON p.id = x.id
    WHERE paper_public(p)
    GROUP BY p.id
), meetings_pub AS (
    SELECT ch.seq, ch.at, m.id, m.name || ' (' || to_char(m.start_at AT TIME ZONE 'Europe/Berlin', 'DD.MM.YYYY') || ')' AS title
    FROM ch JOIN meetings m ON ch.entity = 'meeting' AND m.id = ch.entity_id
    WHERE agenda_public(m)
), items_pub AS (
    SELECT ch.seq, ch.at, i.id, m.id AS meeting_id,
        btrim(i.number || ' ' || i.name) || CASE WHEN i.result <> '' THEN ' – ' || i.result ELSE '' END AS title
    FROM ch JOIN agenda_items i ON ch.entity = 'agenda_item' AND i.id = ch.entity_id
        JOIN meetings m ON m.id = i.meeting_id
    WHERE agenda_item_public(i, m)
), minutes_pub AS (
    SELECT ch.seq, ch.at, m.id AS meeting_id, m.name || ' (' || to_char(m.start_at AT TIME ZONE 'Europe/Berlin', 'DD.MM.YYYY') || ')' AS title
    FROM ch JOIN minutes x ON ch.entity = 'minutes' AND x.meeting_id = ch.entity_id
        JOIN meetings m ON m.id = x.meeting_id
    WHERE minutes_public(x, m)
), impl_pub AS (
    SELECT ch.seq, ch.at, i.id, p.id AS paper_id, coalesce(p.reference || ': ', '') || p.name AS title
    FROM ch JOIN implementations i ON ch.entity = 'implementation' AND i.id = ch.entity_id
        JOIN papers p ON p.id = i.paper_id
    WHERE implementation_public(i, p)
), files_pub AS (
    SELECT ch.seq, ch.at, f.id, coalesce(nullif(f.name, ''), f.file_name) AS title
    FROM ch JOIN public_files f ON ch.entity = 'file' AND f.id = ch.entity_id
), persons_pub AS (
    SELECT ch.seq, ch.at, p.id, btrim(concat_ws(' ', nullif(p.title, ''), nullif(p.given_name, ''), p.family_name)) AS title
    FROM ch JOIN public_persons p ON ch.entity = 'person' AND p.id = ch.entity_id
    WHERE NOT p.deleted
), seats_pub AS (
    SELECT ch.seq, ch.at, ms.id, p.id AS person_id, o.id AS org_id,
        btrim(concat_ws(' ', nullif(p.given_name, ''), p.family_name)) || ' – ' || o.name AS title
    FROM ch JOIN memberships ms ON ch.entity = 'membership' AND ms.id = ch.entity_id
        JOIN public_persons p ON p.id = ms.person_id JOIN organizations o ON o.id = ms.organization_id
    WHERE NOT ms.deleted AND NOT p.deleted AND NOT o.deleted
), rows AS (
    SELECT seq, at, 'paper' AS target_kind, id AS target_id, 'paper' AS entity, id AS entity_id, title, '/papers/' || id AS path FROM papers_pub
    UNION ALL
    SELECT seq, at, 'organization', lead_org_id, 'paper', id, title, '/papers/' || id FROM papers_pub WHERE lead_org_id IS NOT NULL
    UNION ALL
    SELECT x.seq, x.at, CASE WHEN po.person_id IS NOT NULL THEN 'person' ELSE 'organization' END,
        coalesce(po.person_id, po.organization_id), 'paper', x.id, x.title, '/papers/' || x.id
    FROM papers_pub x JOIN paper_originators po ON po.paper_id = x.id
    UNION ALL
    SELECT x.seq, x.at, 'organization', c.organization_id, 'paper', x.id, x.title, '/papers/' || x.id
    FROM papers_pub x JOIN consultations c ON c.paper_id = x.id AND NOT c.deleted
    UNION ALL
    SELECT x.seq, x.at, 'organization', mo.organization_id, 'meeting', x.id, x.title, '/meetings/' || x.id
    FROM meetings_pub x JOIN meeting_organizations mo ON mo.meeting_id = x.id
    UNION ALL
    SELECT x.seq, x.at, 'organization', mo.organization_id, 'agenda_item', x.id, x.title, '/meetings/' || x.meeting_id
    FROM items_pub x JOIN meeting_organizations mo ON mo.meeting_id = x.meeting_id
    UNION ALL
    SELECT x.seq, x.at, 'paper', p.id, 'agenda_item', x.id, x.title, '/meetings/' || x.meeting_id
    FROM items_pub x JOIN consultations c ON c.agenda_item_id = x.id AND NOT c.deleted
        JOIN papers p ON p.id = c.paper_id
    WHERE paper_public(p)
    UNION ALL
    SELECT x.seq, x.at, 'organization', mo.organization_id, 'minutes', x.meeting_id, x.title, '/meetings/' || x.meeting_id || '/minutes'
    FROM minutes_pub x JOIN meeting_organizations mo ON mo.meeting_id = x.meeting_id
    UNION ALL
    SELECT seq, at, 'implementation', id, 'implementation', id, title, '/papers/' || paper_id FROM impl_pub
    UNION ALL
    SELECT seq, at, 'paper', paper_id, 'implementation', id, title, '/papers/' || paper_id FROM impl_pub
    UNION ALL
    SELECT x.seq, x.at, 'paper', l.paper_id, 'file', x.id, x.title, '/papers/' || l.paper_id
    FROM files_pub x JOIN paper_files l ON l.file_id = x.id
    UNION ALL
    SELECT x.seq, x.at, 'organization', mo.organization_id, 'file', x.id, x.title, '/meetings/' || l.meeting_id
    FROM files_pub x JOIN meeting_files l ON l.file_id = x.id JOIN meeting_organizations mo ON mo.meeting_id = l.meeting_id
    UNION ALL
    SELECT seq, at, 'person', id, 'person', id, title, '/persons/' || id FROM persons_pub
    UNION ALL
    SELECT seq, at, 'person', person_id, 'membership', id, title, '/persons/' || person_id FROM seats_pub
    UNION ALL
    SELECT seq, at, 'organization', org_id, 'membership', id, title, '/persons/' || person_id FROM seats_pub
)
SELECT DISTINCT ON (target_kind, target_id, entity, entity_id) seq, at, target_kind, target_id, entity, entity_id, title, path
FROM rows
ORDER BY target_kind, target_id, entity, entity_id, seq DESC
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION alert_news(bigint, bigint);
DROP TABLE alert_feed_tokens;
DROP TABLE alert_follows;
