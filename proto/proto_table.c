/*
 * proto_table — the C tables generated from methods.def and the error
 * table, with their lookups.
 *
 * methods.def is included once per kind of table.  Each method's and
 * record's rows become a static array ending in a sentinel row (so that a
 * method without parameters still has a valid array); the shapes record
 * the count without it.
 */
#include <string.h>

#include "proto.h"

#define PROTO_UNPAREN(...) __VA_ARGS__

#define ROW(f, t, p, ch, r, doc) \
	{ PROTO_F_##f, PROTO_T_##t, PROTO_P_##p, ch, PROTO_R_##r, doc },
#define SENTINEL { PROTO_F__COUNT, PROTO_T_BOOL, 0, NULL, PROTO_R_NONE, NULL }
#define SHAPE(a) { a, sizeof(a) / sizeof((a)[0]) - 1 }

/* Parameter rows only. */
#define PARAM(f, t, p, doc)		ROW(f, t, p, NULL, NONE, doc)
#define PARAM_ONEOF(f, t, p, ch, doc)	ROW(f, t, p, ch, NONE, doc)
#define RESULT(f, t, p, doc)
#define RESULT_OF(f, t, p, r, doc)
#define PROTO_METHOD(id, name, flags, doc, rows)			\
	static const struct proto_param params_##id[] = {		\
		PROTO_UNPAREN rows SENTINEL };
#define PROTO_COMMON(rows)						\
	static const struct proto_param common_params[] = {		\
		PROTO_UNPAREN rows SENTINEL };
#include "methods.def"
#undef PARAM
#undef PARAM_ONEOF
#undef RESULT
#undef RESULT_OF

/* Result rows only (methods, records, notifications). */
#define PARAM(f, t, p, doc)
#define PARAM_ONEOF(f, t, p, ch, doc)
#define RESULT(f, t, p, doc)		ROW(f, t, p, NULL, NONE, doc)
#define RESULT_OF(f, t, p, r, doc)	ROW(f, t, p, NULL, r, doc)
#define PROTO_METHOD(id, name, flags, doc, rows)			\
	static const struct proto_param result_##id[] = {		\
		PROTO_UNPAREN rows SENTINEL };
#define PROTO_RECORD(id, name, doc, rows)				\
	static const struct proto_param record_##id[] = {		\
		PROTO_UNPAREN rows SENTINEL };
#define PROTO_NOTIFY(id, name, doc, rows)				\
	static const struct proto_param notify_##id[] = {		\
		PROTO_UNPAREN rows SENTINEL };
#include "methods.def"
#undef PARAM
#undef PARAM_ONEOF
#undef RESULT
#undef RESULT_OF

static const struct proto_method_def methods[] = {
#define PROTO_METHOD(id, name, flags, doc, rows)			\
	{ PROTO_M_##id, name, flags, doc, SHAPE(params_##id),		\
	  SHAPE(result_##id) },
#include "methods.def"
};

static const struct proto_record_def records[] = {
	{ NULL, NULL, { NULL, 0 } },	/* PROTO_R_NONE */
#define PROTO_RECORD(id, name, doc, rows)				\
	{ name, doc, SHAPE(record_##id) },
#include "methods.def"
};

static const struct proto_notify_def notifications[] = {
#define PROTO_NOTIFY(id, name, doc, rows)				\
	{ name, doc, SHAPE(notify_##id) },
#include "methods.def"
};

static const char *const field_names[] = {
#define PROTO_FIELD(id, name) name,
#include "methods.def"
};

static const struct {
	int		 code;
	const char	*name;
	const char	*text;
} errors[] = {
#define PROTO_X(id, num, name, text) { num, name, text },
	PROTO_ERROR_TABLE(PROTO_X)
#undef PROTO_X
};

const struct proto_method_def *
proto_method(enum proto_method m)
{
	return (unsigned)m < PROTO_M__COUNT ? &methods[m] : NULL;
}

const struct proto_notify_def *
proto_notification(enum proto_notify n)
{
	return (unsigned)n < PROTO_N__COUNT ? &notifications[n] : NULL;
}

const struct proto_record_def *
proto_record(enum proto_record r)
{
	return r != PROTO_R_NONE && (unsigned)r < PROTO_R__COUNT ?
	    &records[r] : NULL;
}

struct proto_shape
proto_common_params(void)
{
	return (struct proto_shape)SHAPE(common_params);
}

const char *
proto_field_name(enum proto_field f)
{
	return (unsigned)f < PROTO_F__COUNT ? field_names[f] : "?";
}

const char *
proto_type_name(enum proto_type t)
{
	static const char *const names[] = {
		[PROTO_T_BOOL] = "a boolean",
		[PROTO_T_UINT] = "a non-negative integer",
		[PROTO_T_STR] = "a string",
		[PROTO_T_STRS] = "an array of strings",
		[PROTO_T_MAP] = "a map",
		[PROTO_T_MAPS] = "an array of maps",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ?
	    names[t] : "?";
}

const struct proto_method_def *
proto_method_find(const char *name, size_t len)
{
	for (size_t i = 0; i < PROTO_M__COUNT; i++) {
		if (strlen(methods[i].name) == len &&
		    memcmp(methods[i].name, name, len) == 0)
			return &methods[i];
	}
	return NULL;
}

const char *
proto_strerror(int code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return errors[i].text;
	return "unknown error";
}

const char *
proto_error_name(int code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return errors[i].name;
	return NULL;
}

const char *
proto_param_choices(enum proto_method m, enum proto_field f)
{
	const struct proto_method_def *d = proto_method(m);

	for (size_t i = 0; d != NULL && i < d->params.n; i++)
		if (d->params.rows[i].field == f)
			return d->params.rows[i].choices;
	return NULL;
}

int
proto_choice_index(const char *choices, const char *s, size_t n)
{
	const char *p = choices, *bar;
	size_t len;

	for (int i = 0; p != NULL; i++, p = bar != NULL ? bar + 1 : NULL) {
		bar = strchr(p, '|');
		len = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (len == n && memcmp(p, s, n) == 0)
			return i;
	}
	return -1;
}
