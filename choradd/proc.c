/*
 * proc — see proc.h.  The child is started with posix_spawn (safe in a
 * threaded process: no code runs between fork and exec), its pipes and a
 * pidfd are polled until both pipes close and the child exits, with one
 * deadline for all of it.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"

extern char **environ;

/* A byte that cannot appear in a config's text marks "{{ tmp }}". */
#define TMP_MARK	'\x01'

static char *
mark_tmp(const char *cmd)
{
	struct buf b = BUF_INIT;

	for (const char *s = cmd; *s != '\0';) {
		if (s[0] == '{' && s[1] == '{') {
			const char *p = s + 2;
			p += strspn(p, " \t");
			if (strncmp(p, "tmp", 3) == 0) {
				p += 3;
				p += strspn(p, " \t");
				if (p[0] == '}' && p[1] == '}') {
					buf_addc(&b, TMP_MARK);
					s = p + 2;
					continue;
				}
			}
		}
		buf_addc(&b, *s++);
	}
	return buf_detach(&b, NULL);
}

static void
push_word(char ***argv, size_t *n, struct buf *w, const char *tmp)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < w->len; i++) {
		if (w->data[i] == TMP_MARK)
			buf_addstr(&out, tmp != NULL ? tmp : "");
		else
			buf_addc(&out, w->data[i]);
	}
	*argv = xreallocarray(*argv, *n + 2, sizeof(char *));
	(*argv)[(*n)++] = buf_detach(&out, NULL);
	(*argv)[*n] = NULL;
	buf_reset(w);
}

char **
proc_split(const char *cmd, const char *tmp, char **cause)
{
	char *s = mark_tmp(cmd), **argv = NULL, quote = 0;
	struct buf w = BUF_INIT;
	bool inword = false;
	size_t n = 0;

	for (char *p = s; *p != '\0'; p++) {
		char c = *p;
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				buf_addc(&w, c);
		} else if (quote == '"') {
			if (c == '"')
				quote = 0;
			else if (c == '\\' && p[1] != '\0' &&
			    strchr("\"\\$`", p[1]) != NULL)
				buf_addc(&w, *++p);
			else
				buf_addc(&w, c);
		} else if (c == ' ' || c == '\t' || c == '\n') {
			if (inword)
				push_word(&argv, &n, &w, tmp);
			inword = false;
		} else {
			inword = true;
			if (c == '\'' || c == '"')
				quote = c;
			else if (c == '\\' && p[1] != '\0')
				buf_addc(&w, *++p);
			else
				buf_addc(&w, c);
		}
	}
	if (quote != 0)
		*cause = xprintf("unterminated %c quote in command: %s", quote,
		    cmd);
	else if (inword)
		push_word(&argv, &n, &w, tmp);
	if (quote == 0 && n == 0)
		*cause = xprintf("empty command");
	buf_free(&w);
	free(s);
	if (quote != 0 || n == 0) {
		proc_argv_free(argv);
		return NULL;
	}
	return argv;
}

void
proc_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

void
proc_result_clear(struct proc_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is there; returns 0 at EOF. */
static int
drain(int fd, struct buf *b)
{
	char chunk[4096];
	ssize_t r = read(fd, chunk, sizeof(chunk));

	if (r == -1)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (r > 0 && b->len < PROC_OUTPUT_MAX)
		buf_add(b, chunk, (size_t)r < PROC_OUTPUT_MAX - b->len ?
		    (size_t)r : PROC_OUTPUT_MAX - b->len);
	return r > 0;
}

static int
spawn(char *const *argv, const char *cwd, int fds[2][2], pid_t *pid,
    char **cause)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int rc;

	/* Its own process group, so a timeout kills what it started too. */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[0][1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1][1], 2);
	if (cwd != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		*cause = xprintf("%s: %s", argv[0], strerror(rc));
		return -1;
	}
	return 0;
}

int
proc_run(char *const *argv, const char *cwd, int timeout_ms,
    struct proc_result *res, char **cause)
{
	int fds[2][2], pfd = -1, wst;
	struct buf out = BUF_INIT, err = BUF_INIT;
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms :
	    PROC_DEFAULT_TIMEOUT_MS);
	bool open_[2] = { true, true }, exited = false;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(fds[0], O_CLOEXEC) == -1) {
		*cause = xprintf("pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(fds[1], O_CLOEXEC) == -1) {
		*cause = xprintf("pipe: %s", strerror(errno));
		close(fds[0][0]);
		close(fds[0][1]);
		return -1;
	}
	if (spawn(argv, cwd, fds, &pid, cause) == -1) {
		for (int i = 0; i < 2; i++) {
			close(fds[i][0]);
			close(fds[i][1]);
		}
		return -1;
	}
	close(fds[0][1]);
	close(fds[1][1]);
	if ((pfd = pidfd_open(pid, 0)) == -1)
		exited = false;	/* fall back to waitpid after the pipes */
	while (open_[0] || open_[1] || (!exited && pfd != -1)) {
		struct pollfd p[3] = {
			{ open_[0] ? fds[0][0] : -1, POLLIN, 0 },
			{ open_[1] ? fds[1][0] : -1, POLLIN, 0 },
			{ !exited ? pfd : -1, POLLIN, 0 },
		};
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(p, 3, (int)left) == -1 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (open_[i] && (p[i].revents & (POLLIN | POLLHUP)) &&
			    drain(fds[i][0], i ? &err : &out) == 0)
				open_[i] = false;
		if (p[2].revents & POLLIN)
			exited = true;
	}
	close(fds[0][0]);
	close(fds[1][0]);
	if (pfd != -1)
		close(pfd);
	while (waitpid(pid, &wst, 0) == -1 && errno == EINTR)
		;
	res->status = WIFEXITED(wst) ? WEXITSTATUS(wst) :
	    128 + WTERMSIG(wst);
	res->out = buf_detach(&out, NULL);
	res->err = buf_detach(&err, NULL);
	return 0;
}
