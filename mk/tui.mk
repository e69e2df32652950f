# The program, the ncurses frame, views and themes.
sluice_SOURCES += cli/main.c cli/commands.h cli/cmd_check.c cli/cmd_tui.c
