# Discovery: layouts, pairing, pending migrations through libgit2; settings.
libsluice_a_SOURCES += \
	core/discover.c core/discover.h \
	core/settings.c core/settings.h \
	core/check.c core/check.h
