/*
 * conf — the daemon's own configuration file, choradd.conf.
 *
 * One setting a line, "keyword value", '#' starting a comment:
 *
 *	root /srv/app              a project root to serve (repeatable)
 *	socket /run/chora/choradd.sock
 *	log-level info             error, warn, info or debug
 *	allow-uid 1001             full access for this uid (repeatable)
 *	allow-group deploy         ... or for members of this group
 *	read-uid 1002              queries only (no method that writes)
 *	read-group auditors        ... for members of this group
 *	threads 2                  render workers (0: one per CPU)
 *
 * Looked for at /etc/chora/choradd.conf when running as root, else at
 * $XDG_CONFIG_HOME/chora/choradd.conf (~/.config/...); a missing default
 * file is no error, a missing named one (--config) is.
 *
 * Ownership: conf_load() fills a struct conf the caller releases with
 * conf_clear().
 */
#ifndef CHORA_CONF_H
#define CHORA_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct conf {
	char	**roots;
	size_t	 nroots;
	char	*socket;
	int	 log_level;	/* -1: not set */
	uid_t	*uids;
	size_t	 nuids;
	gid_t	*gids;
	size_t	 ngids;
	uid_t	*read_uids;	/* read-only access */
	size_t	 nread_uids;
	gid_t	*read_gids;
	size_t	 nread_gids;
	unsigned threads;
};

/* The default file for this user (allocated). */
char	*conf_default_path(void);
/*
 * Read path into *c (which conf_load() initialises).  required: a
 * missing file is an error.  -1 with *cause "file:line: error: ...".
 */
int	conf_load(const char *path, bool required, struct conf *c,
	    char **cause);
void	conf_clear(struct conf *c);

#endif
