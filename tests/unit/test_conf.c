/*
 * Unit tests for choradd/conf (choradd.conf) and gen_fill (chora-compose's
 * template_fill): values, defaults and every error with file:line.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "gen.h"
#include "xmalloc.h"

static char *
write_conf(const char *text)
{
	char *path = xstrdup("/tmp/chora-test-conf.XXXXXX");
	int fd = mkstemp(path);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(conf, values)
{
	char *p = write_conf("# comment\n\nroot /srv/a\nroot /srv/b # two\n"
	    "socket /run/x.sock\nlog-level debug\nallow-uid 0\nallow-uid root\n"
	    "allow-group 0\nthreads 3\nread-uid nobody\nread-uid 4242\n"
	    "read-group 7\n");
	struct conf c;
	char *cause = NULL;

	cr_assert_eq(conf_load(p, true, &c, &cause), 0, "%s", cause);
	cr_assert_eq(c.nroots, 2);
	cr_assert_str_eq(c.roots[1], "/srv/b");
	cr_assert_str_eq(c.socket, "/run/x.sock");
	cr_assert_eq(c.log_level, 3);
	cr_assert_eq(c.nuids, 2);
	cr_assert_eq(c.uids[1], 0);
	cr_assert_eq(c.ngids, 1);
	cr_assert_eq(c.threads, 3);
	cr_assert_eq(c.nread_uids, 2);
	cr_assert_eq(c.read_uids[0], 65534);
	cr_assert_eq(c.read_uids[1], 4242);
	cr_assert_eq(c.nread_gids, 1);
	cr_assert_eq(c.read_gids[0], 7);
	conf_clear(&c);
	unlink(p);
	free(p);
}

Test(conf, errors_name_file_and_line)
{
	static const char *cases[][2] = {
		{ "root /a\nfrobnicate 1\n", ":2: error: unknown keyword 'frobnicate'" },
		{ "log-level loud\n", ":1: error: unknown log level 'loud'" },
		{ "\n\nroot\n", ":3: error: 'root' needs a value" },
		{ "threads -1\n", ":1: error: 'threads' must be 0 to 256" },
		{ "allow-uid no-such-user-here\n", ":1: error: unknown user" },
		{ "allow-group no-such-group-here\n", ":1: error: unknown group" },
		{ "read-uid no-such-user-here\n", ":1: error: unknown user" },
		{ "read-group -3\n", ":1: error: unknown group" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = write_conf(cases[i][0]), *cause = NULL;
		struct conf c;
		cr_assert_eq(conf_load(p, true, &c, &cause), -1, "case %zu", i);
		cr_expect(strncmp(cause, p, strlen(p)) == 0 &&
		    strstr(cause, cases[i][1]) == cause + strlen(p),
		    "case %zu: %s", i, cause);
		free(cause);
		conf_clear(&c);
		unlink(p);
		free(p);
	}
}

Test(conf, missing_file)
{
	struct conf c;
	char *cause = NULL;

	cr_assert_eq(conf_load("/nonexistent/choradd.conf", false, &c, &cause),
	    0, "a missing default file is fine");
	cr_assert_eq(c.nroots, 0);
	cr_assert_eq(c.log_level, -1);
	conf_clear(&c);
	cr_assert_eq(conf_load("/nonexistent/choradd.conf", true, &c, &cause),
	    -1);
	cr_assert(strstr(cause, "No such file") != NULL, "%s", cause);
	free(cause);
}

Test(gen, template_fill)
{
	const char *ctx = "{\"name\": \"ops\", \"a\": {\"b\": 2, \"s\": [1]}}";
	const char *src = "Hi {{ name }}, {{a.b}} {{ a.s }} {{ missing }} "
	    "{{ a.c }} {{ }} {{ name";
	char *cause = NULL;
	size_t n;
	char *out = gen_fill(src, strlen(src), ctx, strlen(ctx), &n, &cause);

	cr_assert_not_null(out, "%s", cause);
	cr_assert_str_eq(out, "Hi ops, 2 [1] {{ missing }} {{ a.c }} {{ }} "
	    "{{ name");
	cr_assert_eq(n, strlen(out));
	free(out);
	cr_assert_null(gen_fill("x", 1, "{", 1, &n, &cause));
	cr_assert(strstr(cause, "error") != NULL);
	free(cause);
}
