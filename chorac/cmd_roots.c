/*
 * cmd_roots — `chorac roots [add|remove PATH]`: the roots the daemon
 * serves, after adding or removing one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct out_col roots_cols[] = {
	{ "ROOT", PROTO_F_ROOT, 0 },
	{ "STATE", PROTO_F_STATE, 0 },
	{ "CONFIGS", PROTO_F_CONFIGS, OUT_RIGHT },
	{ "OUTPUTS", PROTO_F_OUTPUTS, OUT_RIGHT },
	{ "FAILED", PROTO_F_FAILED, OUT_RIGHT },
	{ "DRIFTED", PROTO_F_DRIFTED, OUT_RIGHT },
	{ "WATCHED", PROTO_F_WATCHED_DIRS, OUT_RIGHT },
};

/* The params field of an action word, or -1. */
static int
roots_action(const char *word)
{
	static const struct {
		const char	*name;
		enum proto_field field;
	} actions[] = {
		{ "add", PROTO_F_ADD },
		{ "remove", PROTO_F_REMOVE },
	};

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].name, word) == 0)
			return (int)actions[i].field;
	return -1;
}

static int
roots_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct client_reply r;
	struct proto_enc e;
	int first, field = -1, rc;
	char *path = NULL;

	if ((first = cmd_args(&cmd_roots_entry, argc, argv, NULL, NULL, NULL,
	    0, 2)) == -1)
		return CMD_EXIT_USAGE;
	if (first < argc && ((field = roots_action(argv[first])) == -1 ||
	    first + 2 != argc))
		return cmd_usage(&cmd_roots_entry);
	if (field != -1 && (path = realpath(argv[first + 1], NULL)) == NULL) {
		out_errorf(ctx->out, "%s: %s", argv[first + 1],
		    strerror(errno));
		return CMD_EXIT_NOROOT;
	}
	proto_enc_init(&e);
	proto_enc_map(&e);
	if (field != -1)
		proto_enc_kv_str(&e, (enum proto_field)field, path);
	free(path);
	if ((rc = cmd_call(ctx, PROTO_M_ROOTS, &e, NULL, NULL, &r)) != 0)
		return rc;
	ctx->out->result(r.result);
	ctx->out->table(roots_cols, sizeof(roots_cols) / sizeof(roots_cols[0]),
	    proto_get(r.result, PROTO_F_ROOTS));
	client_reply_free(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_roots_entry = {
	.name = "roots",
	.usage = "[add|remove PATH]",
	.help = "List the roots the daemon serves, after adding or removing "
	    "one.",
	.exec = roots_exec,
};
