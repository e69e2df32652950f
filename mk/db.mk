# The database side (libpq): live statistics, the shadow database with
# traced locks and the up/down round trip, drift.
libsluice_a_SOURCES += \
	core/db/db.c core/db/db.h core/db/db_catalog.c core/db/db_catalog_int.h core/db/db_mask.c \
	core/db/shadow.c core/db/shadow_cluster.c
libsluice_a_SOURCES += \
	core/db/shadow_verify.c core/rules/rules_db.c \
	core/db/shadow_seed.c
# The application's statements replayed between migrations (core/app_sql.h
# says what they are; core/xref/xref_sql.c finds them, see mk/xref.mk).
libsluice_a_SOURCES += core/db/shadow_replay.c
libsluice_a_SOURCES += \
	core/db/shadow_trust.c core/db/shadow_trust_int.h core/db/shadow_reap.c
libsluice_a_SOURCES += \
	core/db/db_report.c core/db/db_check.c core/db/drift.c
sluice_SOURCES += cli/cmd_drift.c
# libpq is opened on first use, not linked (core/dynlib.h).
libsluice_a_SOURCES += core/dynlib.c core/dynlib.h core/db/pq_shim.c

check_PROGRAMS += tests/unit-db
tests_unit_db_SOURCES = tests/unit-db.c tests/tap.h
tests_unit_db_LDADD = $(LIBSLUICE_LIBS)
