-- policy-changed is reported on .sluice itself, in a branch comparison whose
-- branch changes the .sluice policy it would be judged by (core/policy.c;
-- tests/t-trust-settings.sh shows it: failOn, disable and base changed by a
-- pull request). Judged alone, a migration never fires it, not even one
-- that looks like a policy.
-- test: history
CREATE TABLE settings (key text PRIMARY KEY, value text);
-- test: up
-- near miss: SQL that writes something called a policy is not a .sluice change
INSERT INTO settings VALUES ('sluice.failOn', 'BLOCKER');
-- near miss: nor is a comment naming the keys
-- sluice.disable = create-index-nonconcurrent
UPDATE settings SET value = 'LOW' WHERE key = 'failOn';
