# Reporters for sluice check.
libsluice_a_SOURCES += \
	core/report.c core/report.h core/report_ci.c core/report_verdict.c \
	core/report_gitlab.c core/report_junit.c
