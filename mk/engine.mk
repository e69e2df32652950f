# The engine's spine: data model, parsing, schema model, locks, judge.
libsluice_a_SOURCES += \
	core/util.c core/util.h \
	core/types.c core/types.h \
	core/model.c core/model.h \
	core/tree.c core/tree.h core/tree_json.c \
	core/parse.c core/parse.h \
	core/parseahead.c core/parseahead.h core/parallel.c core/parallel.h \
	core/schema.c core/schema.h core/schema_lookup.c core/schema_lookup.h \
	core/typechange.c core/typechange.h core/textdiff.c core/textdiff.h \
	core/locks.c core/judge.c core/judge.h core/ignore.c core/ignore.h \
	core/rules/rules.c core/rules/rules.h

# Unit tests link the engine directly.
check_PROGRAMS += tests/unit-rules tests/unit-parse
tests_unit_rules_SOURCES = tests/unit-rules.c tests/tap.h
tests_unit_rules_LDADD = $(LIBSLUICE_LIBS)
tests_unit_parse_SOURCES = tests/unit-parse.c tests/tap.h
tests_unit_parse_LDADD = $(LIBSLUICE_LIBS)
# The one place sluice starts another program (argv, never a shell).
libsluice_a_SOURCES += core/run_command.c core/run_command.h
check_PROGRAMS += tests/unit-shadow-trust
tests_unit_shadow_trust_SOURCES = tests/unit-shadow-trust.c tests/tap.h
tests_unit_shadow_trust_LDADD = $(LIBSLUICE_LIBS)
libsluice_a_SOURCES += core/heap.c core/heap.h
# unit-read: whole files read by strbuf_read_file/_regular, with the end-of-file read skipped.
check_PROGRAMS += tests/unit-read
tests_unit_read_SOURCES = tests/unit-read.c tests/tap.h
tests_unit_read_LDADD = $(LIBSLUICE_LIBS)
