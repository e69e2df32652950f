# draft sources: built-in safe-pattern drafts, down migrations, runbooks,
# and accepting a draft into the repository (one libgit2 commit).
libsluice_a_SOURCES += \
	core/draft/draft.c core/draft/draft.h core/draft/draft_int.h \
	core/draft/draft_shadow.c core/draft/draft_run.c \
	core/draft/draft_sql.c core/draft/draft_layout.c core/draft/draft_down.c core/draft/draft_down_history.c \
	core/draft/draft_split.c core/draft/draft_split_int.h \
	core/draft/draft_base.c core/draft/draft_unit.c core/draft/draft_unit_int.h \
	core/draft/draft_backfill.c core/draft/draft_steps.c \
	core/draft/draft_rw_index.c core/draft/draft_rw_alter.c core/draft/draft_rw_column.c \
	core/draft/draft_rw_constraint.c core/draft/draft_rw_rename.c core/draft/draft_rw_batch.c \
	core/draft/draft_deps.c core/draft/draft_deps_int.h core/draft/draft_rw_swap.c core/draft/draft_rw_drop.c \
	core/draft/draft_subset.c \
	core/draft/runbook.c core/draft/runbook_steps.c \
	core/draft/commit.c
sluice_SOURCES += cli/cmd_draft.c

# unit-draft: identifier quoting and runbook estimates from table statistics.
check_PROGRAMS += tests/unit-draft
tests_unit_draft_SOURCES = tests/unit-draft.c tests/tap.h
tests_unit_draft_LDADD = $(LIBSLUICE_LIBS)

# unit-textdiff: the line diff of the draft screen and the base diff (core/textdiff.c).
check_PROGRAMS += tests/unit-textdiff
tests_unit_textdiff_SOURCES = tests/unit-textdiff.c tests/tap.h
tests_unit_textdiff_LDADD = $(LIBSLUICE_LIBS)

# Placeholders for values only a person can choose, and --set.
libsluice_a_SOURCES += core/draft/draft_input.c
