/*
 * cmd_migrate — `chorac migrate [--dry-run]`: import a legacy
 * chora-compose layout's history (ephemeral/<id>/) into the store;
 * nothing on disk changes.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"

static void
migrate_skipped(struct cmd_ctx *ctx, const msgpack_object *v)
{
	for (uint32_t i = 0; v != NULL && v->type == MSGPACK_OBJECT_ARRAY &&
	    i < v->via.array.size; i++) {
		char *id = out_value(&v->via.array.ptr[i], PROTO_F_ID);
		char *file = out_value(&v->via.array.ptr[i], PROTO_F_FILE);
		char *why = out_value(&v->via.array.ptr[i], PROTO_F_MESSAGE);
		out_linef(ctx->out, "skipped %s%s%s: %s", id,
		    file[0] ? " " : "", file, why);
		free(id);
		free(file);
		free(why);
	}
}

static int
migrate_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool dry_run = false;
	struct client_reply r;
	struct proto_enc e;
	int rc;

	if (cmd_args(&cmd_migrate_entry, argc, argv, opts, cmd_opt_flag,
	    &dry_run, 0, 0) == -1)
		return CMD_EXIT_USAGE;
	if ((rc = cmd_request(ctx, NULL, true, &e)) != 0)
		return rc;
	if (dry_run)
		proto_enc_kv_bool(&e, PROTO_F_DRY_RUN, true);
	if ((rc = cmd_call(ctx, PROTO_M_MIGRATE, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	migrate_skipped(ctx, proto_get(r.result, PROTO_F_SKIPPED));
	out_linef(ctx->out, "%llu configs; %llu versions %s, %zu skipped",
	    cmd_uint(r.result, PROTO_F_CONFIGS), cmd_uint(r.result,
	    PROTO_F_IMPORTED), dry_run ? "would be imported" : "imported",
	    cmd_count(r.result, PROTO_F_SKIPPED));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_migrate_entry = {
	.name = "migrate",
	.usage = "[--dry-run]",
	.help = "Import a legacy chora-compose layout's history "
	    "(ephemeral/<id>/<timestamp>.<ext>, oldest first) into the store; "
	    "the files stay as they are.  Outputs with history are skipped.",
	.exec = migrate_exec,
};
