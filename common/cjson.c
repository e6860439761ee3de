/*
 * cjson — see cjson.h.  jansson parses; the writer is ours because
 * jansson's float formatting (%.17g) is neither shortest nor Python's.
 */
#include "cjson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

json_t *
cjson_parse(const char *text, size_t len, const char *name, char **cause)
{
	json_error_t err;
	json_t *v;

	v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &err);
	if (v == NULL)
		*cause = xprintf("%s:%d: error: %s", name, err.line > 0 ?
		    err.line : 1, err.text);
	return v;
}

char *
cjson_canonical(const char *text, size_t len, const char *name,
    size_t *outlen, char **cause)
{
	struct buf b = BUF_INIT;
	json_t *v;

	if ((v = cjson_parse(text, len, name, cause)) == NULL)
		return NULL;
	cjson_dump(v, &b);
	json_decref(v);
	return buf_detach(&b, outlen);
}

static void
cjson_dump_string(const char *s, size_t len, struct buf *b)
{
	static const char hex[] = "0123456789abcdef";

	buf_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':	buf_addstr(b, "\\\""); continue;
		case '\\':	buf_addstr(b, "\\\\"); continue;
		case '\b':	buf_addstr(b, "\\b"); continue;
		case '\f':	buf_addstr(b, "\\f"); continue;
		case '\n':	buf_addstr(b, "\\n"); continue;
		case '\r':	buf_addstr(b, "\\r"); continue;
		case '\t':	buf_addstr(b, "\\t"); continue;
		}
		if (c < 0x20) {
			char esc[] = { '\\', 'u', '0', '0', hex[c >> 4],
			    hex[c & 15] };
			buf_add(b, esc, sizeof esc);
		} else
			buf_addc(b, (char)c);
	}
	buf_addc(b, '"');
}

/*
 * Python's float repr: the fewest significant digits that read back to d,
 * positional when the decimal exponent is in [-4, 16), else scientific.
 */
static void
cjson_dump_real(double d, struct buf *b)
{
	char digits[40], *e;
	int prec, exp;

	if (!isfinite(d)) {	/* jansson never yields these; be total */
		buf_addstr(b, "null");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(digits, sizeof digits, "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	snprintf(digits, sizeof digits, "%.*e", prec - 1, d);
	e = strchr(digits, 'e');
	exp = atoi(e + 1);
	if (exp < -4 || exp >= 16) {
		buf_addstr(b, digits);
		return;
	}
	int decimals = prec - 1 - exp;
	buf_printf(b, "%.*f", decimals > 0 ? decimals : 0, d);
	if (decimals <= 0)
		buf_addstr(b, ".0");
}

static int
cjson_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
cjson_dump_object(const json_t *v, struct buf *b)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys = xreallocarray(NULL, n ? n : 1, sizeof *keys);
	const char *k;
	json_t *item;

	json_object_foreach((json_t *)v, k, item)
		keys[i++] = k;
	qsort(keys, n, sizeof *keys, cjson_keycmp);
	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		cjson_dump_string(keys[i], strlen(keys[i]), b);
		buf_addc(b, ':');
		cjson_dump(json_object_get(v, keys[i]), b);
	}
	buf_addc(b, '}');
	free(keys);
}

void
cjson_dump(const json_t *v, struct buf *b)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		cjson_dump_object(v, b);
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				buf_addc(b, ',');
			cjson_dump(json_array_get(v, i), b);
		}
		buf_addc(b, ']');
		break;
	case JSON_STRING:
		cjson_dump_string(json_string_value(v), json_string_length(v),
		    b);
		break;
	case JSON_INTEGER:
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		cjson_dump_real(json_real_value(v), b);
		break;
	case JSON_TRUE:
		buf_addstr(b, "true");
		break;
	case JSON_FALSE:
		buf_addstr(b, "false");
		break;
	case JSON_NULL:
		buf_addstr(b, "null");
		break;
	}
}
