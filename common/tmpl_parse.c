/*
 * tmpl_parse — see tmpl_parse.h.  A recursive-descent parser shaped like
 * Jinja2's parser.py so that precedence and messages match: condexpr >
 * or > and > not > compare > math1 (+ -) > concat (~) > math2 (* / // %)
 * > pow > unary > primary with postfix (. [] ()) and filters/tests.
 * Errors are sticky: the first one is kept and every function returns
 * NULL/-1 from then on.  Recursion is bounded by TMPL_PARSE_MAXDEPTH so a
 * template of 100000 "(" is an error, not a stack overflow.
 */
#include "tmpl_parse.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tmpl_builtins.h"
#include "tmpl_limits.h"
#include "log.h"
#include "xmalloc.h"

/* ---- atoms ---- */

struct tmpl_atoms {
	pthread_mutex_t		  lock;
	struct tmpl_atom	**slot;
	size_t			  cap, n;
};

uint32_t
tmpl_hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct tmpl_atoms *
tmpl_atoms_new(void)
{
	struct tmpl_atoms *at = xcalloc(1, sizeof(*at));

	if (pthread_mutex_init(&at->lock, NULL) != 0)
		fatalx("pthread_mutex_init failed");
	at->cap = 256;
	at->slot = xcalloc(at->cap, sizeof(*at->slot));
	return at;
}

void
tmpl_atoms_free(struct tmpl_atoms *at)
{
	if (at == NULL)
		return;
	for (size_t i = 0; i < at->cap; i++)
		free(at->slot[i]);
	free(at->slot);
	pthread_mutex_destroy(&at->lock);
	free(at);
}

static void
atoms_grow(struct tmpl_atoms *at)
{
	size_t ncap = at->cap * 2;
	struct tmpl_atom **ns = xcalloc(ncap, sizeof(*ns));

	for (size_t i = 0; i < at->cap; i++) {
		struct tmpl_atom *a = at->slot[i];
		if (a == NULL)
			continue;
		size_t j = a->hash & (ncap - 1);
		while (ns[j] != NULL)
			j = (j + 1) & (ncap - 1);
		ns[j] = a;
	}
	free(at->slot);
	at->slot = ns;
	at->cap = ncap;
}

const struct tmpl_atom *
tmpl_atom_intern(struct tmpl_atoms *at, const char *s, size_t len)
{
	uint32_t h = tmpl_hash_bytes(s, len);
	struct tmpl_atom *a;
	size_t j;

	pthread_mutex_lock(&at->lock);
	if ((at->n + 1) * 2 > at->cap)
		atoms_grow(at);
	for (j = h & (at->cap - 1); (a = at->slot[j]) != NULL;
	    j = (j + 1) & (at->cap - 1))
		if (a->hash == h && a->len == len && memcmp(a->s, s, len) == 0)
			goto out;
	a = xmalloc(sizeof(*a) + len + 1);
	a->hash = h;
	a->len = (uint32_t)len;
	memcpy(a->s, s, len);
	a->s[len] = '\0';
	at->slot[j] = a;
	at->n++;
out:
	pthread_mutex_unlock(&at->lock);
	return a;
}

/* ---- parser state ---- */

#define MAXSTACK	64

struct parser {
	struct tmpl_template	*t;
	struct arena		*a;
	struct tmpl_atoms	*atoms;
	struct token		*tok;
	size_t			 ntok, pos;
	struct tmpl_error	*err;
	int			 depth;
	/* tags being parsed and the end tags each level waits for */
	const char		*tags[MAXSTACK];
	const char *const	*ends[MAXSTACK];
	int			 ntags, nends;
	struct node		**blocks;
	size_t			 nblocks, capblocks;
};

static struct node *parse_expr(struct parser *);
static struct node *parse_tuple(struct parser *, bool, bool, bool,
    const char *const *);
static struct node *parse_or(struct parser *);
static struct node *parse_unary(struct parser *, bool);
static struct node *parse_primary(struct parser *);
static int parse_body(struct parser *, const char *const *, struct nodelist *);

static int
pfail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (p->err->message == NULL) {
		p->err->kind = TMPL_ERR_SYNTAX;
		p->err->line = line;
		va_start(ap, fmt);
		if (xvasprintf(&p->err->message, fmt, ap) == -1)
			p->err->message = NULL;
		va_end(ap);
	}
	return -1;
}

static bool
failed(struct parser *p)
{
	return p->err->message != NULL;
}

static struct token *
cur(struct parser *p)
{
	return &p->tok[p->pos];
}

static struct token *
look(struct parser *p)
{
	return p->pos + 1 < p->ntok ? &p->tok[p->pos + 1] : &p->tok[p->pos];
}

static struct token *
next(struct parser *p)
{
	struct token *t = cur(p);

	if (t->type != TK_EOF)
		p->pos++;
	return t;
}

static bool
is_op(struct parser *p, int op)
{
	return cur(p)->type == TK_OP && cur(p)->op == op;
}

static bool
is_name(const struct token *t, const char *name)
{
	return t->type == TK_NAME && t->len == strlen(name) &&
	    memcmp(t->s, name, t->len) == 0;
}

static bool
skip_op(struct parser *p, int op)
{
	if (!is_op(p, op))
		return false;
	next(p);
	return true;
}

static bool
skip_name(struct parser *p, const char *name)
{
	if (!is_name(cur(p), name))
		return false;
	next(p);
	return true;
}

/* Jinja2's TokenStream.expect, with its messages. */
static struct token *
expect_desc(struct parser *p, bool ok, const char *what)
{
	char tmp[80];

	if (ok)
		return next(p);
	if (cur(p)->type == TK_EOF)
		pfail(p, cur(p)->line, "unexpected end of template, expected "
		    "'%s'.", what);
	else
		pfail(p, cur(p)->line, "expected token '%s', got '%s'", what,
		    tmpl_tok_describe(cur(p), tmp, sizeof(tmp)));
	return NULL;
}

static struct token *
expect_op(struct parser *p, int op)
{
	return expect_desc(p, is_op(p, op), tmpl_op_str(op));
}

static struct token *
expect_type(struct parser *p, int type)
{
	struct token t = { .type = (uint8_t)type, .s = "name", .len = 4 };
	char tmp[8];

	return expect_desc(p, cur(p)->type == type,
	    tmpl_tok_describe(&t, tmp, sizeof(tmp)));
}

static struct token *
expect_kw(struct parser *p, const char *name)
{
	return expect_desc(p, is_name(cur(p), name), name);
}

static struct node *
mknode(struct parser *p, int kind, int line)
{
	struct node *n = arena_zalloc(p->a, sizeof(*n));

	n->kind = (uint8_t)kind;
	n->line = line;
	return n;
}

static const struct tmpl_atom *
atom(struct parser *p, const char *s, size_t len)
{
	return tmpl_atom_intern(p->atoms, s, len);
}

/* A growable node list in the arena. */
struct nlb {
	struct node	**v;
	size_t		  n, cap;
};

static void
nlb_add(struct parser *p, struct nlb *b, struct node *n)
{
	if (b->n == b->cap) {
		size_t nc = b->cap == 0 ? 4 : b->cap * 2;
		b->v = arena_realloc(p->a, b->v, b->cap * sizeof(*b->v),
		    nc * sizeof(*b->v));
		b->cap = nc;
	}
	b->v[b->n++] = n;
}

static struct nodelist
nlb_done(struct nlb *b)
{
	struct nodelist l = { b->v, b->n };
	return l;
}

static bool
enter(struct parser *p)
{
	if (++p->depth > TMPL_PARSE_MAXDEPTH) {
		pfail(p, cur(p)->line, "template nests too deeply (more than "
		    "%d levels)", TMPL_PARSE_MAXDEPTH);
		return false;
	}
	return true;
}

/* ---- expressions ---- */

static struct node *
mkconst(struct parser *p, tv v, int line)
{
	struct node *n = mknode(p, N_CONST, line);

	n->u.cval = v;
	return n;
}

static struct node *
parse_number(struct parser *p, struct token *t)
{
	char buf[512];
	size_t j = 0;

	if (t->type == TK_FLOAT) {
		for (size_t i = 0; i < t->len && j + 1 < sizeof(buf); i++)
			if (t->s[i] != '_')
				buf[j++] = t->s[i];
		buf[j] = '\0';
		return mkconst(p, tv_float(strtod(buf, NULL)), t->line);
	}
	tv v;
	struct tmpl_error *e = p->err;
	int base = 10;
	const char *s = t->s;
	size_t n = t->len;
	if (n > 2 && s[0] == '0' && s[1] != '_') {
		char c = (char)(s[1] | 0x20);
		base = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 10;
		if (base != 10) {
			s += 2;
			n -= 2;
		}
	}
	if (tv_parse_int(NULL, s, n, base, &v) == -1 || v.type == TV_BIG) {
		if (v.type == TV_BIG) {
			/* keep the BIGNUM alive as long as the template */
			arena_defer(p->a, (void (*)(void *))BN_free,
			    (void *)v.u.big);
			return mkconst(p, v, t->line);
		}
		pfail(p, t->line, "invalid integer literal");
		(void)e;
		return NULL;
	}
	return mkconst(p, v, t->line);
}

static int
parse_callargs(struct parser *p, struct callargs *ca)
{
	struct nlb pos = { 0 }, kv = { 0 };
	const struct tmpl_atom **names = NULL;
	size_t ncap = 0;

	memset(ca, 0, sizeof(*ca));
	if (!expect_op(p, TO_LPAREN))
		return -1;
	while (!is_op(p, TO_RPAREN)) {
		if (ca->pos.n + pos.n + kv.n > 0 && !expect_op(p, TO_COMMA))
			return -1;
		if (is_op(p, TO_RPAREN))
			break;
		int line = cur(p)->line;
		if (skip_op(p, TO_MUL)) {
			if (ca->dyn_args || ca->dyn_kwargs)
				goto bad;
			ca->dyn_args = parse_expr(p);
		} else if (skip_op(p, TO_POW)) {
			if (ca->dyn_kwargs)
				goto bad;
			ca->dyn_kwargs = parse_expr(p);
		} else if (cur(p)->type == TK_NAME && look(p)->type == TK_OP &&
		    look(p)->op == TO_ASSIGN) {
			if (ca->dyn_kwargs)
				goto bad;
			struct token *nt = next(p);
			next(p);
			if (kv.n == ncap) {
				size_t nc = ncap == 0 ? 4 : ncap * 2;
				names = arena_realloc(p->a, names,
				    ncap * sizeof(*names), nc * sizeof(*names));
				ncap = nc;
			}
			names[kv.n] = atom(p, nt->s, nt->len);
			nlb_add(p, &kv, parse_expr(p));
		} else {
			if (ca->dyn_args || ca->dyn_kwargs || kv.n > 0)
				goto bad;
			nlb_add(p, &pos, parse_expr(p));
		}
		if (failed(p))
			return -1;
		continue;
bad:
		return pfail(p, line, "invalid syntax for function call "
		    "expression");
	}
	next(p);
	ca->pos = nlb_done(&pos);
	ca->kwnames = names;
	ca->kwvals = kv.v;
	ca->nkw = kv.n;
	return failed(p) ? -1 : 0;
}

/* A filter or test node, resolved to its table entry when known. */
static struct node *
mkfilter(struct parser *p, int kind, struct node *in, const char *name,
    size_t len, int line)
{
	struct node *n = mknode(p, kind, line);

	n->u.filter.in = in;
	n->u.filter.fname = atom(p, name, len);
	n->u.filter.fn = kind == N_FILTER ? tmpl_filter_find(name, len) :
	    tmpl_test_find(name, len);
	/* Unknown: an error now or at run time, see check_unknown(). */
	n->flag = n->u.filter.fn == NULL;
	return n;
}

/* name(.name)* as written after | or is. */
static bool
parse_dotted(struct parser *p, char *buf, size_t cap, size_t *len)
{
	struct token *t = expect_type(p, TK_NAME);

	if (t == NULL)
		return false;
	*len = 0;
	for (;;) {
		if (*len + t->len + 1 >= cap)
			return pfail(p, t->line, "name too long") == 0;
		memcpy(buf + *len, t->s, t->len);
		*len += t->len;
		if (!is_op(p, TO_DOT))
			return true;
		next(p);
		buf[(*len)++] = '.';
		if ((t = expect_type(p, TK_NAME)) == NULL)
			return false;
	}
}

static struct node *
parse_filter(struct parser *p, struct node *in, bool start_inline)
{
	char name[256];
	size_t len;

	while (is_op(p, TO_PIPE) || start_inline) {
		if (!start_inline)
			next(p);
		start_inline = false;
		int line = cur(p)->line;
		if (!parse_dotted(p, name, sizeof(name), &len))
			return NULL;
		struct node *f = mkfilter(p, N_FILTER, in, name, len, line);
		if (f == NULL)
			return NULL;
		if (is_op(p, TO_LPAREN) &&
		    parse_callargs(p, &f->u.filter.args) == -1)
			return NULL;
		in = f;
	}
	return in;
}

static struct node *
parse_postfix(struct parser *p, struct node *n);

static struct node *
parse_test(struct parser *p, struct node *in)
{
	struct token *is = next(p);
	bool neg = skip_name(p, "not");
	char name[256];
	size_t len;

	if (!parse_dotted(p, name, sizeof(name), &len))
		return NULL;
	struct node *t = mkfilter(p, N_TEST, in, name, len, is->line);
	if (t == NULL)
		return NULL;
	struct token *c = cur(p);
	if (is_op(p, TO_LPAREN)) {
		if (parse_callargs(p, &t->u.filter.args) == -1)
			return NULL;
	} else if ((c->type == TK_NAME || c->type == TK_STRING ||
	    c->type == TK_INT || c->type == TK_FLOAT || is_op(p, TO_LBRACKET) ||
	    is_op(p, TO_LBRACE)) && !is_name(c, "else") && !is_name(c, "or") &&
	    !is_name(c, "and")) {
		if (is_name(c, "is")) {
			pfail(p, c->line, "You cannot chain multiple tests "
			    "with is");
			return NULL;
		}
		struct node *arg = parse_postfix(p, parse_primary(p));
		if (arg == NULL)
			return NULL;
		t->u.filter.args.pos.v = arena_alloc(p->a, sizeof(arg));
		t->u.filter.args.pos.v[0] = arg;
		t->u.filter.args.pos.n = 1;
	}
	if (neg) {
		struct node *nn = mknode(p, N_NOT, is->line);
		nn->u.unary = t;
		return nn;
	}
	return t;
}

static struct node *
parse_subscribed(struct parser *p)
{
	int line = cur(p)->line;
	struct node *args[3] = { NULL, NULL, NULL };

	if (is_op(p, TO_COLON)) {
		next(p);
	} else {
		args[0] = parse_expr(p);
		if (!is_op(p, TO_COLON))
			return args[0];
		next(p);
	}
	if (!is_op(p, TO_RBRACKET) && !is_op(p, TO_COMMA) &&
	    !is_op(p, TO_COLON))
		args[1] = parse_expr(p);
	if (skip_op(p, TO_COLON) && !is_op(p, TO_RBRACKET) &&
	    !is_op(p, TO_COMMA))
		args[2] = parse_expr(p);
	struct node *s = mknode(p, N_SLICE, line);
	s->u.slice.start = args[0];
	s->u.slice.stop = args[1];
	s->u.slice.step = args[2];
	return s;
}

static struct node *
parse_subscript(struct parser *p, struct node *obj)
{
	struct token *t = next(p);
	char tmp[80];

	if (t->op == TO_DOT) {
		struct token *a = cur(p);
		if (a->type == TK_NAME) {
			next(p);
			struct node *n = mknode(p, N_GETATTR, t->line);
			n->u.getattr.obj = obj;
			n->u.getattr.attr = a->s;
			n->u.getattr.len = a->len;
			n->u.getattr.hash = tv_hash(tv_strn(a->s, a->len));
			const struct builtin **m = arena_alloc(p->a,
			    TMPL_METHOD_SLOTS * sizeof(*m));
			tmpl_method_resolve(a->s, a->len, m);
			for (int i = 0; i < TMPL_METHOD_SLOTS; i++)
				n->flag |= m[i] != NULL;
			n->u.getattr.meth = n->flag ? m : NULL;
			return n;
		}
		if (a->type != TK_INT) {
			pfail(p, a->line, "expected name or number");
			return NULL;
		}
		next(p);
		struct node *n = mknode(p, N_GETITEM, t->line);
		n->u.getitem.obj = obj;
		n->u.getitem.key = parse_number(p, a);
		return n;
	}
	struct nlb args = { 0 };
	while (!is_op(p, TO_RBRACKET)) {
		if (args.n > 0 && !expect_op(p, TO_COMMA))
			return NULL;
		nlb_add(p, &args, parse_subscribed(p));
		if (failed(p))
			return NULL;
	}
	if (!expect_op(p, TO_RBRACKET))
		return NULL;
	if (args.n == 0) {
		pfail(p, t->line, "expected an expression, got '%s'",
		    tmpl_tok_describe(cur(p), tmp, sizeof(tmp)));
		return NULL;
	}
	struct node *key;
	if (args.n == 1)
		key = args.v[0];
	else {
		key = mknode(p, N_TUPLE, t->line);
		key->u.items = nlb_done(&args);
	}
	if (key->kind == N_SLICE) {
		key->u.slice.obj = obj;
		return key;
	}
	struct node *n = mknode(p, N_GETITEM, t->line);
	n->u.getitem.obj = obj;
	n->u.getitem.key = key;
	return n;
}

/* fn(...): a call of the expression n. */
static struct node *
parse_call(struct parser *p, struct node *n)
{
	struct node *c = mknode(p, N_CALL, cur(p)->line);

	c->u.call.fn = n;
	return parse_callargs(p, &c->u.call.args) == -1 ? NULL : c;
}

static struct node *
parse_postfix(struct parser *p, struct node *n)
{
	while (n != NULL && !failed(p)) {
		if (is_op(p, TO_DOT) || is_op(p, TO_LBRACKET))
			n = parse_subscript(p, n);
		else if (is_op(p, TO_LPAREN))
			n = parse_call(p, n);
		else
			break;
	}
	return failed(p) ? NULL : n;
}

static struct node *
parse_filter_expr(struct parser *p, struct node *n)
{
	while (n != NULL && !failed(p)) {
		if (is_op(p, TO_PIPE))
			n = parse_filter(p, n, false);
		else if (is_name(cur(p), "is"))
			n = parse_test(p, n);
		else if (is_op(p, TO_LPAREN))
			n = parse_call(p, n);
		else
			break;
	}
	return failed(p) ? NULL : n;
}

static struct node *
parse_list(struct parser *p, int line)
{
	struct nlb items = { 0 };

	while (!is_op(p, TO_RBRACKET)) {
		if (items.n > 0 && !expect_op(p, TO_COMMA))
			return NULL;
		if (is_op(p, TO_RBRACKET))
			break;
		nlb_add(p, &items, parse_expr(p));
		if (failed(p))
			return NULL;
	}
	if (!expect_op(p, TO_RBRACKET))
		return NULL;
	struct node *n = mknode(p, N_LIST, line);
	n->u.items = nlb_done(&items);
	return n;
}

static struct node *
parse_dict(struct parser *p, int line)
{
	struct nlb keys = { 0 }, vals = { 0 };

	while (!is_op(p, TO_RBRACE)) {
		if (keys.n > 0 && !expect_op(p, TO_COMMA))
			return NULL;
		if (is_op(p, TO_RBRACE))
			break;
		nlb_add(p, &keys, parse_expr(p));
		if (failed(p) || !expect_op(p, TO_COLON))
			return NULL;
		nlb_add(p, &vals, parse_expr(p));
		if (failed(p))
			return NULL;
	}
	if (!expect_op(p, TO_RBRACE))
		return NULL;
	struct node *n = mknode(p, N_DICT, line);
	n->u.dict.keys = nlb_done(&keys);
	n->u.dict.vals = nlb_done(&vals);
	return n;
}

static struct node *
parse_primary_inner(struct parser *p)
{
	struct token *t = cur(p);
	char tmp[80];

	switch (t->type) {
	case TK_NAME:
		next(p);
		if (is_name(t, "true") || is_name(t, "True"))
			return mkconst(p, tv_bool(true), t->line);
		if (is_name(t, "false") || is_name(t, "False"))
			return mkconst(p, tv_bool(false), t->line);
		if (is_name(t, "none") || is_name(t, "None"))
			return mkconst(p, tv_none(), t->line);
		struct node *n = mknode(p, N_NAME, t->line);
		n->u.name = atom(p, t->s, t->len);
		return n;
	case TK_STRING: {
		struct buf b = BUF_INIT;
		next(p);
		if (cur(p)->type != TK_STRING)
			return mkconst(p, tv_strn(t->s, t->len), t->line);
		buf_add(&b, t->s, t->len);
		while (cur(p)->type == TK_STRING) {
			buf_add(&b, cur(p)->s, cur(p)->len);
			next(p);
		}
		const char *s = arena_memdup(p->a, b.data, b.len);
		size_t len = b.len;
		buf_free(&b);
		return mkconst(p, tv_strn(s, len), t->line);
	}
	case TK_INT:
	case TK_FLOAT:
		next(p);
		return parse_number(p, t);
	case TK_OP:
		if (t->op == TO_LPAREN) {
			next(p);
			struct node *e = parse_tuple(p, false, true, true,
			    NULL);
			if (e == NULL || !expect_op(p, TO_RPAREN))
				return NULL;
			return e;
		}
		if (t->op == TO_LBRACKET) {
			next(p);
			return parse_list(p, t->line);
		}
		if (t->op == TO_LBRACE) {
			next(p);
			return parse_dict(p, t->line);
		}
		break;
	}
	pfail(p, t->line, "unexpected '%s'", tmpl_tok_describe(t, tmp,
	    sizeof(tmp)));
	return NULL;
}

static struct node *
parse_primary(struct parser *p)
{
	struct node *n;

	if (!enter(p))
		return NULL;
	n = parse_primary_inner(p);
	p->depth--;
	return n;
}

static struct node *
parse_unary(struct parser *p, bool with_filter)
{
	struct token *t = cur(p);
	struct node *n;

	if (!enter(p))
		return NULL;
	if (is_op(p, TO_SUB) || is_op(p, TO_ADD)) {
		next(p);
		n = mknode(p, t->op == TO_SUB ? N_NEG : N_POS, t->line);
		n->u.unary = parse_unary(p, false);
	} else
		n = parse_primary(p);
	n = parse_postfix(p, failed(p) ? NULL : n);
	if (with_filter)
		n = parse_filter_expr(p, n);
	p->depth--;
	return failed(p) ? NULL : n;
}

static struct node *
mkbin(struct parser *p, int kind, int op, struct node *l, struct node *r,
    int line)
{
	struct node *n = mknode(p, kind, line);

	n->op = (uint8_t)op;
	n->u.bin.l = l;
	n->u.bin.r = r;
	return n;
}

static struct node *
parse_pow(struct parser *p)
{
	struct node *l = parse_unary(p, true);

	while (l != NULL && is_op(p, TO_POW)) {
		int line = next(p)->line;
		l = mkbin(p, N_BINOP, OP_POW, l, parse_unary(p, true), line);
	}
	return failed(p) ? NULL : l;
}

static struct node *
parse_math2(struct parser *p)
{
	struct node *l = parse_pow(p);

	while (l != NULL && (is_op(p, TO_MUL) || is_op(p, TO_DIV) ||
	    is_op(p, TO_FLOORDIV) || is_op(p, TO_MOD))) {
		struct token *t = next(p);
		int op = t->op == TO_MUL ? OP_MUL : t->op == TO_DIV ? OP_DIV :
		    t->op == TO_FLOORDIV ? OP_FLOORDIV : OP_MOD;
		l = mkbin(p, N_BINOP, op, l, parse_pow(p), t->line);
	}
	return failed(p) ? NULL : l;
}

static struct node *
parse_concat(struct parser *p)
{
	int line = cur(p)->line;
	struct node *first = parse_math2(p);
	struct nlb parts = { 0 };

	if (first == NULL || !is_op(p, TO_TILDE))
		return first;
	nlb_add(p, &parts, first);
	while (skip_op(p, TO_TILDE)) {
		nlb_add(p, &parts, parse_math2(p));
		if (failed(p))
			return NULL;
	}
	struct node *n = mknode(p, N_CONCAT, line);
	n->u.items = nlb_done(&parts);
	return n;
}

static struct node *
parse_math1(struct parser *p)
{
	struct node *l = parse_concat(p);

	while (l != NULL && (is_op(p, TO_ADD) || is_op(p, TO_SUB))) {
		struct token *t = next(p);
		l = mkbin(p, N_BINOP, t->op == TO_ADD ? OP_ADD : OP_SUB, l,
		    parse_concat(p), t->line);
	}
	return failed(p) ? NULL : l;
}

static struct node *
parse_compare(struct parser *p)
{
	int line = cur(p)->line;
	struct node *first = parse_math1(p);
	struct nlb rest = { 0 };
	uint8_t ops[256];

	while (first != NULL && !failed(p)) {
		struct token *t = cur(p);
		int op = -1;
		if (t->type == TK_OP) {
			switch (t->op) {
			case TO_EQ: op = CMP_EQ; break;
			case TO_NE: op = CMP_NE; break;
			case TO_LT: op = CMP_LT; break;
			case TO_LTEQ: op = CMP_LE; break;
			case TO_GT: op = CMP_GT; break;
			case TO_GTEQ: op = CMP_GE; break;
			}
			if (op >= 0)
				next(p);
		} else if (is_name(t, "in")) {
			next(p);
			op = CMP_IN;
		} else if (is_name(t, "not") && is_name(look(p), "in")) {
			next(p);
			next(p);
			op = CMP_NOTIN;
		}
		if (op < 0)
			break;
		if (rest.n >= sizeof(ops)) {
			pfail(p, t->line, "too many comparisons");
			return NULL;
		}
		ops[rest.n] = (uint8_t)op;
		nlb_add(p, &rest, parse_math1(p));
	}
	if (failed(p))
		return NULL;
	if (rest.n == 0)
		return first;
	struct node *n = mknode(p, N_COMPARE, line);
	n->u.cmp.first = first;
	n->u.cmp.ops = (uint8_t *)arena_memdup(p->a, ops, rest.n);
	n->u.cmp.rest = rest.v;
	n->u.cmp.n = rest.n;
	return n;
}

static struct node *
parse_not(struct parser *p)
{
	struct node *n;

	if (is_name(cur(p), "not")) {
		int line = next(p)->line;
		if (!enter(p))
			return NULL;
		n = mknode(p, N_NOT, line);
		n->u.unary = parse_not(p);
		p->depth--;
		return failed(p) ? NULL : n;
	}
	return parse_compare(p);
}

static struct node *
parse_and(struct parser *p)
{
	struct node *l = parse_not(p);

	while (l != NULL && is_name(cur(p), "and")) {
		int line = next(p)->line;
		l = mkbin(p, N_AND, 0, l, parse_not(p), line);
	}
	return failed(p) ? NULL : l;
}

static struct node *
parse_or(struct parser *p)
{
	struct node *l = parse_and(p);

	while (l != NULL && is_name(cur(p), "or")) {
		int line = next(p)->line;
		l = mkbin(p, N_OR, 0, l, parse_and(p), line);
	}
	return failed(p) ? NULL : l;
}

static struct node *
parse_condexpr(struct parser *p)
{
	struct node *e1;

	if (!enter(p))
		return NULL;
	e1 = parse_or(p);
	while (e1 != NULL && is_name(cur(p), "if")) {
		int line = next(p)->line;
		struct node *n = mknode(p, N_CONDEXPR, line);
		n->u.cond.test = parse_or(p);
		if (skip_name(p, "else"))
			n->u.cond.b = parse_condexpr(p);
		n->u.cond.a = e1;
		e1 = failed(p) ? NULL : n;
	}
	p->depth--;
	return e1;
}

static struct node *
parse_expr(struct parser *p)
{
	return parse_condexpr(p);
}

static bool
is_end_of_tuple(struct parser *p, const char *const *extra)
{
	struct token *t = cur(p);

	if (t->type == TK_VAR_END || t->type == TK_BLOCK_END ||
	    t->type == TK_EOF || is_op(p, TO_RPAREN))
		return true;
	for (; extra != NULL && *extra != NULL; extra++)
		if (is_name(t, *extra))
			return true;
	return false;
}

/*
 * Jinja2's parse_tuple: one expression, or a tuple when commas follow.
 * simplified: names and literals only (assignment targets use their own
 * parser).  explicit: inside parentheses, where () is the empty tuple.
 */
static struct node *
parse_tuple(struct parser *p, bool simplified, bool with_condexpr,
    bool explicit, const char *const *extra)
{
	int line = cur(p)->line;
	struct nlb items = { 0 };
	bool is_tuple = false;
	char tmp[80];

	for (;;) {
		if (items.n > 0 && !expect_op(p, TO_COMMA))
			return NULL;
		if (is_end_of_tuple(p, extra))
			break;
		struct node *e;
		if (simplified)
			e = parse_primary(p);
		else if (with_condexpr)
			e = parse_expr(p);
		else
			e = parse_or(p);
		if (e == NULL)
			return NULL;
		nlb_add(p, &items, e);
		if (is_op(p, TO_COMMA))
			is_tuple = true;
		else
			break;
	}
	if (!is_tuple) {
		if (items.n == 1)
			return items.v[0];
		if (!explicit) {
			pfail(p, cur(p)->line, "Expected an expression, got "
			    "'%s'", tmpl_tok_describe(cur(p), tmp,
			    sizeof(tmp)));
			return NULL;
		}
	}
	struct node *n = mknode(p, N_TUPLE, line);
	n->u.items = nlb_done(&items);
	return n;
}

/* ---- assignment targets ---- */

static struct node *
parse_target(struct parser *p, bool name_only, bool with_tuple,
    bool with_ns, const char *const *extra)
{
	struct token *t = cur(p);
	struct node *n;
	char tmp[80];

	if (!enter(p))
		return NULL;
	if (with_ns && t->type == TK_NAME && look(p)->type == TK_OP &&
	    look(p)->op == TO_DOT) {
		next(p);
		next(p);
		struct token *a = expect_type(p, TK_NAME);
		if (a == NULL)
			return NULL;
		n = mknode(p, N_GETATTR, t->line);
		n->u.getattr.obj = mknode(p, N_NAME, t->line);
		n->u.getattr.obj->u.name = atom(p, t->s, t->len);
		n->u.getattr.attr = a->s;
		n->u.getattr.len = a->len;
	} else if (name_only) {
		if (expect_type(p, TK_NAME) == NULL)
			return NULL;
		n = mknode(p, N_NAME, t->line);
		n->u.name = atom(p, t->s, t->len);
	} else {
		n = with_tuple ? parse_tuple(p, true, true, false, extra) :
		    parse_primary(p);
		if (n == NULL)
			return NULL;
	}
	p->depth--;
	/* Check: names, and tuples of targets. */
	if (n->kind == N_TUPLE) {
		for (size_t i = 0; i < n->u.items.n; i++) {
			int k = n->u.items.v[i]->kind;
			if (k != N_NAME && k != N_TUPLE)
				goto bad;
		}
	} else if (n->kind != N_NAME && n->kind != N_GETATTR)
		goto bad;
	if (n->kind == N_NAME) {
		const char *s = n->u.name->s;
		if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0 ||
		    strcmp(s, "none") == 0)
			goto bad;
	}
	return n;
bad:
	pfail(p, t->line, "can't assign to '%s'", tmpl_tok_describe(t, tmp,
	    sizeof(tmp)));
	return NULL;
}

/* ---- statements ---- */

static void
push_tag(struct parser *p, const char *tag)
{
	if (p->ntags < MAXSTACK)
		p->tags[p->ntags] = tag;
	p->ntags++;
}

static void
pop_tag(struct parser *p)
{
	p->ntags--;
}

/* Jinja2's _fail_ut_eof: an unknown tag (name) or the end (NULL). */
static int
fail_ut_eof(struct parser *p, const char *name, size_t nlen, int line)
{
	struct buf m = BUF_INIT;
	bool expected = false;

	if (name == NULL)
		buf_addstr(&m, "Unexpected end of template.");
	else
		buf_printf(&m, "Encountered unknown tag '%.*s'.", (int)nlen,
		    name);
	for (int i = 0; name != NULL && i < p->nends && i < MAXSTACK; i++)
		for (const char *const *e = p->ends[i]; *e != NULL; e++)
			if (strlen(*e) == nlen && memcmp(*e, name, nlen) == 0)
				expected = true;
	if (p->nends > 0 && p->nends <= MAXSTACK) {
		struct buf look_for = BUF_INIT;
		for (const char *const *e = p->ends[p->nends - 1]; *e != NULL;
		    e++)
			buf_printf(&look_for, "%s'%s'", e ==
			    p->ends[p->nends - 1] ? "" : " or ", *e);
		if (expected)
			buf_printf(&m, " You probably made a nesting mistake. "
			    "Jinja is expecting this tag, but currently "
			    "looking for %s.", look_for.data);
		else
			buf_printf(&m, " Jinja was looking for the following "
			    "tags: %s.", look_for.data);
		buf_free(&look_for);
	}
	if (p->ntags > 0 && p->ntags <= MAXSTACK)
		buf_printf(&m, " The innermost block that needs to be closed "
		    "is '%s'.", p->tags[p->ntags - 1]);
	pfail(p, line, "%s", m.data);
	buf_free(&m);
	return -1;
}

/* Parse "%}" body up to one of ends; the end tag name stays current. */
static int
parse_statements(struct parser *p, const char *const *ends,
    struct nodelist *out, bool drop)
{
	skip_op(p, TO_COLON);
	if (!expect_type(p, TK_BLOCK_END))
		return -1;
	if (parse_body(p, ends, out) == -1)
		return -1;
	if (cur(p)->type == TK_EOF) {
		p->nends++;
		if (p->nends <= MAXSTACK)
			p->ends[p->nends - 1] = ends;
		fail_ut_eof(p, NULL, 0, cur(p)->line);
		p->nends--;
		return -1;
	}
	if (drop)
		next(p);
	return 0;
}

static const char *const END_FOR[] = { "endfor", "else", NULL };
static const char *const END_FOR2[] = { "endfor", NULL };
static const char *const END_IF[] = { "elif", "else", "endif", NULL };
static const char *const END_IF2[] = { "endif", NULL };
static const char *const END_SET[] = { "endset", NULL };
static const char *const END_WITH[] = { "endwith", NULL };
static const char *const END_MACRO[] = { "endmacro", NULL };
static const char *const END_CALL[] = { "endcall", NULL };
static const char *const END_FILTER[] = { "endfilter", NULL };
static const char *const END_BLOCK[] = { "endblock", NULL };
static const char *const IN_END[] = { "in", NULL };
static const char *const REC_END[] = { "recursive", NULL };

static struct node *
parse_for(struct parser *p, int line)
{
	struct node *n = mknode(p, S_FOR, line);

	n->u.sfor.target = parse_target(p, false, true, false, IN_END);
	if (n->u.sfor.target == NULL || !expect_kw(p, "in"))
		return NULL;
	n->u.sfor.iter = parse_tuple(p, false, false, false, REC_END);
	if (n->u.sfor.iter == NULL)
		return NULL;
	if (skip_name(p, "if") && (n->u.sfor.test = parse_expr(p)) == NULL)
		return NULL;
	n->flag = skip_name(p, "recursive");
	if (parse_statements(p, END_FOR, &n->u.sfor.body, false) == -1)
		return NULL;
	if (is_name(next(p), "else") &&
	    parse_statements(p, END_FOR2, &n->u.sfor.orelse, true) == -1)
		return NULL;
	return n;
}

static struct node *
parse_if(struct parser *p, int line)
{
	struct node *n = mknode(p, S_IF, line), *res = n;

	for (;;) {
		n->u.sif.test = parse_tuple(p, false, true, false, NULL);
		if (n->u.sif.test == NULL ||
		    parse_statements(p, END_IF, &n->u.sif.body, false) == -1)
			return NULL;
		struct token *t = next(p);
		if (is_name(t, "elif")) {
			struct node *e = mknode(p, S_IF, t->line);
			n->u.sif.orelse.v = arena_alloc(p->a, sizeof(e));
			n->u.sif.orelse.v[0] = e;
			n->u.sif.orelse.n = 1;
			n = e;
			continue;
		}
		if (is_name(t, "else") && parse_statements(p, END_IF2,
		    &n->u.sif.orelse, true) == -1)
			return NULL;
		break;
	}
	return res;
}

static struct node *
parse_set(struct parser *p, int line)
{
	struct node *target = parse_target(p, false, true, true, NULL);

	if (target == NULL)
		return NULL;
	if (skip_op(p, TO_ASSIGN)) {
		struct node *n = mknode(p, S_SET, line);
		n->u.set.target = target;
		n->u.set.value = parse_tuple(p, false, true, false, NULL);
		return n->u.set.value == NULL ? NULL : n;
	}
	struct node *n = mknode(p, S_SETBLOCK, line);
	n->u.setblock.target = target;
	if (is_op(p, TO_PIPE) &&
	    (n->u.setblock.filter = parse_filter(p, NULL, false)) == NULL)
		return NULL;
	if (parse_statements(p, END_SET, &n->u.setblock.body, true) == -1)
		return NULL;
	return n;
}

static struct node *
parse_with(struct parser *p, int line)
{
	struct node *n = mknode(p, S_WITH, line);
	struct nlb targets = { 0 }, values = { 0 };

	while (cur(p)->type != TK_BLOCK_END) {
		if (targets.n > 0 && !expect_op(p, TO_COMMA))
			return NULL;
		struct node *t = parse_target(p, false, false, false, NULL);
		if (t == NULL || !expect_op(p, TO_ASSIGN))
			return NULL;
		nlb_add(p, &targets, t);
		nlb_add(p, &values, parse_expr(p));
		if (failed(p))
			return NULL;
	}
	n->u.with.targets = nlb_done(&targets);
	n->u.with.values = nlb_done(&values);
	if (parse_statements(p, END_WITH, &n->u.with.body, true) == -1)
		return NULL;
	return n;
}

/*
 * Walk a tree: fn(node, arg, soft) returns WALK_GO to descend, WALK_SKIP
 * to skip the children or WALK_STOP to end the walk (walk returns true).
 * soft tells whether the node sits in an if statement or conditional
 * expression (reset by loops, macros and other bodies), as Jinja2's
 * soft frames do.
 */
enum { WALK_GO, WALK_SKIP, WALK_STOP };
typedef int (*walk_fn)(const struct node *, void *, bool);

static bool walk(const struct node *n, walk_fn fn, void *arg, bool soft);

static bool
walk_list(const struct nodelist *l, walk_fn fn, void *arg, bool soft)
{
	for (size_t i = 0; i < l->n; i++)
		if (walk(l->v[i], fn, arg, soft))
			return true;
	return false;
}

static bool
walk_args(const struct callargs *a, walk_fn fn, void *arg, bool soft)
{
	if (walk_list(&a->pos, fn, arg, soft) ||
	    walk(a->dyn_args, fn, arg, soft) ||
	    walk(a->dyn_kwargs, fn, arg, soft))
		return true;
	for (size_t i = 0; i < a->nkw; i++)
		if (walk(a->kwvals[i], fn, arg, soft))
			return true;
	return false;
}

static bool
walk_stmt(const struct node *n, walk_fn fn, void *arg, bool soft)
{
	switch (n->kind) {
	case S_PRINT: case S_EXTENDS: return walk(n->u.expr, fn, arg, soft);
	case S_IF:
		return walk(n->u.sif.test, fn, arg, true) ||
		    walk_list(&n->u.sif.body, fn, arg, true) ||
		    walk_list(&n->u.sif.orelse, fn, arg, true);
	case S_FOR:
		return walk(n->u.sfor.iter, fn, arg, soft) ||
		    walk(n->u.sfor.test, fn, arg, false) ||
		    walk_list(&n->u.sfor.body, fn, arg, false) ||
		    walk_list(&n->u.sfor.orelse, fn, arg, false);
	case S_SET: return walk(n->u.set.value, fn, arg, soft);
	case S_SETBLOCK:
		return walk(n->u.setblock.filter, fn, arg, soft) ||
		    walk_list(&n->u.setblock.body, fn, arg, false);
	case S_WITH:
		return walk_list(&n->u.with.values, fn, arg, soft) ||
		    walk_list(&n->u.with.body, fn, arg, false);
	case S_MACRO: {
		const struct macrodef *m = n->u.macro;
		for (size_t i = 0; i < m->nparams; i++)
			if (walk(m->defaults[i], fn, arg, false))
				return true;
		return walk_list(&m->body, fn, arg, false);
	}
	case S_CALLBLOCK:
		return walk(n->u.callblock.call, fn, arg, soft) ||
		    walk_list(&n->u.callblock.caller->body, fn, arg, false);
	case S_FILTERBLOCK:
		return walk(n->u.filterblock.filter, fn, arg, soft) ||
		    walk_list(&n->u.filterblock.body, fn, arg, false);
	case S_INCLUDE: case S_IMPORT: case S_FROMIMPORT:
		return walk(n->u.inc.tmpl, fn, arg, soft);
	case S_BLOCK:
		return walk_list(&n->u.block.body, fn, arg, false);
	}
	return false;
}

/*
 * Trees are walked recursively, so their depth is bounded: a chain like
 * 1+1+1+... is built by a loop, not recursion, and can be as deep as the
 * template is long.  walk_depth counts the current recursion (per thread,
 * as several threads may compile at once); past TMPL_PARSE_MAXTREE the
 * walk stops and walk_toodeep tells the caller.
 */
static __thread int	walk_depth;
static __thread bool	walk_toodeep;

static bool walk_node(const struct node *n, walk_fn fn, void *arg, bool soft);

static bool
walk(const struct node *n, walk_fn fn, void *arg, bool soft)
{
	bool r;

	if (n == NULL)
		return false;
	if (walk_depth >= TMPL_PARSE_MAXTREE) {
		walk_toodeep = true;
		return true;
	}
	walk_depth++;
	r = walk_node(n, fn, arg, soft);
	walk_depth--;
	return r;
}

static bool
walk_node(const struct node *n, walk_fn fn, void *arg, bool soft)
{
	switch (fn(n, arg, soft)) {
	case WALK_STOP: return true;
	case WALK_SKIP: return false;
	}
	switch (n->kind) {
	case N_CONST: case N_NAME: case S_TEXT: return false;
	case N_GETATTR: return walk(n->u.getattr.obj, fn, arg, soft);
	case N_GETITEM:
		return walk(n->u.getitem.obj, fn, arg, soft) ||
		    walk(n->u.getitem.key, fn, arg, soft);
	case N_SLICE:
		return walk(n->u.slice.obj, fn, arg, soft) ||
		    walk(n->u.slice.start, fn, arg, soft) ||
		    walk(n->u.slice.stop, fn, arg, soft) ||
		    walk(n->u.slice.step, fn, arg, soft);
	case N_CALL:
		return walk(n->u.call.fn, fn, arg, soft) ||
		    walk_args(&n->u.call.args, fn, arg, soft);
	case N_FILTER: case N_TEST:
		return walk(n->u.filter.in, fn, arg, soft) ||
		    walk_args(&n->u.filter.args, fn, arg, soft);
	case N_NEG: case N_POS: case N_NOT:
		return walk(n->u.unary, fn, arg, soft);
	case N_BINOP: case N_AND: case N_OR:
		return walk(n->u.bin.l, fn, arg, soft) ||
		    walk(n->u.bin.r, fn, arg, soft);
	case N_COMPARE:
		if (walk(n->u.cmp.first, fn, arg, soft))
			return true;
		for (size_t i = 0; i < n->u.cmp.n; i++)
			if (walk(n->u.cmp.rest[i], fn, arg, soft))
				return true;
		return false;
	case N_CONDEXPR:
		return walk(n->u.cond.test, fn, arg, true) ||
		    walk(n->u.cond.a, fn, arg, true) ||
		    walk(n->u.cond.b, fn, arg, true);
	case N_CONCAT: case N_LIST: case N_TUPLE:
		return walk_list(&n->u.items, fn, arg, soft);
	case N_DICT:
		return walk_list(&n->u.dict.keys, fn, arg, soft) ||
		    walk_list(&n->u.dict.vals, fn, arg, soft);
	}
	return walk_stmt(n, fn, arg, soft);
}

static int
find_name(const struct node *n, void *arg, bool soft)
{
	(void)soft;
	if (n->kind == S_BLOCK)
		return WALK_SKIP;	/* Jinja2 does not look into blocks */
	return n->kind == N_NAME && n->u.name == arg ? WALK_STOP : WALK_GO;
}

static bool
uses_list(const struct nodelist *l, const struct tmpl_atom *name)
{
	return walk_list(l, find_name, (void *)name, false);
}

/* The first unknown filter or test outside a soft frame, if any. */
static int
find_unknown(const struct node *n, void *arg, bool soft)
{
	if ((n->kind == N_FILTER || n->kind == N_TEST) && n->flag && !soft) {
		*(const struct node **)arg = n;
		return WALK_STOP;
	}
	return WALK_GO;
}

static struct macrodef *
parse_signature(struct parser *p, const struct tmpl_atom *name)
{
	struct macrodef *m = arena_zalloc(p->a, sizeof(*m));
	size_t cap = 0;

	m->name = name;
	if (!expect_op(p, TO_LPAREN))
		return NULL;
	while (!is_op(p, TO_RPAREN)) {
		if (m->nparams > 0 && !expect_op(p, TO_COMMA))
			return NULL;
		struct node *arg = parse_target(p, true, false, false, NULL);
		if (arg == NULL)
			return NULL;
		if (m->nparams == cap) {
			size_t nc = cap == 0 ? 4 : cap * 2;
			m->params = arena_realloc(p->a, m->params,
			    cap * sizeof(*m->params), nc * sizeof(*m->params));
			m->defaults = arena_realloc(p->a, m->defaults,
			    cap * sizeof(*m->defaults),
			    nc * sizeof(*m->defaults));
			cap = nc;
		}
		m->params[m->nparams] = arg->u.name;
		m->defaults[m->nparams] = NULL;
		if (skip_op(p, TO_ASSIGN)) {
			if ((m->defaults[m->nparams] = parse_expr(p)) == NULL)
				return NULL;
		} else if (m->nparams > 0 && m->defaults[m->nparams - 1]) {
			pfail(p, arg->line, "non-default argument follows "
			    "default argument");
			return NULL;
		}
		m->nparams++;
	}
	next(p);
	return m;
}

static int
fail_toodeep(struct parser *p, int line)
{
	walk_toodeep = false;
	return pfail(p, line, "expression nests too deeply (more than %d "
	    "levels)", TMPL_PARSE_MAXTREE);
}

static void
macro_scan(struct parser *p, struct macrodef *m, int line)
{
	m->catch_varargs = uses_list(&m->body, atom(p, "varargs", 7));
	m->catch_kwargs = uses_list(&m->body, atom(p, "kwargs", 6));
	m->caller = uses_list(&m->body, atom(p, "caller", 6));
	if (walk_toodeep)
		fail_toodeep(p, line);
}

static struct node *
parse_macro(struct parser *p, int line)
{
	struct node *n = mknode(p, S_MACRO, line);
	struct token *t = expect_type(p, TK_NAME);

	if (t == NULL)
		return NULL;
	if ((n->u.macro = parse_signature(p, atom(p, t->s, t->len))) == NULL)
		return NULL;
	if (parse_statements(p, END_MACRO, &n->u.macro->body, true) == -1)
		return NULL;
	macro_scan(p, n->u.macro, line);
	return failed(p) ? NULL : n;
}

static struct node *
parse_call_block(struct parser *p, int line)
{
	struct node *n = mknode(p, S_CALLBLOCK, line);
	const struct tmpl_atom *caller = atom(p, "caller", 6);

	if (is_op(p, TO_LPAREN)) {
		if ((n->u.callblock.caller = parse_signature(p, caller)) ==
		    NULL)
			return NULL;
	} else {
		n->u.callblock.caller = arena_zalloc(p->a, sizeof(struct macrodef));
		n->u.callblock.caller->name = caller;
	}
	struct node *c = parse_expr(p);
	if (c == NULL)
		return NULL;
	if (c->kind != N_CALL) {
		pfail(p, line, "expected call");
		return NULL;
	}
	n->u.callblock.call = c;
	if (parse_statements(p, END_CALL, &n->u.callblock.caller->body,
	    true) == -1)
		return NULL;
	macro_scan(p, n->u.callblock.caller, line);
	return failed(p) ? NULL : n;
}

static struct node *
parse_filter_block(struct parser *p, int line)
{
	struct node *n = mknode(p, S_FILTERBLOCK, line);

	if ((n->u.filterblock.filter = parse_filter(p, NULL, true)) == NULL)
		return NULL;
	if (parse_statements(p, END_FILTER, &n->u.filterblock.body,
	    true) == -1)
		return NULL;
	return n;
}

/* [with context | without context]; default dflt. */
static bool
parse_context(struct parser *p, bool dflt)
{
	if ((is_name(cur(p), "with") || is_name(cur(p), "without")) &&
	    is_name(look(p), "context")) {
		bool with = is_name(cur(p), "with");
		next(p);
		next(p);
		return with;
	}
	return dflt;
}

static struct node *
parse_include(struct parser *p, int line)
{
	struct node *n = mknode(p, S_INCLUDE, line);

	if ((n->u.inc.tmpl = parse_expr(p)) == NULL)
		return NULL;
	if (is_name(cur(p), "ignore") && is_name(look(p), "missing")) {
		next(p);
		next(p);
		n->flag = true;
	}
	n->flag2 = parse_context(p, true);
	return n;
}

static struct node *
parse_import(struct parser *p, int line)
{
	struct node *n = mknode(p, S_IMPORT, line);

	if ((n->u.inc.tmpl = parse_expr(p)) == NULL || !expect_kw(p, "as"))
		return NULL;
	struct node *t = parse_target(p, true, false, false, NULL);
	if (t == NULL)
		return NULL;
	n->u.inc.target = t->u.name;
	n->flag2 = parse_context(p, false);
	return n;
}

static struct node *
parse_from(struct parser *p, int line)
{
	struct node *n = mknode(p, S_FROMIMPORT, line);
	size_t cap = 0;

	if ((n->u.inc.tmpl = parse_expr(p)) == NULL || !expect_kw(p, "import"))
		return NULL;
	for (;;) {
		if (n->u.inc.nnames > 0) {
			if (!skip_op(p, TO_COMMA))
				break;
		}
		if ((is_name(cur(p), "with") || is_name(cur(p), "without")) &&
		    is_name(look(p), "context"))
			break;
		if (cur(p)->type != TK_NAME) {
			if (n->u.inc.nnames == 0) {
				expect_type(p, TK_NAME);
				return NULL;
			}
			break;
		}
		struct token *t = next(p);
		if (t->s[0] == '_') {
			pfail(p, t->line, "names starting with an underline "
			    "can not be imported");
			return NULL;
		}
		if (n->u.inc.nnames == cap) {
			size_t nc = cap == 0 ? 4 : cap * 2;
			n->u.inc.names = arena_realloc(p->a, n->u.inc.names,
			    cap * sizeof(void *), nc * sizeof(void *));
			n->u.inc.aliases = arena_realloc(p->a,
			    n->u.inc.aliases, cap * sizeof(void *),
			    nc * sizeof(void *));
			cap = nc;
		}
		n->u.inc.names[n->u.inc.nnames] = atom(p, t->s, t->len);
		n->u.inc.aliases[n->u.inc.nnames] = n->u.inc.names[n->u.inc.nnames];
		if (skip_name(p, "as")) {
			struct token *a = expect_type(p, TK_NAME);
			if (a == NULL)
				return NULL;
			n->u.inc.aliases[n->u.inc.nnames] = atom(p, a->s,
			    a->len);
		}
		n->u.inc.nnames++;
	}
	n->flag2 = parse_context(p, false);
	return failed(p) ? NULL : n;
}

static struct node *
parse_block(struct parser *p, int line)
{
	struct node *n = mknode(p, S_BLOCK, line);
	struct token *t = expect_type(p, TK_NAME);

	if (t == NULL)
		return NULL;
	n->u.block.name = atom(p, t->s, t->len);
	for (size_t i = 0; i < p->nblocks; i++)
		if (p->blocks[i]->u.block.name == n->u.block.name) {
			pfail(p, t->line, "block '%.*s' defined twice",
			    (int)t->len, t->s);
			return NULL;
		}
	n->flag = skip_name(p, "scoped");
	skip_name(p, "required");
	if (p->nblocks == p->capblocks) {
		size_t nc = p->capblocks == 0 ? 4 : p->capblocks * 2;
		p->blocks = arena_realloc(p->a, p->blocks,
		    p->capblocks * sizeof(void *), nc * sizeof(void *));
		p->capblocks = nc;
	}
	p->blocks[p->nblocks++] = n;
	if (parse_statements(p, END_BLOCK, &n->u.block.body, true) == -1)
		return NULL;
	if (cur(p)->type == TK_NAME) {
		struct token *e = next(p);
		if (e->len != t->len || memcmp(e->s, t->s, t->len) != 0) {
			pfail(p, e->line, "'%.*s' is not the name of the "
			    "block", (int)e->len, e->s);
			return NULL;
		}
	}
	return n;
}

static struct node *
parse_statement(struct parser *p)
{
	static const struct {
		const char	*name;
		struct node	*(*fn)(struct parser *, int);
	} table[] = {
		{ "for", parse_for }, { "if", parse_if }, { "set", parse_set },
		{ "with", parse_with }, { "macro", parse_macro },
		{ "call", parse_call_block }, { "filter", parse_filter_block },
		{ "include", parse_include }, { "import", parse_import },
		{ "from", parse_from }, { "block", parse_block },
	};
	struct token *t = cur(p);
	struct node *n = NULL;

	if (t->type != TK_NAME) {
		pfail(p, t->line, "tag name expected");
		return NULL;
	}
	if (is_name(t, "extends")) {
		next(p);
		n = mknode(p, S_EXTENDS, t->line);
		if ((n->u.expr = parse_expr(p)) == NULL)
			return NULL;
	} else {
		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
			if (!is_name(t, table[i].name))
				continue;
			if (!enter(p))
				return NULL;
			next(p);
			push_tag(p, table[i].name);
			n = table[i].fn(p, t->line);
			pop_tag(p);
			p->depth--;
			break;
		}
		if (n == NULL && !failed(p)) {
			fail_ut_eof(p, t->s, t->len, t->line);
			return NULL;
		}
	}
	if (n == NULL || !expect_type(p, TK_BLOCK_END))
		return NULL;
	return n;
}

/* Jinja2's subparse: data, prints and statements until an end tag. */
static int
parse_body(struct parser *p, const char *const *ends, struct nodelist *out)
{
	struct nlb body = { 0 };

	/* Like Jinja2's end_token_stack, only bodies with end tags count. */
	if (ends != NULL) {
		if (p->nends < MAXSTACK)
			p->ends[p->nends] = ends;
		p->nends++;
	}
	while (cur(p)->type != TK_EOF && !failed(p)) {
		struct token *t = cur(p);
		if (t->type == TK_DATA) {
			struct node *n = mknode(p, S_TEXT, t->line);
			n->u.text.s = t->s;
			n->u.text.len = t->len;
			nlb_add(p, &body, n);
			next(p);
		} else if (t->type == TK_VAR_BEGIN) {
			next(p);
			struct node *n = mknode(p, S_PRINT, t->line);
			n->u.expr = parse_tuple(p, false, true, false, NULL);
			if (n->u.expr == NULL || !expect_type(p, TK_VAR_END))
				break;
			nlb_add(p, &body, n);
		} else if (t->type == TK_BLOCK_BEGIN) {
			next(p);
			bool stop = false;
			for (const char *const *e = ends; e && *e; e++)
				if (is_name(cur(p), *e))
					stop = true;
			if (stop)
				break;
			struct node *n = parse_statement(p);
			if (n == NULL)
				break;
			nlb_add(p, &body, n);
		} else {
			char tmp[80];
			pfail(p, t->line, "unexpected '%s'",
			    tmpl_tok_describe(t, tmp, sizeof(tmp)));
		}
	}
	if (ends != NULL)
		p->nends--;
	*out = nlb_done(&body);
	return failed(p) ? -1 : 0;
}

int
tmpl_parse(struct tmpl_template *t, struct tmpl_atoms *atoms,
    const char *src, size_t len, const struct tmpl_lex_opts *o,
    struct tmpl_error *err)
{
	struct parser p = { .t = t, .a = t->arena, .atoms = atoms, .err = err };

	if (tmpl_lex(t->arena, src, len, o, &p.tok, &p.ntok, err) == -1)
		return -1;
	if (parse_body(&p, NULL, &t->body) == -1)
		return -1;
	const struct node *bad = NULL;
	if (walk_list(&t->body, find_unknown, &bad, false) && walk_toodeep)
		return fail_toodeep(&p, 1);
	if (bad != NULL) {
		return pfail(&p, bad->line, "No %s named '%s'.",
		    bad->kind == N_FILTER ? "filter" : "test",
		    bad->u.filter.fname->s);
	}
	t->blocks = p.blocks;
	t->nblocks = p.nblocks;
	for (size_t i = 0; i < t->body.n; i++)
		if (t->body.v[i]->kind == S_EXTENDS)
			t->has_extends = true;
	return 0;
}
