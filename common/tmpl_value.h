/*
 * tmpl_value — the engine's values and the runtime services that
 * filters, tests, methods and globals are written against.
 *
 * A value is a 16-byte tagged struct passed by value.  Scalars live in it;
 * strings are (pointer, byte length) and never copied when passed around;
 * containers and objects are pointers to structures in an arena: the data
 * handle's (frozen, shared read-only by every render) or the render's
 * (mutable, dies with the render).  Nothing here is reference-counted and
 * nothing is freed individually: whoever owns the arena owns the values.
 *
 * Adding a builtin needs only this header: a handler
 *   int fn(struct tmpl_rt *rt, tmpl_value self, const struct tmpl_args *a,
 *          tmpl_value *out)
 * returns 0 with *out set, or -1 after tmpl_rt_error() (the evaluator adds
 * file and line).  tmpl_bind() maps positional and keyword arguments onto a
 * parameter list; values not given come back as TV_MISSING.  Allocate in
 * the render arena (arena_alloc(tmpl_rt_arena(rt), n)); make string
 * results with tv_str_copy() or tv_str_from_buf().
 */
#ifndef CHORA_TMPL_VALUE_H
#define CHORA_TMPL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>

#include "buf.h"
#include "tmpl.h"

enum tv_type {
	TV_MISSING = 0,	/* "argument not given"; never visible to templates */
	TV_UNDEF,	/* Jinja2's Undefined; u.undef says why */
	TV_NONE,
	TV_BOOL,
	TV_INT,		/* fits int64 */
	TV_BIG,		/* beyond int64: u.big, immutable */
	TV_FLOAT,
	TV_STR,		/* u.s, len bytes of UTF-8, not NUL-terminated */
	TV_LIST,
	TV_TUPLE,	/* u.list too, never mutated */
	TV_DICT,
	TV_OBJ,		/* macro, loop, namespace, range, ...: u.obj */
};

/* flags */
#define TVF_SAFE	0x01	/* string marked safe (Markup) */
#define TVF_GROUP	0x02	/* tuple from groupby: .grouper, .list */

struct tv_list;
struct tv_dict;
struct tv_obj;
struct tv_undef;

struct tmpl_value {
	uint8_t		type;
	uint8_t		flags;
	uint16_t	pad;
	uint32_t	len;	/* TV_STR: byte length */
	union {
		int64_t		 i;	/* TV_INT, TV_BOOL (0/1) */
		double		 f;
		const char	*s;
		const BIGNUM	*big;
		struct tv_list	*list;
		struct tv_dict	*dict;
		struct tv_obj	*obj;
		struct tv_undef	*undef;
	} u;
};

typedef struct tmpl_value tv;

struct tv_list {
	uint32_t	 len;
	uint32_t	 cap;
	bool		 frozen;	/* from data, or a tuple */
	tv		*items;
};

struct tv_entry {
	tv	key;
	tv	val;
};

struct tv_dict {
	uint32_t	 len;
	uint32_t	 cap;
	bool		 frozen;
	struct tv_entry	*e;
	uint32_t	*index;		/* open addressing into e (+1), or NULL */
	uint32_t	 icap;		/* power of two */
};

/* Why a value is undefined; the message is built only when it is used. */
enum tv_undef_kind {
	UNDEF_NAME,	/* 'x' is undefined */
	UNDEF_ATTR,	/* 'dict object' has no attribute 'x' */
	UNDEF_ITEM,	/* list object has no element 5 */
	UNDEF_HINT,	/* a ready message */
	UNDEF_COND,	/* an inline if without else; nlen is its line */
};

struct tv_undef {
	uint8_t		 kind;
	bool		 lenient;	/* always Jinja2's lenient Undefined */
	const char	*name;		/* name, attribute or hint */
	size_t		 nlen;
	const char	*objtype;	/* "dict object", ... */
	tv		 key;		/* UNDEF_ITEM */
};

/* Objects: a type with the operations it supports (NULL: not supported). */
struct tmpl_rt;
struct tmpl_args;

struct tv_objtype {
	const char	*name;		/* Python-ish type name for messages */
	/* 0 found, 1 no such attribute, -1 error. */
	int	(*getattr)(struct tmpl_rt *, struct tv_obj *, const char *,
		    size_t, tv *);
	int	(*call)(struct tmpl_rt *, struct tv_obj *,
		    const struct tmpl_args *, tv *);
	/* Materialize the elements (for iteration); -1 error. */
	int	(*items)(struct tmpl_rt *, struct tv_obj *, struct tv_list **);
	void	(*repr)(struct tmpl_rt *, struct tv_obj *, struct buf *);
	/* Assign an attribute (namespace); -1 error. */
	int	(*setattr)(struct tmpl_rt *, struct tv_obj *, const char *,
		    size_t, tv);
};

struct tv_obj {
	const struct tv_objtype	*type;
};

/* Call arguments: positional, then keyword (name, value) pairs. */
struct tmpl_kwarg {
	const char	*name;
	size_t		 len;
	tv		 val;
};

struct tmpl_args {
	const tv		*pos;
	size_t			 npos;
	const struct tmpl_kwarg	*kw;
	size_t			 nkw;
};

/* Builtin handler: filters get the filtered value as self. */
typedef int (*tmpl_fn)(struct tmpl_rt *, tv self, const struct tmpl_args *,
    tv *out);

/* ---- constructors ---- */
static inline tv tv_none(void) { tv v = { .type = TV_NONE }; return v; }
static inline tv tv_missing(void) { tv v = { .type = TV_MISSING }; return v; }
static inline tv
tv_bool(bool b)
{
	tv v = { .type = TV_BOOL };
	v.u.i = b;
	return v;
}
static inline tv
tv_int(int64_t i)
{
	tv v = { .type = TV_INT };
	v.u.i = i;
	return v;
}
static inline tv
tv_float(double f)
{
	tv v = { .type = TV_FLOAT };
	v.u.f = f;
	return v;
}
static inline tv
tv_obj(struct tv_obj *o)
{
	tv v = { .type = TV_OBJ };
	v.u.obj = o;
	return v;
}
/* A string pointing at s (not copied: s must outlive the value). */
static inline tv
tv_strn(const char *s, size_t len)
{
	tv v = { .type = TV_STR };
	v.len = (uint32_t)len;
	v.u.s = s;
	return v;
}
tv	tv_cstr(const char *s);	/* static C string */

static inline bool tv_is_str(tv v) { return v.type == TV_STR; }
static inline bool
tv_is_seq(tv v)
{
	return v.type == TV_LIST || v.type == TV_TUPLE;
}
static inline bool
tv_is_num(tv v)
{
	return v.type == TV_INT || v.type == TV_FLOAT || v.type == TV_BIG ||
	    v.type == TV_BOOL;
}
bool	tv_is_objtype(tv v, const struct tv_objtype *t);

/* Is v Jinja2's lenient Undefined (prints empty, iterates empty, ...)? */
static inline bool
tv_undef_lenient(tv v, enum tmpl_undefined_mode mode)
{
	return v.type == TV_UNDEF && (mode == TMPL_UNDEFINED_LENIENT ||
	    (v.u.undef != NULL && v.u.undef->lenient));
}

/* Is c one of the characters of set?  (strchr alone matches '\0'.) */
static inline bool
str_in_set(char c, const char *set)
{
	for (; *set != '\0'; set++)
		if (*set == c)
			return true;
	return false;
}

/* Decimal digits of v ending just before end; returns where they start. */
static inline char *
fmt_u64(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

/* Copy n values (n may be 0 and the pointers NULL then). */
static inline void
tv_copy(tv *dst, const tv *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
}

/* ---- the runtime services (tmpl_eval.c) ---- */
enum tmpl_undefined_mode tmpl_rt_mode(const struct tmpl_rt *rt);
/* Record an error (first one wins) and return -1. */
int	 tmpl_rt_error(struct tmpl_rt *rt, enum tmpl_error_kind kind,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The error for using undefined value u. Returns -1. */
int	 tmpl_rt_undef_error(struct tmpl_rt *rt, tv u);
/* Error unless n more bytes of strings fit the memory limit. */
int	 tmpl_rt_check_size(struct tmpl_rt *rt, size_t n);
/*
 * An empty scratch buffer for building a string, owned by the render: it
 * keeps its memory from one use to the next, so building text costs no
 * malloc.  tmpl_rt_buf_str() copies the text into a string value and gives
 * the buffer back; tmpl_rt_buf_drop() gives it back (with any taken after
 * it, so an error path that forgets one loses nothing).  Last in, first
 * out.
 */
struct buf *tmpl_rt_buf(struct tmpl_rt *rt);
tv	 tmpl_rt_buf_str(struct tmpl_rt *rt, struct buf *b);
void	 tmpl_rt_buf_drop(struct tmpl_rt *rt, struct buf *b);
/* Call any callable value. */
int	 tmpl_call(struct tmpl_rt *rt, tv fn, const struct tmpl_args *a,
	    tv *out);
/* Apply a filter or test by name (map, select, ...): -1 unknown/failed. */
int	 tmpl_apply_filter(struct tmpl_rt *rt, const char *name, size_t len,
	    tv in, const struct tmpl_args *a, tv *out);
int	 tmpl_apply_test(struct tmpl_rt *rt, const char *name, size_t len,
	    tv in, const struct tmpl_args *a, bool *res);
/* A new undefined value (allocated in the render arena). */
tv	 tmpl_undef_name(struct tmpl_rt *rt, const char *name, size_t len);
tv	 tmpl_undef_attr(struct tmpl_rt *rt, tv obj, const char *name,
	    size_t len);
tv	 tmpl_undef_item(struct tmpl_rt *rt, tv obj, tv key);
tv	 tmpl_undef_hint(struct tmpl_rt *rt, const char *hint, bool lenient);

/*
 * Bind arguments to a parameter list ("width,first,blank"): out[i] gets
 * the value for the i-th parameter or TV_MISSING.  Too many positional or
 * unknown keyword arguments are an error naming fname.
 */
int	 tmpl_bind(struct tmpl_rt *rt, const char *fname,
	    const struct tmpl_args *a, const char *params, tv *out,
	    size_t nout);

/* ---- values (tmpl_value.c) ---- */
const char *tv_type_name(tv v);		/* "int", "str", "dict", ... */
bool	 tv_truthy(struct tmpl_rt *rt, tv v, int *err);
bool	 tv_eq(tv a, tv b);
/* Python ordering: -1/0/1 in *res, or -1 returned with a TypeError. */
int	 tv_cmp(struct tmpl_rt *rt, tv a, tv b, int *res);
uint64_t tv_hash(tv v);

struct arena;
/* The render arena, for the constructors below. */
struct arena	*tmpl_rt_arena(struct tmpl_rt *rt);
struct tv_list	*tv_list_new(struct arena *a, size_t cap);
void		 tv_list_push(struct arena *a, struct tv_list *l, tv v);
tv		 tv_list_val(struct tv_list *l);
tv		 tv_tuple_val(struct tv_list *l);
struct tv_dict	*tv_dict_new(struct arena *a, size_t cap);
/* Insert or replace (the key keeps its first position). */
void		 tv_dict_set(struct arena *a, struct tv_dict *d, tv k, tv v);
const tv	*tv_dict_get(const struct tv_dict *d, tv k);
const tv	*tv_dict_gets(const struct tv_dict *d, const char *s,
		    size_t len);
/* The same with the key's tv_hash() computed beforehand. */
const tv	*tv_dict_gets_h(const struct tv_dict *d, const char *s,
		    size_t len, uint64_t hash);
tv		 tv_dict_val(struct tv_dict *d);

/* Elements of an iterable (list items shared, not copied). -1: not. */
int	 tv_iterate(struct tmpl_rt *rt, tv v, struct tv_list **out);
/* len(v); -1 with error when v has none. */
int	 tv_length(struct tmpl_rt *rt, tv v, int64_t *out);

/* str(v) appended to b; -1 on strict undefined. */
int	 tv_str_buf(struct tmpl_rt *rt, tv v, struct buf *b);
/* repr(v) appended to b. */
void	 tv_repr_buf(struct tmpl_rt *rt, tv v, struct buf *b);
/* str(v) as a string value (no copy when already a string). */
int	 tv_to_str(struct tmpl_rt *rt, tv v, tv *out);
/* A copy of b's bytes as a render-arena string value. */
tv	 tv_str_from_buf(struct tmpl_rt *rt, const struct buf *b);
tv	 tv_str_copy(struct tmpl_rt *rt, const char *s, size_t n);

/* ---- numbers (tmpl_num.c) ---- */
void	 tv_float_repr(double f, struct buf *b);
/* Normalize a BIGNUM result: int when it fits.  Takes ownership of bn. */
tv	 tv_from_bn(struct tmpl_rt *rt, BIGNUM *bn);
BIGNUM	*tv_to_bn(tv v);	/* new BIGNUM (caller frees) of an int */
double	 tv_to_double(tv v);	/* int, big, bool or float */
/* int(f): truncated toward zero, any size; an error for inf and nan. */
int	 tv_float_to_int(struct tmpl_rt *rt, double f, tv *out);
enum tv_binop {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW,
};
int	 tv_arith(struct tmpl_rt *rt, enum tv_binop op, tv a, tv b, tv *out);
int	 tv_neg(struct tmpl_rt *rt, tv a, tv *out);
/* Parse Python int/float literal text (underscores allowed). */
int	 tv_parse_int(struct tmpl_rt *rt, const char *s, size_t n, int base,
	    tv *out);

/* ---- strings (tmpl_str.c) ---- */
size_t	 utf8_len(const char *s, size_t n);	/* code points */
/* Decode one code point at s (n bytes left); *adv gets its length. */
uint32_t utf8_decode(const char *s, size_t n, size_t *adv);
void	 utf8_encode(uint32_t cp, struct buf *b);
/* Byte offset of code point index i (clamped to n). */
size_t	 utf8_offset(const char *s, size_t n, size_t i);
uint32_t uc_upper(uint32_t c);
uint32_t uc_lower(uint32_t c);
bool	 uc_isupper(uint32_t c);
bool	 uc_islower(uint32_t c);
bool	 uc_isalpha(uint32_t c);
bool	 uc_isdigit(uint32_t c);
bool	 uc_isspace(uint32_t c);
bool	 uc_isprintable(uint32_t c);
/* Case conversions into b, Python semantics (ß upper is SS). */
void	 str_upper(const char *s, size_t n, struct buf *b);
void	 str_lower(const char *s, size_t n, struct buf *b);
void	 str_title(const char *s, size_t n, struct buf *b);
void	 str_capitalize(const char *s, size_t n, struct buf *b);
void	 str_swapcase(const char *s, size_t n, struct buf *b);
void	 str_repr(const char *s, size_t n, struct buf *b);
/* Python str.strip with chars (NULL: whitespace); which: 1 l, 2 r, 3 both. */
void	 str_strip(const char *s, size_t n, const char *chars, size_t cn,
	    int which, size_t *start, size_t *end);
const char *str_find(const char *h, size_t hn, const char *nd, size_t nn);
void	 html_escape(const char *s, size_t n, struct buf *b);
/* The same into dst, which has room for the escaped text; returns its end. */
char	*html_escape_into(const char *s, size_t n, char *dst);

/* ---- formatting (tmpl_fmt.c) ---- */
int	 tmpl_percent_format(struct tmpl_rt *rt, tv fmt, tv args, tv *out);
int	 tmpl_str_format(struct tmpl_rt *rt, tv fmt, const struct tmpl_args *a,
	    tv *out);
/* Python format(value, spec) appended to b. */
int	 tmpl_format_spec(struct tmpl_rt *rt, tv v, const char *spec,
	    size_t n, struct buf *b);

/* ---- JSON (tmpl_json.c) ---- */
/* tojson: sorted keys, HTML-safe; indent < 0 for one line. */
int	 tmpl_tojson(struct tmpl_rt *rt, tv v, int indent, struct buf *b);

#endif
