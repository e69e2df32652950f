# Severity by consequence and table size: lock-time estimates, one finding
# per hazard per statement, statistics snapshots (sluice stats, --stats).
libsluice_a_SOURCES += \
	core/estimate.c core/estimate.h core/judge_merge.c \
	core/stats.c core/stats.h core/db/db_stats.c
sluice_SOURCES += cli/cmd_stats.c

check_PROGRAMS += tests/unit-ladder
tests_unit_ladder_SOURCES = tests/unit-ladder.c tests/tap.h
tests_unit_ladder_LDADD = $(LIBSLUICE_LIBS)
