-- shadow-unverifiable is raised only by the shadow database (sluice
-- verify), for a statement it does not run because it reaches beyond the
-- scratch database (tests/t-shadow-trust.sh). Statically it never fires,
-- not even on the statements the shadow refuses. Near misses:
-- test: up
DROP DATABASE victim;
ALTER ROLE app SUPERUSER;
ALTER SYSTEM SET work_mem = '1GB';
COPY (SELECT 1) TO PROGRAM 'touch /tmp/x';
