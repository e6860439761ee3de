/*
 * tmpl_helper — rendering from strings for the engine's unit tests.
 *
 * th_render() renders src (named "t.j2") with data given as JSON text,
 * through a loader that serves the templates registered with
 * th_files[] (a NULL-terminated array of name, source pairs), and returns
 * the output or, on error, "ERROR file:line: error: message".  The
 * result is allocated; the caller frees it (or uses th_check()).
 */
#ifndef TMPL_HELPER_H
#define TMPL_HELPER_H

#include "tmpl.h"

struct th_case {
	const char	*src;
	const char	*data;	/* JSON, NULL for {} */
	const char	*want;	/* output, or "ERROR ..." prefix to match */
};

extern const char *const *th_files;

/* An environment whose loader serves th_files (caller frees). */
tmpl_env *th_env_new(const struct tmpl_options *o);
char	*th_render(const char *src, const char *data,
	    const struct tmpl_options *o);
/* Render with default (strict) options and compare with want. */
void	 th_check(const char *src, const char *data, const char *want);
/* The same with options. */
void	 th_check_opt(const char *src, const char *data, const char *want,
	    const struct tmpl_options *o);
/* Check every case of a table. */
void	 th_check_all(const struct th_case *cases, size_t n,
	    const struct tmpl_options *o);

#endif
