-- +goose Up
-- Who may see what (docs/DOMAIN.md, "Who sees what"; docs/ARCHITECTURE.md,
-- "A non-public state"): the one definition per kind of object. Every
-- reader (portal, OParl, feeds, open-data dumps, documents, search loading,
-- live) calls these functions instead of writing the rule itself;
-- TestVisibilityRulesLiveInMigrations (web) fails on a copy in Go.
--
-- Each kind has up to three levels:
--   <kind>_published: the object's own state allows the public to see it,
--     deletion set apart (OParl lists deleted public objects as tombstones);
--   <kind>_public: published and neither it nor what it hangs on deleted;
--   <kind>_audience: who may see it, deletion set apart: 'public',
--     'members' (of its organizations, and staff) or 'staff' (the search
--     index stores it as the document's vis).
-- <kind>_visible_to(…, viewer_role, viewer_orgs) is the rule for a logged-in
-- viewer: role as council.Role ('' for the public), orgs the organizations
-- the viewer is a current member of (council.Viewer.SQLRole/SQLOrgs).
--
-- The row-only functions are single expressions: PostgreSQL inlines them,
-- so a query using them plans exactly as with the expression written out
-- (the partial indexes on NOT deleted still match). A new non-public state
-- is one more condition in one function here, through a new migration
-- with CREATE OR REPLACE FUNCTION, plus a marker in
-- TestVisibilityEveryPublicReader (web).

-- +goose StatementBegin
CREATE FUNCTION viewer_is_staff(viewer_role text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN viewer_role IN ('clerk', 'admin');
-- +goose StatementEnd

-- Papers: public and submitted (a draft is seen by staff only).
-- +goose StatementBegin
CREATE FUNCTION paper_published(p papers) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p.public AND p.status <> 'draft';
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION paper_public(p papers) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN paper_published(p) AND NOT p.deleted;
-- +goose StatementEnd

-- A non-public, submitted paper is seen by members of the organizations on
-- its consultation path; a draft by staff only.
-- +goose StatementBegin
CREATE FUNCTION paper_audience(p papers) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN paper_published(p) THEN 'public' WHEN p.status <> 'draft' THEN 'members' ELSE 'staff' END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION paper_visible_to(p papers, viewer_role text, viewer_orgs uuid[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN NOT p.deleted AND (paper_published(p) OR viewer_is_staff(viewer_role)
        OR (paper_audience(p) = 'members' AND viewer_role = 'member' AND EXISTS (
            SELECT 1 FROM consultations c WHERE c.paper_id = p.id AND NOT c.deleted
                AND c.organization_id = ANY (viewer_orgs))));
-- +goose StatementEnd

-- Meetings are public data; their agenda is published with the invitation
-- (every state after 'planned').
-- +goose StatementBegin
CREATE FUNCTION agenda_published(m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN m.state <> 'planned';
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION agenda_public(m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN agenda_published(m) AND NOT m.deleted;
-- +goose StatementEnd

-- Agenda items: a public item on a published agenda. A non-public item
-- shows only its number and the neutral title (meetings.AgendaItem.ForViewer).
-- +goose StatementBegin
CREATE FUNCTION agenda_item_published(i agenda_items, m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN i.public AND agenda_published(m);
-- +goose StatementEnd

-- The members of the meeting's organizations see a non-public item of a
-- published agenda; an agenda not yet published is seen by staff only.
-- +goose StatementBegin
CREATE FUNCTION agenda_item_audience(i agenda_items, m meetings) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN agenda_item_published(i, m) THEN 'public' WHEN agenda_published(m) THEN 'members' ELSE 'staff' END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION agenda_item_public(i agenda_items, m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN agenda_item_published(i, m) AND NOT i.deleted AND NOT m.deleted;
-- +goose StatementEnd

-- file_links lists what each file is attached to, with whether that thing
-- is published and whether it is deleted, its body, and the parent the
-- search shows (rank: paper, agenda item, meeting).
CREATE VIEW file_links AS
    SELECT l.file_id, 1 AS rank, 'paper/' || p.id AS parent, '' AS meeting,
        paper_published(p) AS published, p.deleted AS deleted, p.body_id, p.date::timestamptz AS at
    FROM paper_files l JOIN papers p ON p.id = l.paper_id
    UNION ALL
    SELECT l.file_id, 2, 'agenda_item/' || i.id, m.id::text,
        agenda_item_published(i, m), i.deleted OR m.deleted, m.body_id, m.start_at
    FROM agenda_item_files l JOIN agenda_items i ON i.id = l.agenda_item_id JOIN meetings m ON m.id = i.meeting_id
    UNION ALL
    SELECT l.file_id, 3, 'meeting/' || m.id, '',
        agenda_published(m), m.deleted, m.body_id, m.start_at
    FROM meeting_files l JOIN meetings m ON m.id = l.meeting_id;

-- Files: marked public, attached to something, and everything it is
-- attached to published. Otherwise staff and members of file_orgs see it.
-- +goose StatementBegin
CREATE FUNCTION file_published(f files) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN f.public AND EXISTS (SELECT 1 FROM file_links x WHERE x.file_id = f.id)
        AND NOT EXISTS (SELECT 1 FROM file_links x WHERE x.file_id = f.id AND NOT x.published);
-- +goose StatementEnd

-- file_links_deleted: something the file is attached to is deleted (the
-- file then counts as deleted too).
-- +goose StatementBegin
CREATE FUNCTION file_links_deleted(f files) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN EXISTS (SELECT 1 FROM file_links x WHERE x.file_id = f.id AND x.deleted);
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION file_public(f files) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN file_published(f) AND NOT f.deleted AND NOT file_links_deleted(f);
-- +goose StatementEnd

-- file_orgs: the organizations whose members see a non-public file: a
-- linked paper's lead and consulting bodies, the linked meetings' bodies.
-- +goose StatementBegin
CREATE FUNCTION file_orgs(f files) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(ARRAY(
        SELECT p.lead_org_id FROM paper_files l JOIN papers p ON p.id = l.paper_id
            WHERE l.file_id = f.id AND p.lead_org_id IS NOT NULL
        UNION SELECT c.organization_id FROM paper_files l JOIN consultations c ON c.paper_id = l.paper_id
            WHERE l.file_id = f.id AND NOT c.deleted
        UNION SELECT mo.organization_id FROM meeting_files l JOIN meeting_organizations mo ON mo.meeting_id = l.meeting_id
            WHERE l.file_id = f.id
        UNION SELECT mo.organization_id FROM agenda_item_files l JOIN agenda_items a ON a.id = l.agenda_item_id
            JOIN meeting_organizations mo ON mo.meeting_id = a.meeting_id WHERE l.file_id = f.id), '{}');
-- +goose StatementEnd

-- Persons are public data, their contact data (e-mail, phone) never: the
-- public readers (open-data dumps, OParl) read public_persons, which has
-- no such columns. (The dumps leave out gender and life source too.)
CREATE VIEW public_persons AS
    SELECT id, body_id, family_name, given_name, title, form_of_address, affix, gender, life_source,
        created, modified, deleted
    FROM persons;

-- +goose Down
DROP VIEW public_persons;
DROP FUNCTION file_orgs(files);
DROP FUNCTION file_public(files);
DROP FUNCTION file_links_deleted(files);
DROP FUNCTION file_published(files);
DROP VIEW file_links;
DROP FUNCTION agenda_item_public(agenda_items, meetings);
DROP FUNCTION agenda_item_audience(agenda_items, meetings);
DROP FUNCTION agenda_item_published(agenda_items, meetings);
DROP FUNCTION agenda_public(meetings);
DROP FUNCTION agenda_published(meetings);
DROP FUNCTION paper_visible_to(papers, text, uuid[]);
DROP FUNCTION paper_audience(papers);
DROP FUNCTION paper_public(papers);
DROP FUNCTION paper_published(papers);
DROP FUNCTION viewer_is_staff(text);
