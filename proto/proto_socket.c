/*
 * proto_socket — where the daemon's socket is, decided the same way by
 * chorac and choradd (SPEC section 6).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "path.h"
#include "proto.h"
#include "xmalloc.h"

/* The configured path before it is made absolute (allocated). */
static char *
socket_choice(const char *opt)
{
	const char *env;

	if (opt != NULL)
		return xstrdup(opt);
	if ((env = getenv("CHORA_SOCKET")) != NULL && *env != '\0')
		return xstrdup(env);
	if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && *env != '\0')
		return path_join(env, "chora/choradd.sock");
	return xstrdup("/run/chora/choradd.sock");
}

char *
proto_socket_path(const char *opt, char **cause)
{
	struct sockaddr_un sun;
	char *p = socket_choice(opt), *cwd, *abs, *norm;

	if (*p == '\0') {
		free(p);
		*cause = xstrdup("empty socket path");
		return NULL;
	}
	if (*p != '/') {
		if ((cwd = getcwd(NULL, 0)) == NULL) {
			xasprintf(cause, "socket %s: cannot get the current "
			    "directory", p);
			free(p);
			return NULL;
		}
		abs = path_join(cwd, p);
		free(cwd);
		free(p);
		p = abs;
	}
	norm = path_normalize(p);
	free(p);
	if (strlen(norm) >= sizeof(sun.sun_path)) {
		xasprintf(cause, "socket path too long (%zu bytes, at most "
		    "%zu): %s", strlen(norm), sizeof(sun.sun_path) - 1, norm);
		free(norm);
		return NULL;
	}
	return norm;
}
