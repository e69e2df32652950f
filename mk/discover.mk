# Discovery: layouts, pairing, pending migrations through libgit2; settings.
libsluice_a_SOURCES += \
	core/discover.c core/discover.h core/discover_int.h \
	core/discover_layout.c core/gitrepo.c \
	core/settings.c core/settings.h \
	core/check.c core/check.h
