/*
 * out — what both backends share: formatting helpers, values as text
 * and as JSON, and the progress line on a terminal.
 */
#include "out.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "xmalloc.h"

void
out_linef(const struct out_ops *out, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	out->line(s);
	free(s);
}

void
out_errorf(const struct out_ops *out, const char *fmt, ...)
{
	struct client_error err = { .status = CLIENT_OK };
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&err.message, fmt, ap);
	va_end(ap);
	out->error(&err);
	client_error_clear(&err);
}

void
out_note(const char *fmt, ...)
{
	va_list ap;

	if (!isatty(STDERR_FILENO))
		return;
	va_start(ap, fmt);
	fputs("chorac: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- progress ----------------------------------------------------------- */

static bool out_progress_shown;

bool
out_progress_wanted(void)
{
	return isatty(STDERR_FILENO) == 1;
}

void
out_progress(unsigned long long done, unsigned long long total,
    const char *id)
{
	fprintf(stderr, "\r\033[K%llu/%llu %.60s", done, total,
	    id != NULL ? id : "");
	fflush(stderr);
	out_progress_shown = true;
}

void
out_progress_end(void)
{
	if (out_progress_shown)
		fprintf(stderr, "\r\033[K");
	out_progress_shown = false;
}

/* ---- values -------------------------------------------------------------- */

/*
 * Valid UTF-8 for s (n bytes): s itself, or a copy with each invalid
 * byte replaced by U+FFFD (allocated into *tmp).
 */
static const char *
utf8_clean(const char *s, size_t n, size_t *outn, char **tmp)
{
	struct buf b = BUF_INIT;
	size_t i = 0;
	json_t *probe;

	*tmp = NULL;
	*outn = n;
	if ((probe = json_stringn(s, n)) != NULL) {
		json_decref(probe);
		return s;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ?
		    3 : (c >> 3) == 30 ? 4 : 0;
		if (len > 0 && c != 0 && i + len <= n) {
			json_t *one = json_stringn(s + i, len);
			if (one != NULL) {
				json_decref(one);
				buf_add(&b, s + i, len);
				i += len;
				continue;
			}
		}
		buf_addstr(&b, "\xef\xbf\xbd");
		i++;
	}
	*tmp = buf_detach(&b, outn);
	return *tmp;
}

json_t *
out_to_json(const msgpack_object *o)
{
	json_t *v;
	char *tmp;
	const char *s;
	size_t n;

	switch (o->type) {
	case MSGPACK_OBJECT_BOOLEAN:
		return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return o->via.u64 > (uint64_t)INT64_MAX ?
		    json_real((double)o->via.u64) :
		    json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR:
	case MSGPACK_OBJECT_BIN:
		s = utf8_clean(o->via.str.ptr, o->via.str.size, &n, &tmp);
		v = json_stringn(s, n);
		free(tmp);
		return v;
	case MSGPACK_OBJECT_ARRAY:
		v = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(v,
			    out_to_json(&o->via.array.ptr[i]));
		return v;
	case MSGPACK_OBJECT_MAP:
		v = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			char *k = kv->key.type == MSGPACK_OBJECT_STR ?
			    xmemdup(kv->key.via.str.ptr, kv->key.via.str.size) :
			    xstrdup("?");
			json_object_set_new(v, k, out_to_json(&kv->val));
			free(k);
		}
		return v;
	default:
		return json_null();
	}
}

char *
out_value(const msgpack_object *map, enum proto_field f)
{
	const msgpack_object *v = proto_get(map, f);
	struct buf b = BUF_INIT;
	json_t *j;
	char *s;

	if (v == NULL)
		return xstrdup("");
	switch (v->type) {
	case MSGPACK_OBJECT_STR:
		return xmemdup(v->via.str.ptr, v->via.str.size);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return xprintf("%llu", (unsigned long long)v->via.u64);
	case MSGPACK_OBJECT_BOOLEAN:
		return xstrdup(v->via.boolean ? "yes" : "no");
	case MSGPACK_OBJECT_ARRAY:
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			const msgpack_object *x = &v->via.array.ptr[i];
			if (i > 0)
				buf_addstr(&b, ", ");
			if (x->type == MSGPACK_OBJECT_STR)
				buf_add(&b, x->via.str.ptr, x->via.str.size);
		}
		buf_addc(&b, '\0');
		return buf_detach(&b, NULL);
	default:
		j = out_to_json(v);
		s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY |
		    JSON_SORT_KEYS);
		json_decref(j);
		return s != NULL ? s : xstrdup("");
	}
}
