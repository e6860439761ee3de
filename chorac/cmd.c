/*
 * cmd — the command table, lookup and usage text.
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

const struct cmd_entry *const cmd_table[] = {
	&cmd_render_entry,
	NULL,
};

const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

int
cmd_usage(const struct cmd_entry *e)
{
	fprintf(stderr, "usage: chorac %s %s\n", e->name, e->usage);
	return CMD_EXIT_USAGE;
}

void
cmd_print_help(void)
{
	printf("usage: chorac [--socket PATH] [--root DIR] [--json] "
	    "COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		printf("  %-10s %s\n", cmd_table[i]->name, cmd_table[i]->help);
	printf("\n'chorac COMMAND --help' shows a command's arguments.\n");
}
