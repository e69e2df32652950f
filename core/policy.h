/*
 * policy.h - which .sluice judges a branch (see policy.c).
 */
#ifndef SLUICE_POLICY_H
#define SLUICE_POLICY_H

struct check_run;

/*
 * Repository mode's settings and discovery: the policy is the .sluice of
 * the base (at the merge-base), the rest the user's git config. Fills
 * run->cfg and run->ms; returns discover_repo()'s result, or
 * POLICY_UNREADABLE (message printed) when the work tree's .sluice cannot
 * be read.
 */
#define POLICY_UNREADABLE (-2)
int policy_discover_repo(struct check_run *run);

/* The policy-changed finding on .sluice, when the branch changes its policy. */
void policy_report(struct check_run *run);

#endif
