# Navigating the workbench (issue 15): the filter, re-judging edited files.
libsluice_a_SOURCES += core/filter.c core/filter.h core/rejudge.c core/rejudge.h \
	core/discover/basediff.c
# unit-navigate: the filter on judged migrations; file stamps; following a statement
# across an edit; a file against the base branch.
check_PROGRAMS += tests/unit-navigate
tests_unit_navigate_SOURCES = tests/unit-navigate.c tests/tap.h
tests_unit_navigate_LDADD = $(LIBSLUICE_LIBS)
# The workbench's side: the filter's rows, re-judging, the hint line, the base diff.
libsluiceui_a_SOURCES += tui/navigate.h tui/filtering.c tui/rejudging.c tui/hints.c views/basediff.c
