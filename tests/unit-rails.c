/*
 * unit-rails.c - the pieces of the Rails reader that the end-to-end tests
 * (t-rails.sh, t-rails-activerecord.sh) reach only through whole files:
 * SHA-256 (fk_rails_ names), ActiveSupport's singular and plural, and the
 * lexer's corners (heredocs with methods, %w lists, interpolation, =begin,
 * hash rockets, unterminated text), each checked on the SQL and lines it
 * gives.
 */
#include "rails_int.h"
#include "tap.h"

#include <stdlib.h>

static void sha(const char *in, const char *want)
{
	char hex[65];
	rsql_sha256_hex(in, strlen(in), hex);
	is_str(hex, want, "sha256 of a %zu-byte string", strlen(in));
}

static void inflect(const char *plural, const char *singular)
{
	char *one = rsql_singular(plural), *many = rsql_plural(singular);
	is_str(one, singular, "singular of %s", plural);
	is_str(many, plural, "plural of %s", singular);
	free(one);
	free(many);
}

/* The up script's statements as "LINE: sql" rows (untranslated: "LINE! why"). */
static char *up_of(const char *ruby, bool down)
{
	struct rails_migration rm;
	struct strbuf sb = STRBUF_INIT;
	rails_translate("x.rb", ruby, strlen(ruby), NULL, &rm);
	const struct script *s = down ? rm.down : rm.up;
	int text_line = 1;
	for (const char *p = s ? s->text : ""; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *why = s->origin->untranslated[text_line - 1];
		if (why)
			strbuf_addf(&sb, "%d! %s\n", script_line(s, text_line), why);
		else if (!(n == 1 && *p == ';'))   /* the terminator is not shown */
			strbuf_addf(&sb, "%d: %.*s\n", script_line(s, text_line),
				    (int)(n - (p[n - 1] == ';')), p);
		text_line++;
		p += n + (nl != NULL);
	}
	script_free(rm.up);
	script_free(rm.down);
	return strbuf_detach(&sb, NULL);
}

static void translates(const char *ruby, bool down, const char *want, const char *what)
{
	char *got = up_of(ruby, down);
	is_str(got, want, "%s", what);
	free(got);
}

#define MIG(body) "class M < ActiveRecord::Migration[6.1]\n  def change\n" body "  end\nend\n"

int main(void)
{
	sha("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *fk = rsql_fk_name("accounts", "user_id");
	is_str(fk, "fk_rails_b1e30bebc8", "fk_rails_ name as ActiveRecord makes it");
	free(fk);

	inflect("users", "user");
	inflect("categories", "category");
	inflect("people", "person");
	inflect("addresses", "address");
	inflect("statuses", "status");
	inflect("boxes", "box");
	inflect("admin_users", "admin_user");
	inflect("equipment", "equipment");

	translates(MIG("    execute <<~SQL.squish\n      UPDATE t\n        SET a = 1\n    SQL\n"), false,
		   "4: UPDATE t SET a = 1\n", "a heredoc with .squish: one line, at the heredoc's first");
	translates(MIG("    execute(<<~'SQL')\n      SELECT 'a\\n'\n      ;\n    SQL\n"), false,
		   "4: SELECT 'a\\n'\n", "a raw heredoc in parentheses keeps its lines and backslashes");
	translates(MIG("    remove_columns :t, *%w[a b]\n"), false,
		   "3! 'remove_columns' with arguments sluice cannot read (a value known only when Ruby "
		   "runs, or options it does not translate)\n",
		   "a splat is not guessed at");
	translates(MIG("    add_index :t, %i[a b], :unique => true\n"), false,
		   "3: CREATE UNIQUE INDEX \"index_t_on_a_and_b\" ON \"t\" (\"a\", \"b\")\n",
		   "%i[] columns and a hash rocket option");
	translates(MIG("=begin\n    drop_table :t\n=end\n    add_column :t, :c, :text # trailing\n"), false,
		   "6: ALTER TABLE \"t\" ADD \"c\" text\n", "=begin ... =end is a comment");
	translates(MIG("    execute \"UPDATE #{table} SET a = 1\"\n"), false,
		   "3! the SQL is built when the migration runs (#{...}), so sluice cannot know it\n",
		   "interpolation: not judged");
	translates(MIG("    add_column :t, :c, :string,\n      null: false,\n      default: \"x\"\n"), false,
		   "3: ALTER TABLE \"t\" ADD \"c\" character varying DEFAULT 'x' NOT NULL\n",
		   "arguments across lines");
	translates(MIG("    add_column :t, :a, :text\n    add_column :t, :b, :text\n"), true,
		   "4: ALTER TABLE \"t\" DROP COLUMN \"b\"\n3: ALTER TABLE \"t\" DROP COLUMN \"a\"\n",
		   "a change's down: reversed, inverted, each at its own line");
	translates(MIG("    add_column :t, :a, :text\n    execute \"SELECT 'unterminated\n"), false,
		   "3: ALTER TABLE \"t\" ADD \"a\" text\n4! unterminated string: it runs to the end of "
		   "the file; sluice read the file up to here\n",
		   "an unterminated string: its line, after what came before");
	translates(MIG("    execute <<~SQL\n      SELECT 1\n"), false,
		   "3! unterminated heredoc: no line ends it; sluice read the file up to here\n",
		   "an unterminated heredoc: its line");
	/* found by mutating the test migrations: a second reference that is not a name */
	translates(MIG("    create_table :t, id: false do |t|\n      t.references :user, nulfalse\n    end\n"),
		   false, "3: CREATE TABLE \"t\" (\"user_id\" bigint)\n"
		   "4: CREATE INDEX \"index_t_on_user_id\" ON \"t\" (\"user_id\")\n"
		   "4! a create_table line sluice does not translate\n",
		   "t.references with a value that is not a name: that line not judged, no double free");
	translates("puts 1\n", false,
		   "1! no migration class with a change or up method: sluice found nothing it knows "
		   "how ActiveRecord runs\n", "no migration class: said, not silently empty");
	return done_testing();
}
