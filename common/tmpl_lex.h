/*
 * tmpl_lex — Jinja2's lexer: template source to a token array.
 *
 * The source is first normalized as Jinja2 does (\r\n and \r become \n,
 * one trailing newline is dropped unless keep_trailing_newline), then cut
 * into data and tags.  Whitespace control (-, +, trim_blocks,
 * lstrip_blocks), comments and raw blocks are resolved here, so the parser
 * sees only data, tag brackets and expression tokens.  Data tokens point
 * into the normalized source, which the caller keeps alive (it lives in
 * the template's arena).
 */
#ifndef CHORA_TMPL_LEX_H
#define CHORA_TMPL_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "tmpl.h"

struct arena;

enum tk_type {
	TK_EOF = 0,
	TK_DATA,
	TK_VAR_BEGIN,
	TK_VAR_END,
	TK_BLOCK_BEGIN,
	TK_BLOCK_END,
	TK_NAME,
	TK_STRING,	/* s/len: the decoded value */
	TK_INT,		/* s/len: the literal text (underscores kept) */
	TK_FLOAT,
	TK_OP,		/* op: one of enum tk_op */
};

enum tk_op {
	TO_ADD = 1, TO_SUB, TO_DIV, TO_FLOORDIV, TO_MUL, TO_MOD, TO_POW,
	TO_TILDE, TO_LBRACKET, TO_RBRACKET, TO_LPAREN, TO_RPAREN, TO_LBRACE,
	TO_RBRACE, TO_EQ, TO_NE, TO_GT, TO_GTEQ, TO_LT, TO_LTEQ, TO_ASSIGN,
	TO_DOT, TO_COLON, TO_PIPE, TO_COMMA, TO_SEMICOLON,
};

struct token {
	uint8_t		 type;
	uint8_t		 op;
	int		 line;
	const char	*s;
	size_t		 len;
};

struct tmpl_lex_opts {
	int	trim_blocks;
	int	lstrip_blocks;
	int	keep_trailing_newline;
};

/*
 * Tokenize src.  Tokens, the normalized source and decoded strings are
 * allocated in a; the array ends with a TK_EOF token.  Returns 0, or -1
 * with err filled (kind TMPL_ERR_SYNTAX, line set; file left to caller).
 */
int	tmpl_lex(struct arena *a, const char *src, size_t len,
	    const struct tmpl_lex_opts *o, struct token **toks, size_t *ntoks,
	    struct tmpl_error *err);

/* "end of print statement", "'name'", ... for parser messages. */
const char *tmpl_tok_describe(const struct token *t, char *tmp,
	    size_t tmplen);
const char *tmpl_op_str(int op);

#endif
