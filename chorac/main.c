/*
 * chorac — the thin client.  Parses the global options, then hands the
 * rest of argv to the command named in it (see cmd.h).
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
	    "[--no-spawn] COMMAND ...\n       chorac help\n");
	return CMD_EXIT_USAGE;
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
	int c;

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
		case 'h': cmd_print_help(); return CMD_EXIT_OK;
		default: return main_usage();
		}
	}
	if (optind >= argc)
		return main_usage();
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc && (e = cmd_find(argv[optind + 1])) != NULL) {
			printf("usage: chorac %s %s\n%s\n", e->name, e->usage,
			    e->help);
			return CMD_EXIT_OK;
		}
		cmd_print_help();
		return CMD_EXIT_OK;
	}
	if ((e = cmd_find(argv[optind])) == NULL) {
		fprintf(stderr, "chorac: unknown command '%s' (try 'chorac "
		    "help')\n", argv[optind]);
		return CMD_EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* reset getopt for the command's own parsing */
	return e->exec(&ctx, argc, argv);
}
