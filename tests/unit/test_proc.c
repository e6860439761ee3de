/*
 * Unit tests for choradd/proc: command splitting with quotes and
 * {{ tmp }}, and running with captured output, exit codes and a timeout.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

static void
split_is(const char *cmd, const char *tmp, const char **want)
{
	char *cause = NULL, **argv = proc_split(cmd, tmp, &cause);
	size_t i;

	cr_assert_not_null(argv, "%s: %s", cmd, cause ? cause : "");
	for (i = 0; want[i] != NULL; i++) {
		cr_assert_not_null(argv[i], "%s: word %zu missing", cmd, i);
		cr_assert_str_eq(argv[i], want[i], "%s: word %zu", cmd, i);
	}
	cr_assert_null(argv[i], "%s: extra word '%s'", cmd, argv[i]);
	proc_argv_free(argv);
}

Test(proc, split)
{
	split_is("docker compose -f {{ tmp }} config -q", "/t/a b.yml",
	    (const char *[]){ "docker", "compose", "-f", "/t/a b.yml", "config",
	    "-q", NULL });
	split_is("nginx -t -c{{tmp}}", "/x", (const char *[]){ "nginx", "-t",
	    "-c/x", NULL });
	split_is("  sh -c 'test -s \"$1\"' sh {{ tmp }}  ", "/x",
	    (const char *[]){ "sh", "-c", "test -s \"$1\"", "sh", "/x", NULL });
	split_is("echo \"a \\\"b\\\" \\$c \\n\" d\\ e ''", NULL,
	    (const char *[]){ "echo", "a \"b\" $c \\n", "d e", "", NULL });
	split_is("a\"b\"'c'", NULL, (const char *[]){ "abc", NULL });
	split_is("{{ other }}", "/x", (const char *[]){ "{{", "other", "}}",
	    NULL });
}

Test(proc, split_errors)
{
	char *cause = NULL;

	cr_assert_null(proc_split("echo 'abc", NULL, &cause));
	cr_assert_str_eq(cause, "unterminated ' quote in command: echo 'abc");
	free(cause);
	cr_assert_null(proc_split("echo \"abc", NULL, &cause));
	free(cause);
	cr_assert_null(proc_split("   ", NULL, &cause));
	cr_assert_str_eq(cause, "empty command");
	free(cause);
}

Test(proc, run_output_and_status)
{
	struct proc_result r;
	char *cause = NULL;
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };

	cr_assert_eq(proc_run(argv, "/", 5000, &r, &cause), 0);
	cr_assert_eq(r.status, 3);
	cr_assert(!r.timed_out);
	cr_assert_str_eq(r.out, "out\n");
	cr_assert_str_eq(r.err, "err\n");
	proc_result_clear(&r);

	char *pwd[] = { "pwd", NULL };
	cr_assert_eq(proc_run(pwd, "/tmp", 5000, &r, &cause), 0);
	cr_assert_str_eq(r.out, "/tmp\n");
	cr_assert_eq(r.status, 0);
	proc_result_clear(&r);

	char *missing[] = { "/nonexistent/cmd", NULL };
	cr_assert_eq(proc_run(missing, NULL, 5000, &r, &cause), -1);
	cr_assert(strstr(cause, "/nonexistent/cmd") != NULL);
	free(cause);
}

Test(proc, timeout_kills)
{
	struct proc_result r;
	char *cause = NULL;
	/* The grandchild keeps the pipes open; the deadline still holds. */
	char *argv[] = { "sh", "-c", "sleep 30 & sleep 30", NULL };

	cr_assert_eq(proc_run(argv, NULL, 200, &r, &cause), 0);
	cr_assert(r.timed_out);
	cr_assert_eq(r.status, 128 + 9);
	proc_result_clear(&r);
}
