/*
 * out — how chorac shows what the daemon answered.
 *
 * Commands never print: they hand the pieces of an answer to an output
 * backend, a table of functions (bgpctl's output.c / output_json.c
 * pattern).  out_text.c shows people aligned tables, lines and raw text;
 * out_json.c prints the whole result as one JSON document (one line per
 * event for a stream) and ignores the pieces meant for people.  --json
 * picks the backend; a command calls both kinds of functions and the
 * backend decides what to show, so each command is written once.
 *
 * Everything a backend prints goes to stdout except errors, which the
 * text backend writes to stderr ("chorac: message", or "file:line:
 * error: message" when the daemon located it) and the JSON backend
 * writes as {"error": {...}} on stdout (and the message on stderr).
 * Progress (out_progress) goes to stderr, only when it is a terminal.
 */
#ifndef CHORAC_OUT_H
#define CHORAC_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

struct client_error;

/* A column of a table: a field of each row's map. */
struct out_col {
	const char	*title;
	enum proto_field field;
	unsigned	 flags;
};
#define OUT_RIGHT	0x1	/* numbers: aligned right */
#define OUT_SHORT	0x2	/* hashes: the first 12 characters */

struct out_ops {
	/* The whole result of the command (JSON: the document). */
	void	(*result)(const msgpack_object *res);
	/* An array of maps as a table (text), one row each. */
	void	(*table)(const struct out_col *cols, size_t ncols,
		    const msgpack_object *rows);
	/* One line for people (text). */
	void	(*line)(const char *text);
	/* Bytes as they are, e.g. a generated file's text (text). */
	void	(*raw)(const char *s, size_t n);
	/* A failure or problem map as "file:line: error: message" (text). */
	void	(*failure)(const msgpack_object *f);
	/* One event of a stream (text: a line; JSON: one line of JSON). */
	void	(*event)(const msgpack_object *ev);
	/* Why the command failed. */
	void	(*error)(const struct client_error *err);
};

extern const struct out_ops out_text_ops;
extern const struct out_ops out_json_ops;

/* out->line with printf formatting. */
void	out_linef(const struct out_ops *out, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* An error of chorac's own (usage of a value, a local file). */
void	out_errorf(const struct out_ops *out, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* A remark for a person: to stderr, only when it is a terminal. */
void	out_note(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * "done/total id" on stderr, rewritten in place, when stderr is a
 * terminal; out_progress_end() clears the line.
 */
bool	out_progress_wanted(void);
void	out_progress(unsigned long long done, unsigned long long total,
	    const char *id);
void	out_progress_end(void);

/*
 * A map field as text for people: strings as they are, numbers in
 * decimal, booleans yes/no, arrays joined with ", ", maps as JSON.
 * Allocated; "" when absent.
 */
char	*out_value(const msgpack_object *map, enum proto_field f);
/* A value converted to JSON (the caller json_decref()s it). */
struct json_t;
struct json_t *out_to_json(const msgpack_object *o);

#endif
