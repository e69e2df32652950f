/*
 * model.h - what sluice judges and what it says about it.
 *
 *   struct migration    one logical migration: an id, a framework, an up
 *                       script and (maybe) a down script
 *   struct script       the text of one direction of a migration, with the
 *                       line it starts on (goose and dbmate keep up and down
 *                       in one file) and whether the framework wraps it in a
 *                       transaction
 *   struct stmt         one statement of a script after parsing and judging
 *   struct finding      one thing a rule found about a statement (or a file)
 *   struct file_report  a judged script: statements plus file-level findings,
 *                       the ignore comments it holds and what the
 *                       cross-check found about the application code
 *
 * Every part of sluice (check, the TUI, drafts, the shadow database) reads
 * these; core/judge.c fills them.
 */
#ifndef SLUICE_MODEL_H
#define SLUICE_MODEL_H

#include <stddef.h>
#include <stdbool.h>
#include "types.h"
#include "util.h"

struct cJSON;

/*
 * One row per framework: everything sluice knows about a tool that is not
 * about file names (those are in core/discover/discover_layout.c, each with its
 * source cited). Columns:
 *   txn      it runs a file in one transaction by default (golang-migrate
 *            does not itself, but its postgres driver runs a multi-statement
 *            file as one implicit transaction, a one-statement file outside
 *            any: several_statements() in discover_layout.c; Flyway decides
 *            per file from its statements: flyway_txn())
 *   downs    it runs down migrations (down-missing is asked only there, and
 *            only where the repository writes them)
 *   byver    it records only the version applied, so a renamed file is harmless
 *   notxn    the comment that makes it run a file outside a transaction
 *   apply    the command that applies one pending migration (runbooks)
 */
#define FRAMEWORK_INFO(X) \
	X(FW_PLAIN, "plain", false, false, false, NULL, \
	  "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f FILE") \
	X(FW_GOLANG_MIGRATE, "golang-migrate", true, true, true, NULL, \
	  "migrate -path DIR -database \"$DATABASE_URL\" goto VERSION") \
	X(FW_GOOSE, "goose", true, true, true, "-- +goose NO TRANSACTION\n", \
	  "goose -dir DIR postgres \"$DATABASE_URL\" up-to VERSION") \
	X(FW_DBMATE, "dbmate", true, true, true, NULL, \
	  "dbmate up (applies all pending; run between steps)") \
	X(FW_FLYWAY, "flyway", true, false, false, NULL, "flyway migrate -target=VERSION") \
	X(FW_SQITCH, "sqitch", false, true, false, NULL, \
	  "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f FILE") \
	X(FW_PRISMA, "prisma", true, false, false, NULL, "prisma migrate deploy") \
	X(FW_SUPABASE, "supabase", true, false, true, NULL, \
	  "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f FILE") \
	X(FW_DIESEL, "diesel", true, true, true, NULL, \
	  "diesel migration run (one pending at a time: commit steps separately)") \
	X(FW_SQLX, "sqlx", true, false, true, "-- no-transaction\n", \
	  "sqlx migrate run --target-version VERSION") \
	X(FW_ATLAS, "atlas", true, false, true, NULL, \
	  "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f FILE") \
	X(FW_POP, "pop", true, true, true, NULL, "soda migrate up") \
	X(FW_SYNAPSE, "synapse", true, false, false, NULL, \
	  "start Synapse: it applies every pending delta at start-up, in one transaction") \
	X(FW_LIQUIBASE, "liquibase", true, true, false, NULL, "liquibase update-count 1") \
	X(FW_DRIZZLE, "drizzle", true, false, false, NULL, \
	  "drizzle-kit migrate (applies all pending, in one transaction)") \
	X(FW_SQLFROM, "sqlFrom", false, false, false, NULL, \
	  "the project's own migration command") \
	X(FW_DJANGO, "django", true, true, false, NULL, "python manage.py migrate APP NAME") \
	X(FW_ALEMBIC, "alembic", true, true, false, NULL, "alembic upgrade REVISION") \
	X(FW_KNEX, "knex", true, true, false, NULL, "knex migrate:up NAME") \
	X(FW_RAILS, "rails", true, true, true, NULL, \
	  "bin/rails db:migrate:up VERSION=VERSION")

enum framework {
#define X(id, name, txn, downs, byver, notxn, apply) id,
	FRAMEWORK_INFO(X)
#undef X
	FW__COUNT
};
const char *framework_name(enum framework fw);
bool framework_runs_downs(enum framework fw);
bool framework_keyed_by_version(enum framework fw);
const char *framework_no_txn_marker(enum framework fw);   /* NULL: none */
const char *framework_apply_command(enum framework fw);

enum direction { DIR_UP, DIR_DOWN, DIR_REPEATABLE, DIR_VERIFY };
const char *direction_name(enum direction d);

/*
 * An applied migration git sees renamed on this branch (core/discover/gitrepo.c):
 * where it was at the merge-base, and the version and name that path gave.
 */
struct file_rename {
	char *path, *id, *name;
};

/*
 * A script whose text is not the file's own but SQL made from it: translated
 * by sluice from another language (a Rails migration's Ruby,
 * core/discover/rails.c) or printed by a tool (Django's sqlmigrate, Alembic,
 * knex, sluice.sqlFrom: core/discover/sqlgen.c). Each line of that text
 * comes from a line of the file, so that statements, findings and the
 * workbench's numbering point at the Ruby, Python or JavaScript
 * (script_line()). In a translation, a call that could not be translated
 * stands in the text as a line of its own, not parsed: untranslated[] says why.
 */
struct script_origin {
	int *line;           /* [text line - 1]: the file's line */
	size_t nr;
	bool translated;     /* sluice made the SQL; false: a tool printed it, and its
				text is checked as any SQL is (UTF-8) */
	/* a translation's only (NULL, 0 for a tool's): */
	char **untranslated; /* [text line - 1]: NULL, or why the call there is not judged */
	char **source;       /* [text line - 1]: that call's source, shown as the statement */
	size_t *off;         /* [text line - 1]: where the line starts in the text */
	int not_utf8_line;   /* the file stops being UTF-8 on this line; 0: it is UTF-8 */
	char *error;         /* the file could not be translated at all: why */
};

struct script {
	char *path;          /* repository-relative where known */
	char *text;          /* the script's own text (a section for goose) */
	size_t len;
	int first_line;      /* line of `text` in the file, 1-based */
	enum direction dir;
	bool in_txn;         /* the framework runs it inside a transaction */
	bool implicit_txn;   /* ... only because it is sent as one multi-statement query */
	int mixed_line;      /* Flyway: a file mixing statements it runs outside a transaction
				(the first one's line) with transactional ones; 0: not mixed */
	bool mixed_refused;  /* ... which Flyway refuses to run (flyway.mixed=false) */
	bool from_worktree;  /* uncommitted / untracked */
	struct file_rename *renamed; /* NULL unless renamed from an applied migration */
	bool changed;        /* this file existed on the base and was modified on the branch */
	char *generated_by;  /* the command that printed it, for messages */
	struct script_origin *origin; /* NULL: the text is the file's own */
};

struct migration {
	char *id;            /* version or timestamp, sortable */
	char *name;
	enum framework fw;
	struct script *up;   /* NULL when only a down exists */
	struct script *down; /* NULL when missing */
	bool pending;        /* new or changed on this branch */
	bool changed;        /* existed on the base and was modified */
	bool downs_unused;   /* most migrations of its directory have no down: the
				repository does not use downs (discover_finish) */
};

struct finding {
	const char *rule;    /* rule id, e.g. "create-index-nonconcurrent" */
	enum severity sev;
	enum stmt_class cls; /* what the finding makes of the statement */
	unsigned categories; /* CATBIT(...) */
	char *message;       /* one line: why */
	char *fix;           /* the safer alternative */
	char *ignored;       /* non-NULL: suppressed by an ignore; the reason */
	int line;            /* for file-level findings; 0 means the stmt's */
};

/* A reference from application code to a schema element (core/xref/xref.c). */
struct app_ref {
	char *path;
	int line;
	char *text;          /* the line, trimmed */
	char *ident;         /* what matched */
	int confidence;      /* XREF_SQL, XREF_ORM, XREF_BARE */
};

struct stmt {
	int line, end_line;  /* 1-based, in the file */
	size_t off, len;     /* bytes in script->text */
	char *sql;           /* the statement's text */
	struct cJSON *tree;  /* libpg_query's node, e.g. {"IndexStmt":{...}}; one
				block (tree_json.c): read it, free it whole, never
				detach or delete a part of it */
	const char *kind;    /* node name, "IndexStmt"; NULL when unparsed */
	char *parse_error;   /* the parser's message when it did not parse */
	char *comments;      /* comment text just before the statement */
	char *table;         /* main relation, schema-qualified when given */
	enum lock_mode lock;
	bool rewrite;        /* rewrites the table */
	bool scan;           /* scans the whole table while locked */
	bool in_txn;         /* runs inside a transaction */
	bool new_table;      /* table created earlier in this migration */
	enum stmt_class cls;
	enum severity sev;   /* worst unsuppressed finding */
	struct finding *findings;
	size_t nr_findings, alloc_findings;
	struct app_ref *refs;
	size_t nr_refs, alloc_refs;
	/* A DO block's or PL/pgSQL function's body, parsed by the parse
	 * workers (plpgsql_prepare) for rules_plpgsql.c, which takes it. */
	struct cJSON *body_tree;
	char *body_error;
	bool body_parsed;
};

/*
 * An ignore comment (core/ignore.c), read from the script before any rule
 * runs and applied after the last one, so that a finding raised by any
 * stage (the rules, the cross-check, the shadow) is matched the same way.
 */
struct ignore {
	char *rule;          /* our id, or "all" */
	char *reason;        /* NULL: none given */
	int line;            /* of the comment */
	bool file_wide;
	bool foreign;        /* another linter's comment: never reported unused */
	bool used;
	size_t stmt;         /* index of the statement it precedes */
	size_t group;        /* ignores from one foreign name share the first one's index */
};

/*
 * The cross-check's verdict on one schema element a statement drops,
 * renames, retypes or makes NOT NULL (core/xref/xref_compat.c decides it, the
 * reporters print it).
 */
struct compat_row {
	char *element;       /* users.email, users */
	const char *change;  /* "drop column", ... */
	char *detail;        /* new name or type, or NULL */
	int line;            /* of the statement */
	size_t stmt;         /* index of the statement in the file */
	size_t finding;      /* index of its finding there; (size_t)-1: none */
	size_t by_conf[4];   /* references by app_ref.confidence (1 to 3) */
	size_t nr_refs;
	const char *compatible;  /* "no", "review", "yes" */
	enum severity sev;
	const char *rule;    /* NULL when compatible */
	char *action;
	struct strlist where; /* "path:line", distinct */
};

struct app_compat {
	struct compat_row *v;
	size_t nr, alloc;
	size_t files_scanned;
	double elapsed;
};

struct file_report {
	char *path;
	enum framework fw;
	enum direction dir;
	bool in_txn;
	struct stmt *stmts;
	size_t nr_stmts, alloc_stmts;
	struct finding *findings; /* file-level: missing down, parse of file */
	size_t nr_findings, alloc_findings;
	enum severity sev;        /* worst of all */
	char *error;              /* could not be read at all */
	const struct migration *mig; /* the migration it belongs to (NULL: a loose script) */
	struct ignore *ignores;   /* its ignore comments, in the order they appear */
	size_t nr_ignores, alloc_ignores;
	struct app_compat *compat; /* the cross-check's table, or NULL */
};

struct finding *stmt_add_finding(struct stmt *st, const char *rule, enum severity sev,
				 unsigned cats, const char *message, const char *fix);
struct finding *file_add_finding(struct file_report *fr, const char *rule, enum severity sev,
				 unsigned cats, int line, const char *message, const char *fix);
void finding_release(struct finding *f);
/* Is the row's finding suppressed by an ignore? */
bool compat_row_ignored(const struct file_report *fr, const struct compat_row *row);
void stmt_release(struct stmt *st);
void file_report_release(struct file_report *fr);

struct script *script_new(const char *path, const char *text, size_t len);
void script_free(struct script *s);
/* The file line of line `text_line` (1-based) of the script's text (see struct script_origin). */
int script_line(const struct script *s, int text_line);
/* Why the statement at byte `off` of a translated script is not judged, or NULL. */
const char *script_untranslated(const struct script *s, size_t off);
void script_origin_free(struct script_origin *o);
void migration_free(struct migration *m);

#endif
