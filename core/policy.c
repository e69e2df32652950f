/*
 * policy.c - which .sluice judges a branch.
 *
 * A pull request is judged by the policy of the branch it is to be merged
 * into: the .sluice at the merge-base, not the one the branch brings, which
 * could switch a rule off, raise failOn to BLOCKER or point sluice.base at
 * itself and so turn its own check green. What the branch changes in its
 * .sluice is reported as a finding of its own (policy-changed, on .sluice),
 * for a reviewer to accept. Paths mode judges the work tree's .sluice.
 *
 * The base itself comes from --base, the user's git config, or the usual
 * names (remote HEAD, main, master); the base's own .sluice may then name
 * another base, which is used instead (once). Only when none of those
 * resolves is the branch's sluice.base tried, and its policy still comes
 * from the merge-base it leads to.
 */
#include "policy.h"
#include "check.h"
#include "rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int rediscover(struct check_run *run, const char *base)
{
	migration_set_release(&run->ms);
	migration_set_init(&run->ms);
	return discover_repo(&run->ms, ".", base);
}

/* The policy at the merge-base, named after the base in messages. */
static void load_base_policy(struct check_run *run, struct config *base)
{
	char *origin = xstrfmt(".sluice of %s", run->ms.base);
	config_release(base);
	config_init(base);
	config_load_repo_file(base, ".", run->ms.merge_base, origin, false);
	free(origin);
}

int policy_discover_repo(struct check_run *run)
{
	struct config user, branch, base;
	int r;
	config_init(&user);
	config_init(&branch);
	config_init(&base);
	config_load_user(&user, ".");
	if (config_load_repo_file(&branch, ".", NULL, NULL, true) < 0) {
		r = POLICY_UNREADABLE;
		goto out;
	}
	const char *fixed = run->base ? run->base : config_get(&user, "sluice.base");
	r = rediscover(run, fixed);
	if (!run->ms.merge_base && !fixed && config_get(&branch, "sluice.base"))
		r = rediscover(run, config_get(&branch, "sluice.base"));
	if (run->ms.merge_base) {
		load_base_policy(run, &base);
		const char *want = config_get(&base, "sluice.base");
		if (!fixed && want && strcmp(want, run->ms.base)) {
			char *name = xstrdup(want);
			r = rediscover(run, name);
			free(name);
			if (run->ms.merge_base)
				load_base_policy(run, &base);
		}
	}
	if (run->ms.merge_base) {
		config_append(&run->cfg, &base);
		config_policy_changes(&base, &branch, &run->cfg.policy_changed);
	} else {
		config_append(&run->cfg, &branch);   /* no base: the work tree's */
	}
	config_append(&run->cfg, &user);
out:
	config_release(&user);
	config_release(&branch);
	config_release(&base);
	return r;
}

void policy_report(struct check_run *run)
{
	const struct strlist *changed = &run->cfg.policy_changed;
	if (!changed->nr || !rule_enabled(&run->opts, "policy-changed"))
		return;
	const struct rule *rule = rule_find("policy-changed");
	struct strbuf msg = STRBUF_INIT;
	strbuf_addstr(&msg, "this branch changes the policy it would be judged by (");
	for (size_t i = 0; i < changed->nr; i++)
		strbuf_addf(&msg, "%s%s", i ? ", " : "", changed->items[i]);
	strbuf_addf(&msg, "); it is judged by the .sluice of %s instead, until the change is merged",
		    nonnull(run->ms.base));

	size_t n = run->report.nr + 1;
	run->report.files = xrealloc(run->report.files, n * sizeof(*run->report.files));
	struct file_report *fr = &run->report.files[n - 1];
	memset(fr, 0, sizeof(*fr));   /* fr->mig NULL: no migration of its own */
	fr->path = xstrdup(".sluice");
	fr->fw = FW_PLAIN;
	file_add_finding(fr, rule->id, rule->sev, rule->cats, 1, msg.buf, rule->fix);
	fr->sev = rule->sev;
	run->report.nr = n;
	strbuf_release(&msg);
}
