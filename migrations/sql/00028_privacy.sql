-- +goose Up
-- Privacy (issue 20, point 4; docs/DOMAIN.md, "Retention of personal
-- data"; docs/ARCHITECTURE.md, "Privacy"): the retention period of every
-- data class, kept by the city in the back office (/admin/privacy) and
-- enforced by one daily job (package council/privacy); erased accounts;
-- signatures and questions that outlive the link to their account.

-- One row per data class (privacy.Classes names them; a class without a
-- row uses its default). days counts from the class's own start: a
-- login's time, a motion's decision, a question's answer …
CREATE TABLE retention_rules (
    class    text PRIMARY KEY CHECK (class ~ '^[a-z_]+$'),
    days     integer NOT NULL CHECK (days BETWEEN 1 AND 36500),
    modified timestamptz NOT NULL DEFAULT now()
);
INSERT INTO retention_rules (class, days) VALUES
    ('unverified_accounts', 3),
    ('network_addresses', 1),
    ('logins', 90),
    ('signatures', 365),
    ('questions', 180),
    ('moderation', 365),
    ('live_presence', 30),
    ('mail', 30);

-- An erased account (Art. 17 DSGVO): the row stays as the pseudonym that
-- the public record (motions, questions, the audit trail) points to;
-- every personal column is overwritten when erased is set.
ALTER TABLE users ADD COLUMN erased timestamptz;

-- A signature whose retention ended (or whose account was erased) keeps
-- counting without naming its signer: user_id becomes NULL. Each account
-- still signs a motion once (the retention starts only once signing has
-- closed, and an erased account cannot sign).
ALTER TABLE initiative_signatures DROP CONSTRAINT initiative_signatures_pkey;
ALTER TABLE initiative_signatures ALTER COLUMN user_id DROP NOT NULL;
CREATE UNIQUE INDEX initiative_signatures_once ON initiative_signatures (initiative_id, user_id);

-- A question whose retention ended is no longer linked to its asker.
ALTER TABLE questions ALTER COLUMN asker_id DROP NOT NULL;

-- +goose Down
DELETE FROM questions WHERE asker_id IS NULL;
ALTER TABLE questions ALTER COLUMN asker_id SET NOT NULL;
DROP INDEX initiative_signatures_once;
DELETE FROM initiative_signatures WHERE user_id IS NULL;
ALTER TABLE initiative_signatures ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE initiative_signatures ADD PRIMARY KEY (initiative_id, user_id);
ALTER TABLE users DROP COLUMN erased;
DROP TABLE retention_rules;
