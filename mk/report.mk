# Reporters for sluice check.
libsluice_a_SOURCES += \
	core/report.c core/report.h core/report_ci.c core/report_verdict.c \
	core/report_gitlab.c core/report_junit.c core/json_print.c core/json_print.h
# unit-json-print: the JSON report's printer writes what cJSON_Print writes.
check_PROGRAMS += tests/unit-json-print
tests_unit_json_print_SOURCES = tests/unit-json-print.c tests/tap.h
tests_unit_json_print_LDADD = $(LIBSLUICE_LIBS)
