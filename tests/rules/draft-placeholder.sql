-- test: history
CREATE TABLE users (id bigint PRIMARY KEY, email text);
-- test: up
-- expect: draft-placeholder HIGH
ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT sluice_draft_placeholder('users.plan');
-- not the first statement, and no transaction: the one before it stays applied
-- expect: draft-placeholder BLOCKER
UPDATE users SET plan = SLUICE_DRAFT_PLACEHOLDER ('users.plan') WHERE plan IS NULL;
-- the placeholder older drafts wrote: a backfill that stops with a message
-- expect: draft-placeholder BLOCKER
DO $$
BEGIN
  RAISE EXCEPTION 'sluice draft: choose the value of users.plan for existing rows, then edit this backfill';
END $$;
-- near miss: the value was chosen
ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';
-- near miss: a function whose name only starts like it, and the words without the call
SELECT sluice_draft_placeholders_report();
COMMENT ON COLUMN users.tier IS 'was a sluice_draft_placeholder once';
