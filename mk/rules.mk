# The rule catalogue: one file per family (see core/rules/rules.c).
libsluice_a_SOURCES += \
	core/rules/rules_meta.c core/rules/rules_index.c core/rules/rules_column.c \
	core/rules/rules_constraint.c core/rules/rules_table.c core/rules/rules_data.c \
	core/rules/rules_txn.c core/rules/rules_types.c core/rules/rules_rollback.c \
	core/rules/rules_plpgsql.c core/rules/rules_history.c \
	core/rules/rules_hazards.c
libsluice_a_SOURCES += core/rules/rules_draft.c
