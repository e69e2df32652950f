/*
 * gitprobe.h - whether libgit2 could find anything, asked without it.
 *
 * libgit2 and the 15 libraries it pulls in are opened on first use
 * (core/discover/git_shim.c). `sluice check DIR` outside any repository
 * would still open them to learn that there is no repository and that the
 * user's git config sets no sluice.* key; these answer both from the file
 * system. Each errs towards "maybe": then libgit2 decides, as always.
 * Its callers are the settings (core/settings.c) and the CLI
 * (cli/cmd_tui.c), not discovery, so it sits at the top of core/.
 */
#ifndef SLUICE_GITPROBE_H
#define SLUICE_GITPROBE_H

#include <stdbool.h>

/* Whether libgit2's discovery might find a repository at dir or above. */
bool gitprobe_maybe_in_repo(const char *dir);

/*
 * Whether the git config files libgit2 reads outside a repository might
 * set a sluice.* key: one of them names "sluice" or "include" (which could
 * bring in another file), in any case, or cannot be read.
 */
bool gitprobe_user_config_maybe_sluice(void);

#endif
