/*
 * cmd — the client's command table and what commands share.
 *
 * Each command lives in its own cmd_<name>.c and exports one
 * struct cmd_entry; cmd.c lists them all in cmd_table[].  main() parses
 * the global options into a struct cmd_ctx, looks the command up,
 * answers --help from the entry itself, and calls its exec with the
 * command's own argv (argv[0] is the command name, as getopt expects).
 *
 * A command that talks to the daemon finds the project root and opens its
 * params (cmd_request: --root, else walking up from the current folder
 * like git; the params name the root), adds its fields and calls
 * cmd_call; the answer goes to ctx->out, the output
 * backend (out.h).  Ownership: ctx holds the connection and the root
 * found; main frees them (cmd_ctx_clear).
 */
#ifndef CHORAC_CMD_H
#define CHORAC_CMD_H

#include <stdbool.h>

#include "client.h"
#include "out.h"
#include "proto.h"

/* Exit codes, SPEC section 7. */
enum cmd_exit {
	CMD_EXIT_OK = 0,
	CMD_EXIT_FAIL = 1,		/* failed, or a check found problems */
	CMD_EXIT_USAGE = 2,
	CMD_EXIT_UNREACHABLE = 3,	/* no daemon answers */
	CMD_EXIT_NOROOT = 4,		/* not inside a project root */
};

/* Global options, and what commands share. */
struct cmd_ctx {
	const char	*socket;	/* --socket; NULL: the default */
	const char	*root;		/* --root; NULL: found from cwd */
	bool		 json;		/* --json */
	bool		 no_spawn;	/* --no-spawn, CHORA_NO_SPAWN=1 */
	const struct out_ops *out;	/* the output backend */
	char		*rootdir;	/* found by cmd_find_root */
	struct client	*client;	/* connected on the first call */
	unsigned	 timeout_ms;	/* per call; 0: none */
};

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	const char	*help;		/* what it does: a paragraph */
	int		(*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

extern const struct cmd_entry *const cmd_table[];

const struct cmd_entry *cmd_find(const char *name);
/* Print "usage: chorac NAME USAGE" to stderr; returns CMD_EXIT_USAGE. */
int	cmd_usage(const struct cmd_entry *e);
/* The whole table, for "chorac help". */
void	cmd_print_help(void);
/* One command's usage and help, for "chorac help NAME" and --help. */
void	cmd_print_entry(const struct cmd_entry *e);
void	cmd_ctx_clear(struct cmd_ctx *ctx);

/*
 * The project root: --root, else the one holding start (NULL: the
 * current folder).  Sets ctx->rootdir.  When there is none: with need,
 * the reason is shown and CMD_EXIT_NOROOT returned; without, 0 and
 * rootdir stays NULL (the daemon's only root is meant).  A --root that
 * does not exist is CMD_EXIT_NOROOT either way: callers check.
 */
int	cmd_find_root(struct cmd_ctx *ctx, const char *start, bool need);
/* Start a request's params in e: a map, with the root when known. */
void	cmd_params(struct cmd_ctx *ctx, struct proto_enc *e);
/* Both, as most commands begin: 0 with e started, or the exit code of
 * cmd_find_root (e untouched). */
int	cmd_request(struct cmd_ctx *ctx, const char *start, bool need,
	    struct proto_enc *e);
/*
 * Close e's map, connect (starting choradd when allowed), call m, free
 * e.  Returns 0 with *r filled (the caller frees it), or shows the
 * error and returns the exit code (client_exit_code).  fn, if not NULL,
 * gets the notifications that arrive first.
 */
int	cmd_call(struct cmd_ctx *ctx, enum proto_method m,
	    struct proto_enc *e, client_notify_fn fn, void *arg,
	    struct client_reply *r);

/*
 * Parse a command's options (opts, terminated by a zeroed row; NULL for
 * none) with getopt_long: fn(arg, val, optarg) gets each one and
 * returns -1 to refuse it.  Then between min and max (-1: any) operands
 * must remain.  Returns the index of the first operand, or -1 after
 * printing the usage.
 */
struct option;
int	cmd_args(const struct cmd_entry *e, int argc, char **argv,
	    const struct option *opts, int (*fn)(void *, int, char *),
	    void *arg, int min, int max);

/* cmd_args callbacks for commands with one option: a flag (arg is a
 * bool *) or a string (arg is a const char **). */
int	cmd_opt_flag(void *arg, int c, char *optarg);
int	cmd_opt_string(void *arg, int c, char *optarg);
/* The ids param from the operands argv[0..n) (nothing when n is 0). */
void	cmd_params_ids(struct proto_enc *e, int n, char **argv);

/* Show a generate/notify result's outputs, one line each. */
void	cmd_generated(struct cmd_ctx *ctx, const msgpack_object *res);
/* A notification handler showing progress on a terminal (arg unused). */
void	cmd_progress(const struct proto_notify_def *n,
	    const msgpack_object *params, void *arg);

/*
 * Show an array of failures (or problems) as "file:line: error: ..."
 * lines, each distinct error once (one broken template fails every
 * output it renders); cmd_failures() takes the array field f of res.
 */
void	cmd_failure_list(struct cmd_ctx *ctx, const msgpack_object *v);
void	cmd_failures(struct cmd_ctx *ctx, const msgpack_object *res,
	    enum proto_field f);
/* The length of an array field (0 when absent). */
size_t	cmd_count(const msgpack_object *res, enum proto_field f);
/* A uint field (0 when absent). */
unsigned long long cmd_uint(const msgpack_object *res, enum proto_field f);
/* Parse a non-negative number option; -1 with a message when it is not. */
int	cmd_number(const char *name, const char *s, unsigned long long *v);

/* One entry per command, defined in cmd_<name>.c. */
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_deploy_entry;
extern const struct cmd_entry cmd_deps_entry;
extern const struct cmd_entry cmd_gc_entry;
extern const struct cmd_entry cmd_generate_entry;
extern const struct cmd_entry cmd_health_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_migrate_entry;
extern const struct cmd_entry cmd_notify_entry;
extern const struct cmd_entry cmd_render_entry;
extern const struct cmd_entry cmd_rollback_entry;
extern const struct cmd_entry cmd_roots_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_stale_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_wait_entry;
extern const struct cmd_entry cmd_watch_entry;

#endif
