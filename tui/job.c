/*
 * job.c - the table of background jobs (see job.h).
 */
#include "job.h"
#include "util.h"

static const struct job_ops *const jobs[] = {
	&scan_job, &drift_job, &draft_job, &draftshadow_job,
};

bool jobs_start(enum request req)
{
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++)
		if (jobs[i]->start && jobs[i]->start(req))
			return true;
	return false;
}

static bool running(const struct job_ops *j, struct strbuf *status)
{
	struct strbuf ignored = STRBUF_INIT;
	bool r = j->poll(status ? status : &ignored);
	strbuf_release(&ignored);
	return r;
}

bool jobs_busy(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++)
		if (running(jobs[i], NULL))
			return true;
	return false;
}

int jobs_tick(void)
{
	int tick = -1;
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++)
		if (jobs[i]->tick_ms > 0 && (tick < 0 || jobs[i]->tick_ms < tick) && running(jobs[i], NULL))
			tick = jobs[i]->tick_ms;
	return tick;
}

void jobs_status(struct strbuf *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++) {
		size_t len = out->len;
		if (running(jobs[i], out) && out->len > len)
			strbuf_addstr(out, "  ");
	}
}

void jobs_finish(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++)
		if (jobs[i]->finish)
			jobs[i]->finish();
}

void jobs_cancel(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++)
		jobs[i]->cancel();
}
