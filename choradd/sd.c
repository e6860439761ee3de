/*
 * sd — see sd.h.
 */
#include "sd.h"

#include <ev.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "xmalloc.h"

static struct ev_loop	*sd_loop;
static ev_timer		 sd_dog;

static void
sd_ping(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
	sd_notify(0, "WATCHDOG=1");
}

void
sd_start(struct ev_loop *loop)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return;
	sd_loop = loop;
	ev_timer_init(&sd_dog, sd_ping, 0., (double)usec / 2e6);
	ev_timer_again(loop, &sd_dog);
	ev_unref(loop);		/* pings alone keep nothing running */
	log_debug("watchdog: ping every %.1fs", (double)usec / 2e6);
}

void
sd_stop(void)
{
	if (sd_loop == NULL)
		return;
	ev_ref(sd_loop);
	ev_timer_stop(sd_loop, &sd_dog);
	sd_loop = NULL;
}

void
sd_ready(void)
{
	sd_notify(0, "READY=1");
}

void
sd_status(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", s);
	free(s);
}

void
sd_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
