# The database side (libpq): live statistics, the shadow database with
# traced locks and the up/down round trip, drift.
libsluice_a_SOURCES += \
	core/db.c core/db.h core/db_catalog.c core/db_catalog.h core/db_mask.c \
	core/shadow.c core/shadow.h core/shadow_cluster.c
libsluice_a_SOURCES += \
	core/shadow_verify.c core/shadow_verify.h core/rules_db.c \
	core/shadow_seed.c core/shadow_seed.h
# The application's statements replayed between migrations (app_sql.h).
libsluice_a_SOURCES += \
	core/app_sql.c core/app_sql.h core/shadow_replay.c core/xref_sql.c
libsluice_a_SOURCES += \
	core/shadow_trust.c core/shadow_trust.h
libsluice_a_SOURCES += \
	core/db_report.c core/db_check.c core/db_check.h core/drift.c core/drift.h
sluice_SOURCES += cli/cmd_drift.c
# libpq is opened on first use, not linked (core/dynlib.h).
libsluice_a_SOURCES += core/dynlib.c core/dynlib.h core/pq_shim.c

check_PROGRAMS += tests/unit-db
tests_unit_db_SOURCES = tests/unit-db.c tests/tap.h
tests_unit_db_LDADD = $(LIBSLUICE_LIBS)
