/*
 * cmd_watch — `chorac watch [--type T]...`: stream events (generated,
 * failed, recovered, drift, deploy, rollback) as they happen, one line
 * each (JSON lines with --json), until the daemon stops (exit 0) or the
 * connection is lost (exit 3).
 */
#include <getopt.h>

#include "cmd.h"

/* --type may be given once per event type. */
#define WATCH_MAX_TYPES	5

struct watch_opts {
	const char	*types[WATCH_MAX_TYPES];
	size_t		 ntypes;
};

static int
watch_opt(void *arg, int c, char *optarg)
{
	struct watch_opts *o = arg;

	if (c != 't' || o->ntypes == WATCH_MAX_TYPES)
		return -1;
	o->types[o->ntypes++] = optarg;
	return 0;
}

static void
watch_event(const struct proto_notify_def *n, const msgpack_object *params,
    void *arg)
{
	struct cmd_ctx *ctx = arg;

	if (n == proto_notification(PROTO_N_EVENT))
		ctx->out->event(params);
}

static int
watch_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch_opts o = { 0 };
	struct client_reply r;
	struct proto_enc e;
	int rc;

	if (cmd_args(&cmd_watch_entry, argc, argv, opts, watch_opt, &o, 0,
	    0) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, false, &e)) != 0)
		return rc;
	if (o.ntypes > 0) {
		proto_enc_key(&e, PROTO_F_TYPES);
		proto_enc_strs(&e, o.types, o.ntypes);
	}
	if ((rc = cmd_call(ctx, PROTO_M_SUBSCRIBE, &e, watch_event, ctx,
	    &r)) != 0)
		return rc;
	if (!ctx->json)
		out_linef(ctx->out, "stream ended after %llu events",
		    cmd_uint(r.result, PROTO_F_EVENTS));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_watch_entry = {
	.name = "watch",
	.usage = "[--type generated|failed|recovered|drift|deploy|rollback]...",
	.help = "Stream events as they happen, one line each (JSON lines with "
	    "--json), until the daemon stops.",
	.exec = watch_exec,
};
