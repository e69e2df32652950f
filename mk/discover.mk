# Discovery: layouts, pairing, pending migrations through libgit2; settings.
libsluice_a_SOURCES += \
	core/discover.c core/discover.h core/discover_int.h \
	core/discover_layout.c core/gitrepo.c \
	core/discover_liquibase.c core/discover_drizzle.c core/discover_tool.c \
	core/settings.c core/settings.h \
	core/policy.c core/policy.h \
	core/check.c core/check.h

check_PROGRAMS += tests/unit-discover
tests_unit_discover_SOURCES = tests/unit-discover.c tests/tap.h
tests_unit_discover_LDADD = $(LIBSLUICE_LIBS)

# Migrations that are not SQL: the SQL their tools print (core/sqlgen.h).
libsluice_a_SOURCES += \
	core/sqlgen.c core/sqlgen.h core/sqlgen_int.h \
	core/sqlgen_django.c core/sqlgen_alembic.c core/sqlgen_knex.c
