/*
 * tmpl_filters — what the filter files share.  The table itself is in
 * tmpl_filters.c; handlers live in tmpl_filters.c (strings, numbers,
 * misc), tmpl_filters_seq.c (sequences: sort, groupby, map, select, ...)
 * and tmpl_filters_text.c (text layout: wordwrap, pprint, striptags,
 * urlize, urlencode).  Every handler has the tmpl_fn signature.
 */
#ifndef CHORA_TMPL_FILTERS_H
#define CHORA_TMPL_FILTERS_H

#include "tmpl_value.h"

#define FILTER(name) \
	int name(struct tmpl_rt *rt, tv v, const struct tmpl_args *a, tv *out)

/* tmpl_filters.c helpers */
/* str(v) without copying strings; -1 on strict undefined. */
int	flt_str(struct tmpl_rt *rt, tv v, tv *out);
/* An int argument (TV_MISSING gives dflt). */
int	flt_int_arg(struct tmpl_rt *rt, const char *what, tv v, int64_t dflt,
	    int64_t *out);
bool	flt_bool_arg(tv v, bool dflt);
/* Lowercase a string value (other values unchanged), for ignore_case. */
tv	flt_lower(struct tmpl_rt *rt, tv v);
/* Jinja2's make_attrgetter: "a.b.0" through getitem; default if undef. */
int	flt_attr(struct tmpl_rt *rt, tv item, tv attr, tv dflt, tv *out);
/* Stable sort of l in place by keys (parallel array); -1 on TypeError. */
int	flt_sort(struct tmpl_rt *rt, tv *items, tv *keys, size_t n,
	    bool reverse);

/* tmpl_filters_seq.c */
FILTER(f_batch);
FILTER(f_dictsort);
FILTER(f_first);
FILTER(f_groupby);
FILTER(f_items);
FILTER(f_join);
FILTER(f_last);
FILTER(f_list);
FILTER(f_map);
FILTER(f_max);
FILTER(f_min);
FILTER(f_random);
FILTER(f_reject);
FILTER(f_rejectattr);
FILTER(f_reverse);
FILTER(f_select);
FILTER(f_selectattr);
FILTER(f_slice);
FILTER(f_sort);
FILTER(f_sum);
FILTER(f_unique);

/* tmpl_filters_text.c */
FILTER(f_pprint);
FILTER(f_striptags);
FILTER(f_urlencode);
FILTER(f_urlize);
FILTER(f_wordwrap);
FILTER(f_xmlattr);

#endif
