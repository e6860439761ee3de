/*
 * tmpl_lex — see tmpl_lex.h.  A hand-written scanner that follows the
 * regular expressions of Jinja2 3.x's lexer rule by rule: the root state
 * looks for the next "{{", "{%" or "{#"; expression states try the end of
 * tag first (unless brackets are open, as Jinja2's balancing stack does),
 * then whitespace, float, integer, name, string and operator.
 */
#include "tmpl_lex.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tmpl_limits.h"
#include "tmpl_value.h"
#include "xmalloc.h"


struct lex {
	struct arena		*a;
	const struct tmpl_lex_opts *o;
	const char		*s;	/* normalized source */
	size_t			 n;
	size_t			 pos;
	int			 line;
	struct token		*t;
	size_t			 nt, capt;
	struct tmpl_error	*err;
};

static int
lex_fail(struct lex *lx, int line, const char *fmt, ...)
{
	va_list ap;

	if (lx->err->message == NULL) {
		lx->err->kind = TMPL_ERR_SYNTAX;
		lx->err->line = line;
		va_start(ap, fmt);
		if (xvasprintf(&lx->err->message, fmt, ap) == -1)
			lx->err->message = NULL;
		va_end(ap);
	}
	return -1;
}

static struct token *
lex_push(struct lex *lx, int type, int line, const char *s, size_t len)
{
	struct token *t;

	if (lx->nt == lx->capt) {
		size_t ncap = lx->capt == 0 ? 64 : lx->capt * 2;
		lx->t = arena_realloc(lx->a, lx->t, lx->capt * sizeof(*t),
		    ncap * sizeof(*t));
		lx->capt = ncap;
	}
	t = &lx->t[lx->nt++];
	t->type = (uint8_t)type;
	t->op = 0;
	t->line = line;
	t->s = s;
	t->len = len;
	return t;
}

static int
count_nl(const char *s, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++)
		c += s[i] == '\n';
	return c;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* \r\n and \r to \n; drop one trailing newline unless asked to keep it. */
static void
lex_normalize(struct lex *lx, const char *src, size_t len)
{
	char *d = arena_alloc(lx->a, len + 1);
	size_t j = 0;

	for (size_t i = 0; i < len; i++) {
		if (src[i] == '\r') {
			d[j++] = '\n';
			if (i + 1 < len && src[i + 1] == '\n')
				i++;
		} else
			d[j++] = src[i];
	}
	if (!lx->o->keep_trailing_newline && j > 0 && d[j - 1] == '\n')
		j--;
	d[j] = '\0';
	lx->s = d;
	lx->n = j;
}

/* Emit template text s[from, to), applying the opener's strip rules. */
static void
lex_data(struct lex *lx, size_t from, size_t to, char mod, bool is_var)
{
	const char *s = lx->s;
	size_t end = to;

	if (mod == '-') {
		while (end > from && is_ws(s[end - 1]))
			end--;
	} else if (mod != '+' && lx->o->lstrip_blocks && !is_var) {
		size_t l = to;
		while (l > from && s[l - 1] != '\n')
			l--;
		bool line_start = l > from || from == 0 || s[from - 1] == '\n';
		if (line_start && l < to) {
			size_t k = l;
			while (k < to && is_ws(s[k]))
				k++;
			if (k == to)
				end = l;
		}
	}
	if (end > from)
		lex_push(lx, TK_DATA, lx->line, s + from, end - from);
	lx->line += count_nl(s + from, to - from);
}

/* After a tag's closing bracket: -: skip all whitespace; trim: one \n. */
static void
lex_after_close(struct lex *lx, char mod, bool trim)
{
	if (mod == '-') {
		while (lx->pos < lx->n && is_ws(lx->s[lx->pos])) {
			lx->line += lx->s[lx->pos] == '\n';
			lx->pos++;
		}
	} else if (mod != '+' && trim && lx->pos < lx->n &&
	    lx->s[lx->pos] == '\n') {
		lx->pos++;
		lx->line++;
	}
}

static int
lex_comment(struct lex *lx)
{
	int start = lx->line;
	const char *end = NULL;
	size_t p = lx->pos;

	for (size_t i = p; i + 1 < lx->n; i++)
		if (lx->s[i] == '#' && lx->s[i + 1] == '}') {
			end = lx->s + i;
			break;
		}
	if (end == NULL)
		return lex_fail(lx, start, "Missing end of comment tag");
	size_t q = (size_t)(end - lx->s);
	char mod = q > p && (lx->s[q - 1] == '-' || lx->s[q - 1] == '+') ?
	    lx->s[q - 1] : 0;
	lx->line += count_nl(lx->s + p, q - p);
	lx->pos = q + 2;
	lex_after_close(lx, mod, lx->o->trim_blocks);
	return 0;
}

/* Does "{%[-+]? raw [-]?%}" start at pos?  Sets *after and *close_mod. */
static bool
lex_match_tag_word(struct lex *lx, size_t pos, const char *word,
    size_t *after, char *open_mod, char *close_mod)
{
	const char *s = lx->s;
	size_t n = lx->n, p = pos + 2, wl = strlen(word);

	*open_mod = 0;
	if (p < n && (s[p] == '-' || s[p] == '+'))
		*open_mod = s[p++];
	while (p < n && is_ws(s[p]))
		p++;
	if (p + wl > n || memcmp(s + p, word, wl) != 0)
		return false;
	p += wl;
	while (p < n && is_ws(s[p]))
		p++;
	*close_mod = 0;
	if (p < n && (s[p] == '-' || s[p] == '+')) {
		*close_mod = s[p];
		p++;
	}
	if (p + 2 > n || s[p] != '%' || s[p + 1] != '}')
		return false;
	if (*close_mod == '+' && strcmp(word, "raw") == 0)
		return false;	/* raw's opener has no + form */
	*after = p + 2;
	return true;
}

static int
lex_raw(struct lex *lx, size_t after, char close_mod)
{
	int start = lx->line;

	lx->line += count_nl(lx->s + lx->pos, after - lx->pos);
	lx->pos = after;
	if (close_mod == '-')
		lex_after_close(lx, '-', false);
	for (size_t i = lx->pos; i + 1 < lx->n; i++) {
		size_t end;
		char om, cm;
		if (lx->s[i] != '{' || lx->s[i + 1] != '%')
			continue;
		if (!lex_match_tag_word(lx, i, "endraw", &end, &om, &cm))
			continue;
		lex_data(lx, lx->pos, i, om, false);
		lx->line += count_nl(lx->s + i, end - i);
		lx->pos = end;
		lex_after_close(lx, cm, lx->o->trim_blocks);
		return 0;
	}
	return lex_fail(lx, start, "Missing end of raw directive");
}

static const struct {
	const char	*s;
	int		 op;
} lex_ops[] = {
	{ "**", TO_POW }, { "//", TO_FLOORDIV }, { "==", TO_EQ },
	{ "!=", TO_NE }, { ">=", TO_GTEQ }, { "<=", TO_LTEQ },
	{ "+", TO_ADD }, { "-", TO_SUB }, { "/", TO_DIV }, { "*", TO_MUL },
	{ "%", TO_MOD }, { "~", TO_TILDE }, { "[", TO_LBRACKET },
	{ "]", TO_RBRACKET }, { "(", TO_LPAREN }, { ")", TO_RPAREN },
	{ "{", TO_LBRACE }, { "}", TO_RBRACE }, { ">", TO_GT }, { "<", TO_LT },
	{ "=", TO_ASSIGN }, { ".", TO_DOT }, { ":", TO_COLON }, { "|", TO_PIPE },
	{ ",", TO_COMMA }, { ";", TO_SEMICOLON },
};

const char *
tmpl_op_str(int op)
{
	for (size_t i = 0; i < sizeof(lex_ops) / sizeof(lex_ops[0]); i++)
		if (lex_ops[i].op == op)
			return lex_ops[i].s;
	return "?";
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* (\d+_)*\d+ at p; returns the end or p when none. */
static size_t
scan_digits(const char *s, size_t n, size_t p)
{
	size_t q = p;

	if (q >= n || !is_digit(s[q]))
		return p;
	for (;;) {
		while (q < n && is_digit(s[q]))
			q++;
		if (q + 1 < n && s[q] == '_' && is_digit(s[q + 1]))
			q++;
		else
			return q;
	}
}

/* A float literal at p (Jinja2's float_re), or p. */
static size_t
scan_float(const char *s, size_t n, size_t p)
{
	size_t q = scan_digits(s, n, p), r, e;

	if (q == p || (p > 0 && s[p - 1] == '.'))
		return p;
	r = q;
	if (r < n && s[r] == '.') {
		size_t f = scan_digits(s, n, r + 1);
		if (f > r + 1)
			r = f;
	}
	if (r < n && (s[r] == 'e' || s[r] == 'E')) {
		e = r + 1;
		if (e < n && (s[e] == '+' || s[e] == '-'))
			e++;
		size_t x = scan_digits(s, n, e);
		if (x > e)
			return x;
	}
	return r > q ? r : p;
}

static bool
is_digit_base(char c, int base)
{
	if (base == 2)
		return c == '0' || c == '1';
	if (base == 8)
		return c >= '0' && c <= '7';
	if (base == 16)
		return is_digit(c) || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');
	return is_digit(c);
}

/* An integer literal at p (Jinja2's integer_re), or p. */
static size_t
scan_int(const char *s, size_t n, size_t p)
{
	size_t q = p;

	if (q + 1 < n && s[q] == '0' && str_in_set(s[q + 1], "bBoOxX") &&
	    s[q + 1] != '\0') {
		char c = (char)(s[q + 1] | 0x20);
		int base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
		size_t r = q + 2;
		for (;;) {
			if (r < n && s[r] == '_' && r + 1 < n &&
			    is_digit_base(s[r + 1], base))
				r += 2;
			else if (r < n && is_digit_base(s[r], base))
				r++;
			else
				break;
		}
		return r > q + 2 ? r : p;
	}
	if (q < n && is_digit(s[q])) {
		q++;
		for (;;) {
			if (q < n && s[q] == '_' && q + 1 < n &&
			    is_digit(s[q + 1]))
				q += 2;
			else if (q < n && is_digit(s[q]))
				q++;
			else
				break;
		}
		/* "0" followed by digits is not a Python literal. */
		if (s[p] == '0') {
			for (size_t i = p; i < q; i++)
				if (s[i] != '0' && s[i] != '_')
					return p + 1;
		}
		return q;
	}
	return p;
}

static bool
is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

static bool
is_name_char(unsigned char c)
{
	return is_name_start(c) || is_digit((char)c);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Python "unicode-escape" decoding of a string literal's body. */
static void
lex_unescape(const char *s, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c != '\\' || i + 1 >= n) {
			buf_addc(b, c);
			continue;
		}
		char e = s[++i];
		int digits = 0;
		switch (e) {
		case '\n': break;
		case '\\': buf_addc(b, '\\'); break;
		case '\'': buf_addc(b, '\''); break;
		case '"': buf_addc(b, '"'); break;
		case 'a': buf_addc(b, '\a'); break;
		case 'b': buf_addc(b, '\b'); break;
		case 'f': buf_addc(b, '\f'); break;
		case 'n': buf_addc(b, '\n'); break;
		case 'r': buf_addc(b, '\r'); break;
		case 't': buf_addc(b, '\t'); break;
		case 'v': buf_addc(b, '\v'); break;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			if (e >= '0' && e <= '7') {
				uint32_t v = 0;
				int k = 0;
				while (k < 3 && i < n && s[i] >= '0' &&
				    s[i] <= '7') {
					v = v * 8 + (uint32_t)(s[i] - '0');
					i++;
					k++;
				}
				i--;
				utf8_encode(v, b);
			} else {
				buf_addc(b, '\\');
				buf_addc(b, e);
			}
		}
		if (digits > 0) {
			uint32_t v = 0;
			int k;
			for (k = 0; k < digits && i + 1 + (size_t)k < n; k++) {
				int h = hexval(s[i + 1 + (size_t)k]);
				if (h < 0)
					break;
				v = v * 16 + (uint32_t)h;
			}
			if (k == digits && v <= 0x10FFFF) {
				utf8_encode(v, b);
				i += (size_t)digits;
			} else {
				buf_addc(b, '\\');
				buf_addc(b, e);
			}
		}
	}
}

static int
lex_string(struct lex *lx)
{
	const char *s = lx->s;
	char q = s[lx->pos];
	size_t p = lx->pos + 1;
	bool esc = false;

	while (p < lx->n && s[p] != q) {
		if (s[p] == '\\') {
			if (p + 1 >= lx->n)
				break;
			esc = true;
			p++;
		}
		p++;
	}
	if (p >= lx->n)
		return lex_fail(lx, lx->line, "unexpected char %s at %zu",
		    q == '\'' ? "\"'\"" : "'\"'", lx->pos);
	struct token *t = lex_push(lx, TK_STRING, lx->line, s + lx->pos + 1,
	    p - lx->pos - 1);
	if (esc) {
		struct buf b = BUF_INIT;
		lex_unescape(t->s, t->len, &b);
		t->s = arena_memdup(lx->a, b.data == NULL ? "" : b.data, b.len);
		t->len = b.len;
		buf_free(&b);
	}
	lx->line += count_nl(s + lx->pos, p - lx->pos);
	lx->pos = p + 1;
	return 0;
}

/* The end of the current tag at pos? Sets *mod ('-', '+' or 0). */
static bool
lex_tag_end(struct lex *lx, bool is_var, char *mod, size_t *len)
{
	const char *s = lx->s + lx->pos;
	size_t left = lx->n - lx->pos;
	char c = is_var ? '}' : '%';

	*mod = 0;
	if (left >= 3 && (s[0] == '-' || (s[0] == '+' && !is_var)) &&
	    s[1] == c && s[2] == '}') {
		*mod = s[0];
		*len = 3;
		return true;
	}
	if (left >= 2 && s[0] == c && s[1] == '}') {
		*len = 2;
		return true;
	}
	return false;
}

static int
lex_operator(struct lex *lx, int *balance, char *stack)
{
	const char *s = lx->s + lx->pos;
	size_t left = lx->n - lx->pos;

	for (size_t i = 0; i < sizeof(lex_ops) / sizeof(lex_ops[0]); i++) {
		size_t l = strlen(lex_ops[i].s);
		if (l > left || memcmp(s, lex_ops[i].s, l) != 0)
			continue;
		int op = lex_ops[i].op;
		if (op == TO_LPAREN || op == TO_LBRACKET || op == TO_LBRACE) {
			if (*balance >= TMPL_LEX_MAXBALANCE)
				return lex_fail(lx, lx->line,
				    "too many open brackets");
			stack[(*balance)++] = *s == '(' ? ')' :
			    *s == '[' ? ']' : '}';
		} else if (op == TO_RPAREN || op == TO_RBRACKET ||
		    op == TO_RBRACE) {
			if (*balance == 0)
				return lex_fail(lx, lx->line,
				    "unexpected '%c'", *s);
			if (stack[*balance - 1] != *s)
				return lex_fail(lx, lx->line,
				    "unexpected '%c', expected '%c'", *s,
				    stack[*balance - 1]);
			(*balance)--;
		}
		struct token *t = lex_push(lx, TK_OP, lx->line, s, l);
		t->op = (uint8_t)op;
		lx->pos += l;
		return 0;
	}
	return lex_fail(lx, lx->line, "unexpected char '%c' at %zu", *s,
	    lx->pos);
}

/* Tokens of one {{ }} or {% %} up to and including its end. */
static int
lex_tag(struct lex *lx, bool is_var)
{
	char stack[TMPL_LEX_MAXBALANCE];
	int balance = 0;

	while (lx->pos < lx->n) {
		const char *s = lx->s;
		size_t p = lx->pos, q, len;
		char mod;

		if (balance == 0 && lex_tag_end(lx, is_var, &mod, &len)) {
			lex_push(lx, is_var ? TK_VAR_END : TK_BLOCK_END,
			    lx->line, s + p, len);
			lx->pos += len;
			lex_after_close(lx, mod, !is_var && lx->o->trim_blocks);
			return 0;
		}
		if (is_ws(s[p])) {
			while (lx->pos < lx->n && is_ws(s[lx->pos])) {
				lx->line += s[lx->pos] == '\n';
				lx->pos++;
			}
		} else if ((q = scan_float(s, lx->n, p)) > p) {
			lex_push(lx, TK_FLOAT, lx->line, s + p, q - p);
			lx->pos = q;
		} else if ((q = scan_int(s, lx->n, p)) > p) {
			lex_push(lx, TK_INT, lx->line, s + p, q - p);
			lx->pos = q;
		} else if (is_name_start((unsigned char)s[p])) {
			q = p;
			while (q < lx->n && is_name_char((unsigned char)s[q]))
				q++;
			lex_push(lx, TK_NAME, lx->line, s + p, q - p);
			lx->pos = q;
		} else if (s[p] == '\'' || s[p] == '"') {
			if (lex_string(lx) == -1)
				return -1;
		} else if (lex_operator(lx, &balance, stack) == -1)
			return -1;
	}
	return 0;	/* end of source inside a tag: the parser complains */
}

/* The next "{{", "{%" or "{#" at or after p, or n. */
static size_t
lex_find_open(const char *s, size_t n, size_t p)
{
	while (p + 1 < n) {
		const char *q = memchr(s + p, '{', n - p - 1);
		if (q == NULL)
			return n;
		p = (size_t)(q - s);
		if (s[p + 1] == '{' || s[p + 1] == '%' || s[p + 1] == '#')
			return p;
		p++;
	}
	return n;
}

int
tmpl_lex(struct arena *a, const char *src, size_t len,
    const struct tmpl_lex_opts *o, struct token **toks, size_t *ntoks,
    struct tmpl_error *err)
{
	struct lex lx = { .a = a, .o = o, .line = 1, .err = err };

	lex_normalize(&lx, src, len);
	while (lx.pos < lx.n) {
		size_t open = lex_find_open(lx.s, lx.n, lx.pos);
		if (open == lx.n) {
			lex_data(&lx, lx.pos, lx.n, 0, true);
			lx.pos = lx.n;
			break;
		}
		char kind = lx.s[open + 1];
		char mod = open + 2 < lx.n && (lx.s[open + 2] == '-' ||
		    lx.s[open + 2] == '+') ? lx.s[open + 2] : 0;
		size_t after;
		char om, cm;
		if (kind == '%' && lex_match_tag_word(&lx, open, "raw", &after,
		    &om, &cm)) {
			lex_data(&lx, lx.pos, open, om, false);
			lx.pos = open;
			if (lex_raw(&lx, after, cm) == -1)
				return -1;
			continue;
		}
		lex_data(&lx, lx.pos, open, mod, kind == '{');
		lx.pos = open + 2 + (mod != 0);
		if (kind == '#') {
			if (lex_comment(&lx) == -1)
				return -1;
			continue;
		}
		lex_push(&lx, kind == '{' ? TK_VAR_BEGIN : TK_BLOCK_BEGIN,
		    lx.line, lx.s + open, 2);
		if (lex_tag(&lx, kind == '{') == -1)
			return -1;
	}
	lex_push(&lx, TK_EOF, lx.nt > 0 ? lx.t[lx.nt - 1].line : lx.line,
	    lx.s + lx.n, 0);
	*toks = lx.t;
	*ntoks = lx.nt;
	return 0;
}

const char *
tmpl_tok_describe(const struct token *t, char *tmp, size_t tmplen)
{
	switch (t->type) {
	case TK_EOF: return "end of template";
	case TK_DATA: return "template data / text";
	case TK_VAR_BEGIN: return "begin of print statement";
	case TK_VAR_END: return "end of print statement";
	case TK_BLOCK_BEGIN: return "begin of statement block";
	case TK_BLOCK_END: return "end of statement block";
	case TK_STRING: return "string";
	case TK_INT: return "integer";
	case TK_FLOAT: return "float";
	case TK_NAME:
	case TK_OP:
		snprintf(tmp, tmplen, "%.*s", (int)(t->len > 60 ? 60 : t->len),
		    t->s);
		return tmp;
	}
	return "?";
}
