# The app-code cross-check (core/xref*.c): which application code uses the
# tables and columns a migration drops, renames, retypes or makes NOT NULL.
libsluice_a_SOURCES += \
	core/xref/xref.c core/xref/xref.h core/xref/xref_int.h \
	core/xref/xref_extract.c core/xref/xref_files.c core/xref/xref_lex.c \
	core/xref/xref_match.c core/xref/xref_scopes.c core/xref/xref_compat.c \
	core/rules/rules_xref.c
# The application's SQL statements, found for the shadow database to replay
# (core/app_sql.h: what one is, shared by xref, db and draft).
libsluice_a_SOURCES += core/xref/xref_sql.c core/app_sql.c core/app_sql.h

# unit-xref: unit checks of the matcher with no arguments; with arguments, a
# driver that runs the cross-check for the t-xref-*.sh tests and the bench.
check_PROGRAMS += tests/unit-xref
tests_unit_xref_SOURCES = tests/unit-xref.c tests/tap.h
tests_unit_xref_LDADD = $(LIBSLUICE_LIBS)
