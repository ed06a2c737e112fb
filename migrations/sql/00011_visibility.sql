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
-- The bodies are strings (AS $$ … $$), not SQL-standard RETURN bodies: a
-- RETURN body records a dependency on the table's row type, and PostgreSQL
-- then refuses every later ALTER TABLE of papers, meetings or agenda_items
-- (even ADD COLUMN; migration 00012 adds columns). Both forms are inlined
-- alike.
--
-- Files, whose rule needs subqueries, are views (published_files,
-- public_files, file_visibility).
-- The row-only functions are single expressions: PostgreSQL inlines them,
-- so a query using them plans exactly as with the expression written out
-- (the partial indexes on NOT deleted still match). A new non-public state
-- is one more condition in one function here, through a new migration
-- with CREATE OR REPLACE FUNCTION, plus a marker in
-- TestVisibilityEveryPublicReader (web).

-- +goose StatementBegin
CREATE FUNCTION viewer_is_staff(viewer_role text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT viewer_role IN ('clerk', 'admin') $$;
-- +goose StatementEnd

-- Papers: public and submitted (a draft is seen by staff only).
-- +goose StatementBegin
CREATE FUNCTION paper_published(p papers) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT p.public AND p.status <> 'draft' $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION paper_public(p papers) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT paper_published(p) AND NOT p.deleted $$;
-- +goose StatementEnd

-- A non-public, submitted paper is seen by members of the organizations on
-- its consultation path; a draft by staff only.
-- +goose StatementBegin
CREATE FUNCTION paper_audience(p papers) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN paper_published(p) THEN 'public' WHEN p.status <> 'draft' THEN 'members' ELSE 'staff' END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION paper_visible_to(p papers, viewer_role text, viewer_orgs uuid[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NOT p.deleted AND (paper_published(p) OR viewer_is_staff(viewer_role)
        OR (paper_audience(p) = 'members' AND viewer_role = 'member' AND EXISTS (
            SELECT 1 FROM consultations c WHERE c.paper_id = p.id AND NOT c.deleted
                AND c.organization_id = ANY (viewer_orgs)))) $$;
-- +goose StatementEnd

-- Meetings are public data; their agenda is published with the invitation
-- (every state after 'planned').
-- +goose StatementBegin
CREATE FUNCTION agenda_published(m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT m.state <> 'planned' $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION agenda_public(m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT agenda_published(m) AND NOT m.deleted $$;
-- +goose StatementEnd

-- Agenda items: a public item on a published agenda. A non-public item
-- shows only its number and the neutral title (meetings.AgendaItem.ForViewer).
-- +goose StatementBegin
CREATE FUNCTION agenda_item_published(i agenda_items, m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT i.public AND agenda_published(m) $$;
-- +goose StatementEnd

-- The members of the meeting's organizations see a non-public item of a
-- published agenda; an agenda not yet published is seen by staff only.
-- +goose StatementBegin
CREATE FUNCTION agenda_item_audience(i agenda_items, m meetings) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN agenda_item_published(i, m) THEN 'public' WHEN agenda_published(m) THEN 'members' ELSE 'staff' END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION agenda_item_public(i agenda_items, m meetings) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT agenda_item_published(i, m) AND NOT i.deleted AND NOT m.deleted $$;
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

-- Files: published when marked public, attached to something, and
-- everything it is attached to published; public when also neither it nor
-- anything it is attached to is deleted (links_deleted: the file then
-- counts as deleted too). Otherwise staff and members of its orgs see it:
-- a linked paper's lead and consulting bodies, the linked meetings'
-- bodies. Views, not functions: a SQL function with subqueries is not
-- inlined and PostgreSQL 15 plans its body on every call, while a view's
-- WHERE is pulled into the reader's query, where EXISTS becomes a semi or
-- anti join as if written out. The views select f.*: a migration that adds
-- a column to files recreates them.
CREATE VIEW published_files AS
    SELECT f.*, EXISTS (SELECT 1 FROM file_links x WHERE x.file_id = f.id AND x.deleted) AS links_deleted
    FROM files f
    WHERE f.public AND EXISTS (SELECT 1 FROM file_links x WHERE x.file_id = f.id)
        AND NOT EXISTS (SELECT 1 FROM file_links x WHERE x.file_id = f.id AND NOT x.published);

CREATE VIEW public_files AS
    SELECT * FROM published_files f
    WHERE NOT f.deleted AND NOT EXISTS (SELECT 1 FROM file_links x WHERE x.file_id = f.id AND x.deleted);

-- file_visibility is the same rule per file, for readers of single files
-- (documents.Store.Access) and of all files with their organizations
-- (search loading): public_unless_deleted is public_files' rule with the
-- file's own deletion set apart (a deleted public file answers 410 Gone).
CREATE VIEW file_visibility AS
    SELECT f.id AS file_id, p.id IS NOT NULL AND NOT p.links_deleted AS public_unless_deleted,
        ARRAY(
            SELECT pa.lead_org_id FROM paper_files l JOIN papers pa ON pa.id = l.paper_id
                WHERE l.file_id = f.id AND pa.lead_org_id IS NOT NULL
            UNION SELECT c.organization_id FROM paper_files l JOIN consultations c ON c.paper_id = l.paper_id
                WHERE l.file_id = f.id AND NOT c.deleted
            UNION SELECT mo.organization_id FROM meeting_files l JOIN meeting_organizations mo ON mo.meeting_id = l.meeting_id
                WHERE l.file_id = f.id
            UNION SELECT mo.organization_id FROM agenda_item_files l JOIN agenda_items a ON a.id = l.agenda_item_id
                JOIN meeting_organizations mo ON mo.meeting_id = a.meeting_id WHERE l.file_id = f.id) AS orgs
    FROM files f LEFT JOIN published_files p ON p.id = f.id;

-- Persons are public data, their contact data (e-mail, phone) never: the
-- public readers (open-data dumps, OParl) read public_persons, which has
-- no such columns. (The dumps leave out gender and life source too.)
CREATE VIEW public_persons AS
    SELECT id, body_id, family_name, given_name, title, form_of_address, affix, gender, life_source,
        created, modified, deleted
    FROM persons;

-- +goose Down
DROP VIEW public_persons;
DROP VIEW file_visibility;
DROP VIEW public_files;
DROP VIEW published_files;
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
