/*
 * chorac — the thin client.  Parses the global options, picks the
 * output backend (--json), then hands the rest of argv to the command
 * named in it (see cmd.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

static int
main_usage(void)
{
	fprintf(stderr, "usage: chorac [--socket PATH] [--root DIR] [--json] "
	    "[--no-spawn] COMMAND ...\n       chorac help [COMMAND]\n");
	return CMD_EXIT_USAGE;
}

/* "chorac help [COMMAND]". */
static int
main_help(const char *name)
{
	const struct cmd_entry *e;

	if (name == NULL) {
		cmd_print_help();
		return CMD_EXIT_OK;
	}
	if ((e = cmd_find(name)) == NULL) {
		fprintf(stderr, "chorac: unknown command '%s'\n", name);
		return CMD_EXIT_USAGE;
	}
	cmd_print_entry(e);
	return CMD_EXIT_OK;
}

/*
 * The global options written after the command ("chorac list content
 * --json", as git and kubectl allow): taken out of the command's argv
 * into ctx, up to "--".  -1 when one lacks its value.
 */
static int
take_globals(struct cmd_ctx *ctx, int *argc, char **argv)
{
	static const char *valued[] = { "--socket", "--root" };
	int i = 1, o = 1;

	while (i < *argc && strcmp(argv[i], "--") != 0) {
		const char *a = argv[i], *val = NULL;
		size_t k;
		if (strcmp(a, "--json") == 0 || strcmp(a, "--no-spawn") == 0) {
			*(a[2] == 'j' ? &ctx->json : &ctx->no_spawn) = true;
			i++;
			continue;
		}
		for (k = 0; k < 2; k++) {
			size_t n = strlen(valued[k]);
			if (strncmp(a, valued[k], n) == 0 && a[n] == '=')
				val = a + n + 1;
			else if (strcmp(a, valued[k]) == 0) {
				if (i + 1 >= *argc)
					return -1;
				val = argv[++i];
			}
			if (val != NULL)
				break;
		}
		if (val == NULL) {
			argv[o++] = argv[i++];
			continue;
		}
		*(k == 0 ? &ctx->socket : &ctx->root) = val;
		i++;
	}
	while (i < *argc)
		argv[o++] = argv[i++];
	argv[o] = NULL;
	*argc = o;
	return 0;
}

/* Does the command's argv ask for its help? */
static bool
asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-spawn", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_ctx ctx = { 0 };
	const struct cmd_entry *e;
	const char *env;
	int c, rc;

	log_init("chorac", LOG_LEVEL_WARN);
	env = getenv("CHORA_NO_SPAWN");
	ctx.no_spawn = env != NULL && strcmp(env, "1") == 0;
	/* "+": stop at the command name; its options are its own. */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 's': ctx.socket = optarg; break;
		case 'r': ctx.root = optarg; break;
		case 'j': ctx.json = true; break;
		case 'n': ctx.no_spawn = true; break;
		case 'h': return main_help(NULL);
		default: return main_usage();
		}
	}
	if (optind >= argc)
		return main_usage();
	if (strcmp(argv[optind], "help") == 0)
		return main_help(optind + 1 < argc ? argv[optind + 1] : NULL);
	if ((e = cmd_find(argv[optind])) == NULL) {
		fprintf(stderr, "chorac: unknown command '%s' (try 'chorac "
		    "help')\n", argv[optind]);
		return CMD_EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (take_globals(&ctx, &argc, argv) == -1)
		return main_usage();
	if (asks_help(argc, argv))
		return main_help(e->name);
	ctx.out = ctx.json ? &out_json_ops : &out_text_ops;
	optind = 0;	/* reset getopt for the command's own parsing */
	rc = e->exec(&ctx, argc, argv);
	cmd_ctx_clear(&ctx);
	if (fflush(stdout) == EOF && rc == CMD_EXIT_OK)
		rc = CMD_EXIT_FAIL;
	return rc;
}
