# The program, the ncurses frame, views and themes.
sluice_SOURCES += cli/main.c cli/commands.h cli/cmd_check.c cli/cmd_tui.c cli/cmd_mcp.c cli/tls_certs.c
# cli/tls_certs.c's functions stand in for libgit2's dependencies' own. The
# linker exports a program's symbols only when a library linked with it
# uses them; libgit2 is opened later (dlopen), so they are named here.
sluice_LDFLAGS = -Wl,--export-dynamic-symbol=mbedtls_x509_crt_parse_file \
	-Wl,--export-dynamic-symbol=libssh2_init
sluice_SOURCES += cli/cmd_undo.c

# tui/: the frame (the only code that talks to ncurses is tui/display.c).
libsluiceui_a_SOURCES += \
	themes/roles.c themes/roles.h \
	tui/text.c tui/text.h \
	tui/display.c tui/display.h \
	tui/keys.c tui/keys.h \
	tui/view.c tui/view.h \
	tui/app.c tui/app.h \
	tui/loop.c tui/scan.c tui/script.c \
	tui/drafting.c tui/drafting.h tui/draftshadow.c \
	tui/driftwork.c tui/worker.c tui/worker.h \
	tui/job.c tui/job.h views/views.h tui/copying.c
libsluiceui_a_SOURCES += tui/accepting.c views/confirm.c
libsluiceui_a_SOURCES += views/verdict.c views/preview.c

# views/: one file per screen or pane.
libsluiceui_a_SOURCES += views/list.c views/sql.c views/info.c views/refs.c views/help.c \
	views/draft.c views/runbook.c
libsluiceui_a_SOURCES += views/drift.c

# themes/: built-in themes and the theme-file loader.
libsluiceui_a_SOURCES += themes/theme.c themes/theme.h

sluice_LDADD += -lpthread
