# draft sources: built-in safe-pattern drafts, down migrations, runbooks,
# and accepting a draft into the repository (one libgit2 commit).
libsluice_a_SOURCES += \
	core/draft.c core/draft.h core/draft_int.h \
	core/draft_shadow.c core/draft_shadow.h core/draft_run.c \
	core/draft_sql.c core/draft_layout.c core/draft_down.c core/draft_down_history.c \
	core/draft_split.c core/draft_split_int.h \
	core/draft_rw_index.c core/draft_rw_alter.c core/draft_rw_column.c \
	core/draft_rw_constraint.c core/draft_rw_rename.c core/draft_rw_batch.c \
	core/draft_deps.c core/draft_deps.h core/draft_rw_swap.c core/draft_rw_drop.c \
	core/draft_subset.c core/draft_subset.h \
	core/runbook.c core/runbook_steps.c \
	core/commit.c core/commit.h \
	core/textdiff.c core/textdiff.h
sluice_SOURCES += cli/cmd_draft.c

# unit-draft: identifier quoting and runbook estimates from table statistics.
check_PROGRAMS += tests/unit-draft
tests_unit_draft_SOURCES = tests/unit-draft.c tests/tap.h
tests_unit_draft_LDADD = $(LIBSLUICE_LIBS)

# unit-textdiff: the draft screen's line diff.
check_PROGRAMS += tests/unit-textdiff
tests_unit_textdiff_SOURCES = tests/unit-textdiff.c tests/tap.h
tests_unit_textdiff_LDADD = $(LIBSLUICE_LIBS)

# Placeholders for values only a person can choose, and --set.
libsluice_a_SOURCES += core/draft_input.c core/draft_input.h
