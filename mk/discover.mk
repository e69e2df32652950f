# Discovery: layouts, pairing, pending migrations through libgit2; settings.
libsluice_a_SOURCES += \
	core/discover/discover.c core/discover/discover.h core/discover/discover_int.h \
	core/discover/discover_layout.c core/discover/gitrepo.c \
	core/discover/discover_liquibase.c core/discover/discover_drizzle.c core/discover/discover_tool.c \
	core/settings.c core/settings.h \
	core/policy.c core/policy.h \
	core/check.c core/check.h
# libgit2 is opened on first use, not linked (core/dynlib.h).
libsluice_a_SOURCES += core/discover/git_shim.c core/gitprobe.c core/gitprobe.h

check_PROGRAMS += tests/unit-discover
tests_unit_discover_SOURCES = tests/unit-discover.c tests/tap.h
tests_unit_discover_LDADD = $(LIBSLUICE_LIBS)

# Migrations that are not SQL: the SQL their tools print (sqlgen_prepare(), discover.h).
libsluice_a_SOURCES += \
	core/discover/sqlgen.c core/discover/sqlgen_int.h \
	core/discover/sqlgen_django.c core/discover/sqlgen_alembic.c core/discover/sqlgen_knex.c \
	core/discover/sqlgen_cache.c
