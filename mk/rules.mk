# The rule catalogue: one file per family (see core/rules.c).
libsluice_a_SOURCES += \
	core/rules_meta.c core/rules_index.c core/rules_column.c \
	core/rules_constraint.c core/rules_table.c core/rules_data.c \
	core/rules_txn.c core/rules_types.c core/rules_rollback.c \
	core/rules_plpgsql.c core/rules_history.c \
	core/rules_hazards.c
libsluice_a_SOURCES += core/rules_draft.c
