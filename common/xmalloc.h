/*
 * xmalloc — allocation that cannot return NULL.
 *
 * An allocation failure is not something chora can recover from in a
 * useful way, so, as in tmux and OpenBSD's daemons, these exit through
 * fatalx() with the size that failed.  The caller owns every result and
 * releases it with free().
 */
#ifndef CHORA_XMALLOC_H
#define CHORA_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);	/* s may be NULL if n is 0 */
char	*xmemdup(const void *p, size_t n);	/* adds a NUL after n bytes */
int	 xasprintf(char **ret, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **ret, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Allocating printf returning the string, for building messages. */
char	*xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
