/*
 * buf — a growable byte buffer on the heap.
 *
 * Used wherever text is built up piece by piece (rendered output, messages,
 * canonical JSON).  The data is always NUL-terminated for convenience; len
 * excludes the NUL.  The owner calls buf_free(), or buf_detach() to take
 * the bytes (then free() them).
 */
#ifndef CHORA_BUF_H
#define CHORA_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

void	 buf_init(struct buf *b);
void	 buf_free(struct buf *b);
void	 buf_reset(struct buf *b);		/* len = 0, keep memory */
void	 buf_reserve(struct buf *b, size_t extra);
void	 buf_add(struct buf *b, const void *p, size_t n);
void	 buf_addc(struct buf *b, char c);
void	 buf_addstr(struct buf *b, const char *s);
void	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Hand the bytes to the caller (never NULL) and leave b empty. */
char	*buf_detach(struct buf *b, size_t *lenp);

#endif
