#!/bin/sh
# t-fuzz-regress.sh - inputs the libFuzzer targets crashed on, judged
# through the CLI: each must be judged, never abort; and the targets
# still compile.
. "$SLUICE_SRC/tests/lib.sh"

# fuzz-judge: a PL/pgSQL function with no AS body made libpg_query's
# pg_query_parse_plpgsql() abort on an assertion (exit 134)
printf 'CREATE FUNCTION broken() RETURNS void LANGUAGE plpgsql;\n' >nobody.sql
expect_exit "a PL/pgSQL function with no body: judged, no abort" 1 "$SLUICE" check --fail-on MEDIUM nobody.sql
expect_contains "... as a function PostgreSQL refuses" "$(cat "$T/.out")" "plpgsql-unreadable"
expect_contains "... saying why" "$(cat "$T/.out")" "has no body"
expect_exit "the fuzzer's own input: judged, no abort" 1 \
	"$SLUICE" check --fail-on MEDIUM "$SLUICE_SRC/fuzz/corpus-judge/crash-plpgsql-no-body"

# The targets themselves still compile against the engine's headers (they
# are built only by ./dev fuzz, so nothing else would notice).
expect_exit "the fuzz targets compile against the engine" 0 make -s -C "$SLUICE_BUILD" fuzz-syntax
finish
