/*
 * out_text — the backend for people: aligned tables with a header line,
 * plain lines, raw text, errors on stderr in the form editors and
 * compilers use ("file:line: error: message").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "out.h"
#include "xmalloc.h"

static void
text_result(const msgpack_object *res)
{
	(void)res;
}

/* Display width of a UTF-8 string (code points; good enough here). */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* One cell: value of col in row (allocated), shortened when asked. */
static char *
cell(const msgpack_object *row, const struct out_col *col)
{
	char *s = out_value(row, col->field);

	if ((col->flags & OUT_SHORT) && strlen(s) > 12)
		s[12] = '\0';
	return s;
}

static void
print_cell(const char *s, size_t w, const struct out_col *col, bool last)
{
	size_t pad = w - width(s);

	if (col->flags & OUT_RIGHT)
		printf("%*s%s", (int)pad, "", s);
	else
		printf("%s%*s", s, last ? 0 : (int)pad, "");
	if (!last)
		fputs("  ", stdout);
}

static void
text_table(const struct out_col *cols, size_t ncols,
    const msgpack_object *rows)
{
	size_t nrows, *w;
	char ***cells;

	if (rows == NULL || rows->type != MSGPACK_OBJECT_ARRAY ||
	    (nrows = rows->via.array.size) == 0)
		return;
	w = xcalloc(ncols, sizeof(*w));
	cells = xcalloc(nrows, sizeof(*cells));
	for (size_t c = 0; c < ncols; c++)
		w[c] = width(cols[c].title);
	for (size_t r = 0; r < nrows; r++) {
		cells[r] = xcalloc(ncols, sizeof(char *));
		for (size_t c = 0; c < ncols; c++) {
			cells[r][c] = cell(&rows->via.array.ptr[r], &cols[c]);
			if (width(cells[r][c]) > w[c])
				w[c] = width(cells[r][c]);
		}
	}
	for (size_t c = 0; c < ncols; c++)
		print_cell(cols[c].title, w[c], &cols[c], c + 1 == ncols);
	putchar('\n');
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			print_cell(cells[r][c], w[c], &cols[c], c + 1 == ncols);
			free(cells[r][c]);
		}
		putchar('\n');
		free(cells[r]);
	}
	free(cells);
	free(w);
}

static void
text_line(const char *text)
{
	puts(text);
}

static void
text_raw(const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
}

static void
text_failure(const msgpack_object *f)
{
	char *file = out_value(f, PROTO_F_FILE);
	char *line = out_value(f, PROTO_F_LINE);
	char *id = out_value(f, PROTO_F_ID);
	char *msg = out_value(f, proto_get(f, PROTO_F_MESSAGE) != NULL ?
	    PROTO_F_MESSAGE : PROTO_F_REASON);

	if (file[0] != '\0' && line[0] != '\0')
		printf("%s:%s: error: %s\n", file, line, msg);
	else if (file[0] != '\0')
		printf("%s: error: %s\n", file, msg);
	else
		printf("%s: error: %s\n", id[0] ? id : "chora", msg);
	free(file);
	free(line);
	free(id);
	free(msg);
}

/*
 * "time type id path ... message"; a failure's file and line go before
 * its message as "file:line:", the form compilers and editors use.
 */
static void
text_event(const msgpack_object *ev)
{
	static const enum proto_field rest[] = {
		PROTO_F_ID, PROTO_F_PATH, PROTO_F_ENV, PROTO_F_VERSION,
		PROTO_F_STATUS, PROTO_F_FILE, PROTO_F_MESSAGE,
	};
	char *time = out_value(ev, PROTO_F_TIME);
	char *type = out_value(ev, PROTO_F_TYPE);
	char *line = out_value(ev, PROTO_F_LINE);

	printf("%s %-9s", time, type);
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		char *v = out_value(ev, rest[i]);
		if (rest[i] == PROTO_F_FILE && v[0] != '\0')
			printf(" %s%s%s:", v, line[0] != '\0' ? ":" : "", line);
		else if (v[0] != '\0')
			printf(" %s", v);
		free(v);
	}
	putchar('\n');
	fflush(stdout);
	free(line);
	free(time);
	free(type);
}

static void
text_error(const struct client_error *err)
{
	fflush(stdout);
	if (err->file != NULL && err->line > 0)
		fprintf(stderr, "%s:%u: error: %s\n", err->file, err->line,
		    err->message);
	else if (err->file != NULL)
		fprintf(stderr, "%s: error: %s\n", err->file, err->message);
	else
		fprintf(stderr, "chorac: %s\n", err->message);
}

const struct out_ops out_text_ops = {
	.result = text_result,
	.table = text_table,
	.line = text_line,
	.raw = text_raw,
	.failure = text_failure,
	.event = text_event,
	.error = text_error,
};
