/*
 * tmpl_str — UTF-8 text as Python's str sees it: code points for
 * lengths and indexes, Unicode case mapping (through the C.UTF-8
 * locale's tables with the few one-to-many mappings Python adds, like
 * "ß".upper() == "SS"), repr() quoting, strip, find and HTML escaping.
 * Invalid UTF-8 bytes count as one code point each (U+FFFD), so no input
 * can make the decoder read past the end.
 */
#include "tmpl_value.h"

#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

#include "log.h"

static locale_t		utf8_locale;
static pthread_once_t	utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_locale_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8_locale == (locale_t)0)
		log_warnx("C.UTF-8 locale missing: non-ASCII case mapping off");
}

static locale_t
loc(void)
{
	pthread_once(&utf8_once, utf8_locale_init);
	return utf8_locale;
}

uint32_t
utf8_decode(const char *s, size_t n, size_t *adv)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c = u[0];
	size_t need;

	if (c < 0x80) {
		*adv = 1;
		return c;
	}
	if (c >= 0xC2 && c < 0xE0) {
		need = 1;
		c &= 0x1F;
	} else if (c >= 0xE0 && c < 0xF0) {
		need = 2;
		c &= 0x0F;
	} else if (c >= 0xF0 && c < 0xF5) {
		need = 3;
		c &= 0x07;
	} else {
		*adv = 1;
		return 0xFFFD;
	}
	if (need >= n) {
		*adv = 1;
		return 0xFFFD;
	}
	for (size_t i = 1; i <= need; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*adv = 1;
			return 0xFFFD;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	*adv = need + 1;
	return c;
}

void
utf8_encode(uint32_t c, struct buf *b)
{
	char t[4];

	if (c < 0x80) {
		buf_addc(b, (char)c);
		return;
	}
	if (c < 0x800) {
		t[0] = (char)(0xC0 | (c >> 6));
		t[1] = (char)(0x80 | (c & 0x3F));
		buf_add(b, t, 2);
	} else if (c < 0x10000) {
		t[0] = (char)(0xE0 | (c >> 12));
		t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		t[2] = (char)(0x80 | (c & 0x3F));
		buf_add(b, t, 3);
	} else {
		t[0] = (char)(0xF0 | (c >> 18));
		t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		t[3] = (char)(0x80 | (c & 0x3F));
		buf_add(b, t, 4);
	}
}

size_t
utf8_len(const char *s, size_t n)
{
	size_t i = 0, c = 0, adv;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80)
			i++;
		else {
			utf8_decode(s + i, n - i, &adv);
			i += adv;
		}
		c++;
	}
	return c;
}

size_t
utf8_offset(const char *s, size_t n, size_t idx)
{
	size_t i = 0, adv;

	while (idx > 0 && i < n) {
		utf8_decode(s + i, n - i, &adv);
		i += adv;
		idx--;
	}
	return i;
}

uint32_t
uc_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 32 : c;
	return loc() ? (uint32_t)towupper_l((wint_t)c, loc()) : c;
}

uint32_t
uc_lower(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	return loc() ? (uint32_t)towlower_l((wint_t)c, loc()) : c;
}

bool
uc_isupper(uint32_t c)
{
	return uc_lower(c) != c;
}

bool
uc_islower(uint32_t c)
{
	return uc_upper(c) != c || c == 0xDF;
}

bool
uc_isalpha(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	return loc() && iswalpha_l((wint_t)c, loc());
}

bool
uc_isdigit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

bool
uc_isspace(uint32_t c)
{
	if (c < 0x80)
		return c == ' ' || (c >= 0x09 && c <= 0x0D) ||
		    (c >= 0x1C && c <= 0x1F);
	return c == 0x85 || c == 0xA0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Python's str.isprintable: not Cc, Cf, Co, Zl, Zp, Zs (but space). */
bool
uc_isprintable(uint32_t c)
{
	static const uint32_t ranges[][2] = {
		{ 0x00, 0x1F }, { 0x7F, 0xA0 }, { 0xAD, 0xAD },
		{ 0x600, 0x605 }, { 0x61C, 0x61C }, { 0x6DD, 0x6DD },
		{ 0x70F, 0x70F }, { 0x1680, 0x1680 }, { 0x180E, 0x180E },
		{ 0x2000, 0x200F }, { 0x2028, 0x202F }, { 0x205F, 0x2064 },
		{ 0x2066, 0x206F }, { 0x3000, 0x3000 }, { 0xD800, 0xF8FF },
		{ 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFB }, { 0x110BD, 0x110BD },
		{ 0x1D173, 0x1D17A }, { 0xE0001, 0xE0001 },
		{ 0xE0020, 0xE007F }, { 0xF0000, 0x10FFFF },
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return false;
	return true;
}

/* Uppercase mappings to several characters (Unicode SpecialCasing). */
static const struct {
	uint32_t	 c;
	const char	*upper;
} special_upper[] = {
	{ 0xDF, "SS" }, { 0x149, "\xca\xbcN" }, { 0x1F0, "J\xcc\x8c" },
	{ 0xFB00, "FF" }, { 0xFB01, "FI" }, { 0xFB02, "FL" },
	{ 0xFB03, "FFI" }, { 0xFB04, "FFL" }, { 0xFB05, "ST" },
	{ 0xFB06, "ST" },
};

/* Case mapping with Python's special cases (one code point to many). */
static void
map_case(uint32_t c, bool upper, struct buf *b)
{
	for (size_t i = 0; upper && i < sizeof(special_upper) /
	    sizeof(special_upper[0]); i++)
		if (special_upper[i].c == c) {
			buf_addstr(b, special_upper[i].upper);
			return;
		}
	if (!upper && c == 0x130) {
		buf_add(b, "i\xcc\x87", 3);
		return;
	}
	utf8_encode(upper ? uc_upper(c) : uc_lower(c), b);
}

static void
str_map(const char *s, size_t n, struct buf *b, int mode)
{
	size_t i = 0, adv;

	buf_reserve(b, n);	/* ASCII maps byte for byte */
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x80) {
			char c = (char)ch;
			if (mode == 1 && c >= 'a' && c <= 'z')
				c = (char)(c - 32);
			else if (mode == 0 && c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			else if (mode == 2 && (c | 0x20) >= 'a' &&
			    (c | 0x20) <= 'z')
				c = (char)(c ^ 0x20);
			if (b->len + 1 < b->cap)
				b->data[b->len++] = c;
			else
				buf_addc(b, c);
			i++;
			continue;
		}
		uint32_t c = utf8_decode(s + i, n - i, &adv);
		if (mode == 2)
			map_case(c, uc_islower(c), b);
		else
			map_case(c, mode == 1, b);
		i += adv;
	}
	b->data[b->len] = '\0';
}

void
str_upper(const char *s, size_t n, struct buf *b)
{
	str_map(s, n, b, 1);
}

void
str_lower(const char *s, size_t n, struct buf *b)
{
	str_map(s, n, b, 0);
}

void
str_swapcase(const char *s, size_t n, struct buf *b)
{
	str_map(s, n, b, 2);
}

static bool
uc_iscased(uint32_t c)
{
	return uc_isupper(c) || uc_islower(c) || uc_upper(c) != uc_lower(c);
}

/* Titlecase (str.title, str.capitalize): differs from upper for a few. */
static const struct {
	uint32_t	 c;
	const char	*title;
} special_title[] = {
	{ 0xDF, "Ss" }, { 0x149, "\xca\xbcN" }, { 0x1C4, "\xc7\x85" },
	{ 0x1C5, "\xc7\x85" }, { 0x1C6, "\xc7\x85" }, { 0x1C7, "\xc7\x88" },
	{ 0x1C8, "\xc7\x88" }, { 0x1C9, "\xc7\x88" }, { 0x1CA, "\xc7\x8b" },
	{ 0x1CB, "\xc7\x8b" }, { 0x1CC, "\xc7\x8b" }, { 0x1F1, "\xc7\xb2" },
	{ 0x1F2, "\xc7\xb2" }, { 0x1F3, "\xc7\xb2" }, { 0xFB00, "Ff" },
	{ 0xFB01, "Fi" }, { 0xFB02, "Fl" }, { 0xFB03, "Ffi" }, { 0xFB04, "Ffl" },
	{ 0xFB05, "St" }, { 0xFB06, "St" },
};

static void
map_title(uint32_t c, struct buf *b)
{
	for (size_t i = 0; i < sizeof(special_title) /
	    sizeof(special_title[0]); i++)
		if (special_title[i].c == c) {
			buf_addstr(b, special_title[i].title);
			return;
		}
	map_case(c, true, b);
}

/* Python's str.title: a cased letter after an uncased one starts a word. */
void
str_title(const char *s, size_t n, struct buf *b)
{
	size_t i = 0, adv;
	bool prev_cased = false;

	while (i < n) {
		uint32_t c = utf8_decode(s + i, n - i, &adv);
		bool cased = uc_iscased(c);
		if (cased && !prev_cased)
			map_title(c, b);
		else if (cased)
			map_case(c, false, b);
		else
			utf8_encode(c, b);
		prev_cased = cased;
		i += adv;
	}
}

void
str_capitalize(const char *s, size_t n, struct buf *b)
{
	size_t adv;

	if (n == 0)
		return;
	uint32_t c = utf8_decode(s, n, &adv);
	map_title(c, b);
	str_lower(s + adv, n - adv, b);
}

void
str_repr(const char *s, size_t n, struct buf *b)
{
	bool sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
	char q = sq && !dq ? '"' : '\'';
	size_t i = 0, adv;

	buf_addc(b, q);
	while (i < n) {
		uint32_t c = utf8_decode(s + i, n - i, &adv);
		if (c == (uint32_t)q || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\n')
			buf_add(b, "\\n", 2);
		else if (c == '\r')
			buf_add(b, "\\r", 2);
		else if (c == '\t')
			buf_add(b, "\\t", 2);
		else if (c == 0xFFFD && adv == 1)
			buf_printf(b, "\\udc%02x", (unsigned char)s[i]);
		else if (!uc_isprintable(c) || (c >= 0xD800 && c < 0xE000)) {
			if (c < 0x100)
				buf_printf(b, "\\x%02x", c);
			else if (c < 0x10000)
				buf_printf(b, "\\u%04x", c);
			else
				buf_printf(b, "\\U%08x", c);
		} else
			buf_add(b, s + i, adv);
		i += adv;
	}
	buf_addc(b, q);
}

static bool
in_chars(uint32_t c, const char *chars, size_t cn)
{
	size_t i = 0, adv;

	while (i < cn) {
		if (utf8_decode(chars + i, cn - i, &adv) == c)
			return true;
		i += adv;
	}
	return false;
}

void
str_strip(const char *s, size_t n, const char *chars, size_t cn, int which,
    size_t *startp, size_t *endp)
{
	size_t start = 0, end = n, adv;

	if (which & 1) {
		while (start < end) {
			uint32_t c = utf8_decode(s + start, end - start, &adv);
			if (chars ? !in_chars(c, chars, cn) : !uc_isspace(c))
				break;
			start += adv;
		}
	}
	if (which & 2) {
		while (end > start) {
			size_t p = end - 1;
			while (p > start && ((unsigned char)s[p] & 0xC0) == 0x80)
				p--;
			uint32_t c = utf8_decode(s + p, end - p, &adv);
			if (p + adv != end)
				p = end - 1, c = 0xFFFD;
			if (chars ? !in_chars(c, chars, cn) : !uc_isspace(c))
				break;
			end = p;
		}
	}
	*startp = start;
	*endp = end;
}

const char *
str_find(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (nn == 0)
		return h;
	if (nn > hn)
		return NULL;
	return memmem(h, hn, nd, nn);
}

static const char *
html_entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&#34;";
	case '\'': return "&#39;";
	}
	return NULL;
}

char *
html_escape_into(const char *s, size_t n, char *dst)
{
	for (size_t i = 0; i < n; i++) {
		const char *rep = html_entity(s[i]);
		if (rep == NULL)
			*dst++ = s[i];
		else
			while (*rep != '\0')
				*dst++ = *rep++;
	}
	*dst = '\0';
	return dst;
}

void
html_escape(const char *s, size_t n, struct buf *b)
{
	size_t last = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&#34;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_add(b, s + last, i - last);
		buf_addstr(b, rep);
		last = i + 1;
	}
	buf_add(b, s + last, n - last);
}
