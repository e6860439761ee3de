/*
 * proto_check — validating a request against methods.def before any
 * handler runs, as tmux checks a command's arguments before exec and
 * Redis checks arity before a command proc.  A handler can then read its
 * params with proto_get_*() without re-checking types.  Messages name the
 * method and the field, and say what was expected.
 */
#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "xmalloc.h"

/* Is s (n bytes) valid UTF-8 without NUL bytes and overlong forms? */
static bool
check_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	unsigned c, len;
	uint32_t cp;

	while (p < end) {
		c = *p;
		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return false;
		if ((size_t)(end - p) < len)
			return false;
		for (unsigned i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += len;
	}
	return true;
}

char *
proto_quote(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isprint(c) && c != '\\')
			buf_addc(&b, (char)c);
		else
			buf_printf(&b, "\\x%02x", c);
	}
	if (n > 64)
		buf_addstr(&b, "...");
	return buf_detach(&b, NULL);
}

static bool
check_str(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_STR &&
	    check_utf8(o->via.str.ptr, o->via.str.size);
}

/* Is the string o one of "a|b|c"? */
static bool
check_choice(const msgpack_object *o, const char *choices)
{
	return proto_choice_index(choices, o->via.str.ptr,
	    o->via.str.size) != -1;
}

/* Does v have row's type?  Strings must also be UTF-8 without NULs. */
static bool
check_type(const struct proto_param *row, const msgpack_object *v)
{
	const msgpack_object_array *a = &v->via.array;

	switch (row->type) {
	case PROTO_T_BOOL:
		return v->type == MSGPACK_OBJECT_BOOLEAN;
	case PROTO_T_UINT:
		return v->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
	case PROTO_T_STR:
		return check_str(v);
	case PROTO_T_MAP:
		return v->type == MSGPACK_OBJECT_MAP;
	case PROTO_T_STRS:
	case PROTO_T_MAPS:
		if (v->type != MSGPACK_OBJECT_ARRAY)
			return false;
		for (uint32_t i = 0; i < a->size; i++) {
			if (row->type == PROTO_T_STRS ? !check_str(&a->ptr[i]) :
			    a->ptr[i].type != MSGPACK_OBJECT_MAP)
				return false;
		}
		return true;
	}
	return false;
}

/* The first value of v outside row's choices, or NULL. */
static const msgpack_object *
check_choices(const struct proto_param *row, const msgpack_object *v)
{
	if (row->choices == NULL)
		return NULL;
	if (v->type == MSGPACK_OBJECT_STR)
		return check_choice(v, row->choices) ? NULL : v;
	for (uint32_t i = 0; i < v->via.array.size; i++)
		if (!check_choice(&v->via.array.ptr[i], row->choices))
			return &v->via.array.ptr[i];
	return NULL;
}

static char *
check_fail_choice(const struct proto_method_def *m,
    const struct proto_param *row, const msgpack_object *bad)
{
	char *q = proto_quote(bad->via.str.ptr, bad->via.str.size);
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s: field '%s' must be one of ", m->name,
	    proto_field_name(row->field));
	for (const char *p = row->choices; *p != '\0'; p++) {
		if (*p == '|')
			buf_addstr(&b, ", ");
		else
			buf_addc(&b, *p);
	}
	buf_printf(&b, ", not '%s'", q);
	free(q);
	return buf_detach(&b, NULL);
}

/* The row of m (or of the common parameters) named by key, or NULL. */
static const struct proto_param *
check_find(const struct proto_method_def *m, const msgpack_object *key)
{
	const struct proto_shape shapes[2] = { m->params, proto_common_params() };
	const char *name;

	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < shapes[s].n; i++) {
			name = proto_field_name(shapes[s].rows[i].field);
			if (strlen(name) == key->via.str.size &&
			    memcmp(name, key->via.str.ptr, key->via.str.size) == 0)
				return &shapes[s].rows[i];
		}
	}
	return NULL;
}

/* Check one key/value pair; seen[] marks fields given (non-nil). */
static int
check_pair(const struct proto_method_def *m, const msgpack_object_kv *kv,
    bool *seen, bool *given, bool *write, char **cause)
{
	const struct proto_param *row;
	const msgpack_object *bad;
	const char *name;
	char *q;

	if (kv->key.type != MSGPACK_OBJECT_STR) {
		xasprintf(cause, "%s: field names must be strings", m->name);
		return -1;
	}
	if ((row = check_find(m, &kv->key)) == NULL) {
		q = proto_quote(kv->key.via.str.ptr, kv->key.via.str.size);
		xasprintf(cause, "%s: unknown field '%s'", m->name, q);
		free(q);
		return -1;
	}
	name = proto_field_name(row->field);
	if (seen[row->field]) {
		xasprintf(cause, "%s: field '%s' given twice", m->name, name);
		return -1;
	}
	seen[row->field] = true;
	if (kv->val.type == MSGPACK_OBJECT_NIL)
		return 0;
	if (!check_type(row, &kv->val)) {
		xasprintf(cause, "%s: field '%s' must be %s%s", m->name, name,
		    proto_type_name(row->type), row->type == PROTO_T_STR ||
		    row->type == PROTO_T_STRS ? " (UTF-8, no NUL bytes)" : "");
		return -1;
	}
	if ((bad = check_choices(row, &kv->val)) != NULL) {
		*cause = check_fail_choice(m, row, bad);
		return -1;
	}
	given[row->field] = true;
	if (row->presence & PROTO_P_OPT_WRITE)
		*write = true;
	return 0;
}

int
proto_check_request(const struct proto_method_def *m,
    const msgpack_object *params, bool *write, char **cause)
{
	bool seen[PROTO_F__COUNT] = { false }, given[PROTO_F__COUNT] = { false };
	const struct proto_param *row;

	*write = (m->flags & PROTO_MF_WRITE) != 0;
	if (params->type != MSGPACK_OBJECT_MAP) {
		xasprintf(cause, "%s: params must be a map", m->name);
		return -1;
	}
	for (uint32_t i = 0; i < params->via.map.size; i++) {
		if (check_pair(m, &params->via.map.ptr[i], seen, given, write,
		    cause) == -1)
			return -1;
	}
	for (size_t i = 0; i < m->params.n; i++) {
		row = &m->params.rows[i];
		if ((row->presence & PROTO_P_REQ) && !given[row->field]) {
			xasprintf(cause, "%s: field '%s' is required", m->name,
			    proto_field_name(row->field));
			return -1;
		}
	}
	return 0;
}
