/*
 * tmpl_parse — tokens to the node tree of tmpl_ast.h, with Jinja2's
 * grammar, precedence and error messages ("Unexpected end of template.
 * Jinja was looking for the following tags: 'endfor' or 'else'. ...").
 *
 * The parser also does what Jinja2's compiler checks at compile time:
 * filters and tests are looked up (an unknown one is an error, except
 * inside an if statement or conditional expression, where Jinja2 defers
 * it to run time), duplicate blocks are refused, and macros are scanned
 * for their use of varargs, kwargs and caller.
 */
#ifndef CHORA_TMPL_PARSE_H
#define CHORA_TMPL_PARSE_H

#include "tmpl.h"
#include "tmpl_ast.h"
#include "tmpl_lex.h"

struct tmpl_atoms;

/* Intern a name in the atom table (thread-safe). */
const struct tmpl_atom *tmpl_atom_intern(struct tmpl_atoms *at,
	    const char *s, size_t len);
struct tmpl_atoms *tmpl_atoms_new(void);
void	tmpl_atoms_free(struct tmpl_atoms *at);
uint32_t tmpl_hash_bytes(const char *s, size_t len);

/*
 * Parse src into t (its arena must exist).  Returns 0, or -1 with err
 * set (kind and line; the caller adds the file name).
 */
int	tmpl_parse(struct tmpl_template *t, struct tmpl_atoms *atoms,
	    const char *src, size_t len, const struct tmpl_lex_opts *o,
	    struct tmpl_error *err);

#endif
