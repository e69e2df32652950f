# Navigating the workbench (issue 15): the filter, re-judging edited files.
libsluice_a_SOURCES += core/filter.c core/filter.h core/rejudge.c core/rejudge.h
# unit-filter: the filter on judged migrations; file stamps; following a statement across an edit.
check_PROGRAMS += tests/unit-filter
tests_unit_filter_SOURCES = tests/unit-filter.c tests/tap.h
tests_unit_filter_LDADD = $(LIBSLUICE_LIBS)
