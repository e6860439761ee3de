/*
 * proc — the `validate` and `on_change` commands of a config.
 *
 * A command string is split into argv the way a POSIX shell splits words
 * (whitespace, '...' literal, "..." with \" \\ \$ \` escapes, \x outside
 * quotes), but nothing else of a shell happens: no variables, globs or
 * pipes, unless the string asks for a shell itself ("sh -c '...'").
 * "{{ tmp }}" anywhere in a word is replaced by the temporary file's path
 * after splitting, so a path with spaces stays one word.
 *
 * proc_run() blocks its caller — a worker thread, never the event loop —
 * until the command exits or its timeout passes (then SIGKILL).  Its
 * output is captured (bounded) for the log and for error messages.
 */
#ifndef CHORA_PROC_H
#define CHORA_PROC_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of stdout and of stderr kept from one command. */
#define PROC_OUTPUT_MAX		(64 * 1024)
#define PROC_DEFAULT_TIMEOUT_MS	30000

/*
 * Split cmd into a NULL-terminated argv (allocated, free with
 * proc_argv_free()), substituting tmp (may be NULL) for "{{ tmp }}".
 * NULL with *cause on an unterminated quote or an empty command.
 */
char	**proc_split(const char *cmd, const char *tmp, char **cause);
void	  proc_argv_free(char **argv);

struct proc_result {
	int	 status;	/* exit code; 128+N for signal N */
	bool	 timed_out;
	char	*out;		/* captured stdout (allocated, NUL-ended) */
	char	*err;		/* captured stderr */
};

/*
 * Run argv (PATH searched) in cwd with stdin from /dev/null.  Returns 0
 * with *res filled (release with proc_result_clear()), or -1 with *cause
 * when it could not be started.
 */
int	proc_run(char *const *argv, const char *cwd, int timeout_ms,
	    struct proc_result *res, char **cause);
void	proc_result_clear(struct proc_result *res);

#endif
