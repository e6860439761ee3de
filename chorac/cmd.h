/*
 * cmd — the client's command table.
 *
 * Each command lives in its own cmd_<name>.c and exports one
 * struct cmd_entry; cmd.c lists them all in cmd_table[].  main() parses
 * the global options into a struct cmd_ctx, looks the command up and
 * calls its exec with the command's own argv (argv[0] is the command
 * name, as getopt expects).
 */
#ifndef CHORAC_CMD_H
#define CHORAC_CMD_H

#include <stdbool.h>

/* Exit codes, SPEC section 7. */
enum cmd_exit {
	CMD_EXIT_OK = 0,
	CMD_EXIT_FAIL = 1,		/* it failed, or a check found problems */
	CMD_EXIT_USAGE = 2,
	CMD_EXIT_UNREACHABLE = 3,	/* no daemon answers */
	CMD_EXIT_NOROOT = 4,		/* not inside a project root */
};

/* Global options, shared by every command. */
struct cmd_ctx {
	const char	*socket;	/* --socket, or NULL for the default */
	const char	*root;		/* --root, or NULL: found from cwd */
	bool		 json;		/* --json */
	bool		 no_spawn;	/* --no-spawn or CHORA_NO_SPAWN=1 */
};

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	const char	*help;		/* one line */
	int		(*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

extern const struct cmd_entry *const cmd_table[];

const struct cmd_entry *cmd_find(const char *name);
/* Print "usage: chorac NAME USAGE" to stderr; returns CMD_EXIT_USAGE. */
int	cmd_usage(const struct cmd_entry *e);
/* The whole table, for "chorac help". */
void	cmd_print_help(void);

/* One entry per command, defined in cmd_<name>.c. */
extern const struct cmd_entry cmd_render_entry;

#endif
