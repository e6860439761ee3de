/*
 * conf — see conf.h.  Keywords are a table of small parsers.
 */
#include "conf.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

static int
conf_root(struct conf *c, const char *v, char **err)
{
	(void)err;
	c->roots = xreallocarray(c->roots, c->nroots + 1, sizeof(char *));
	c->roots[c->nroots++] = xstrdup(v);
	return 0;
}

static int
conf_socket(struct conf *c, const char *v, char **err)
{
	(void)err;
	free(c->socket);
	c->socket = xstrdup(v);
	return 0;
}

static int
conf_level(struct conf *c, const char *v, char **err)
{
	if ((c->log_level = log_level_parse(v)) == -1) {
		*err = xprintf("unknown log level '%s' (error, warn, info, "
		    "debug)", v);
		return -1;
	}
	return 0;
}

/* A user by name or number. */
static int
parse_uid(const char *v, uid_t *uid, char **err)
{
	struct passwd *pw = getpwnam(v);
	char *end;
	long n = strtol(v, &end, 10);

	if (pw == NULL && (*end != '\0' || n < 0)) {
		*err = xprintf("unknown user '%s'", v);
		return -1;
	}
	*uid = pw != NULL ? pw->pw_uid : (uid_t)n;
	return 0;
}

/* A group by name or number. */
static int
parse_gid(const char *v, gid_t *gid, char **err)
{
	struct group *gr = getgrnam(v);
	char *end;
	long n = strtol(v, &end, 10);

	if (gr == NULL && (*end != '\0' || n < 0)) {
		*err = xprintf("unknown group '%s'", v);
		return -1;
	}
	*gid = gr != NULL ? gr->gr_gid : (gid_t)n;
	return 0;
}

static int
add_uid(uid_t **v, size_t *n, const char *s, char **err)
{
	uid_t u;

	if (parse_uid(s, &u, err) == -1)
		return -1;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = u;
	return 0;
}

static int
add_gid(gid_t **v, size_t *n, const char *s, char **err)
{
	gid_t g;

	if (parse_gid(s, &g, err) == -1)
		return -1;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = g;
	return 0;
}

static int
conf_uid(struct conf *c, const char *v, char **err)
{
	return add_uid(&c->uids, &c->nuids, v, err);
}

static int
conf_group(struct conf *c, const char *v, char **err)
{
	return add_gid(&c->gids, &c->ngids, v, err);
}

static int
conf_read_uid(struct conf *c, const char *v, char **err)
{
	return add_uid(&c->read_uids, &c->nread_uids, v, err);
}

static int
conf_read_group(struct conf *c, const char *v, char **err)
{
	return add_gid(&c->read_gids, &c->nread_gids, v, err);
}

static int
conf_threads(struct conf *c, const char *v, char **err)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end != '\0' || n < 0 || n > 256) {
		*err = xprintf("'threads' must be 0 to 256");
		return -1;
	}
	c->threads = (unsigned)n;
	return 0;
}

static const struct {
	const char	*name;
	int		(*parse)(struct conf *, const char *, char **);
} conf_keys[] = {
	{ "root", conf_root },
	{ "socket", conf_socket },
	{ "log-level", conf_level },
	{ "allow-uid", conf_uid },
	{ "allow-group", conf_group },
	{ "read-uid", conf_read_uid },
	{ "read-group", conf_read_group },
	{ "threads", conf_threads },
};

char *
conf_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		return xstrdup("/etc/chora/choradd.conf");
	if (x != NULL && x[0] == '/')
		return xprintf("%s/chora/choradd.conf", x);
	return xprintf("%s/.config/chora/choradd.conf", home ? home : "");
}

static int
conf_line(struct conf *c, char *line, char **err)
{
	char *k, *v, *end;

	if ((end = strchr(line, '#')) != NULL)
		*end = '\0';
	k = line + strspn(line, " \t");
	if (*k == '\0' || *k == '\n')
		return 0;
	v = k + strcspn(k, " \t\n");
	if (*v != '\0')
		*v++ = '\0';
	v += strspn(v, " \t");
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n'))
		*--end = '\0';
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		if (strcmp(k, conf_keys[i].name) != 0)
			continue;
		if (*v == '\0') {
			*err = xprintf("'%s' needs a value", k);
			return -1;
		}
		return conf_keys[i].parse(c, v, err);
	}
	*err = xprintf("unknown keyword '%s'", k);
	return -1;
}

int
conf_load(const char *path, bool required, struct conf *c, char **cause)
{
	char *line = NULL, *err = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->log_level = -1;
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		*cause = xprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if (conf_line(c, line, &err) == -1) {
			*cause = xprintf("%s:%d: error: %s", path, lineno, err);
			free(err);
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

void
conf_clear(struct conf *c)
{
	for (size_t i = 0; i < c->nroots; i++)
		free(c->roots[i]);
	free(c->roots);
	free(c->socket);
	free(c->uids);
	free(c->gids);
	free(c->read_uids);
	free(c->read_gids);
	memset(c, 0, sizeof(*c));
}
