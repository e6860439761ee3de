/*
 * tmpl_eval — the evaluator's internal state, shared by tmpl_eval.c
 * (expressions, names, attribute access), tmpl_exec.c (statements,
 * templates, inheritance, includes) and tmpl_call.c (macros and the
 * callable objects: loop, caller, module, self, super).
 *
 * Names resolve through a chain of frames, innermost first, ending at a
 * root frame that may see the render context (the data) and then the
 * globals.  A frame is created by a template's top level, a for loop, a
 * with block, a macro call and a block; if and set do not create one, as
 * in Jinja2.  Frames live in the render arena, so a macro's closure frame
 * outlives the statement that defined it.
 */
#ifndef CHORA_TMPL_EVAL_H
#define CHORA_TMPL_EVAL_H

#include <pthread.h>
#include <string.h>
#include <sys/types.h>

#include "buf.h"
#include "tmpl.h"
#include "tmpl_ast.h"
#include "tmpl_value.h"

struct tmpl_atoms;

struct slot {
	const struct tmpl_atom	*name;
	tv			 val;
};

struct frame {
	struct frame		*parent;
	const struct tmpl_ctx	*ctx;	/* root frames: the data, or NULL */
	bool			 include;	/* an include's root: `loop`
						   of the includer is hidden */
	struct slot		*slots;	/* inl until it outgrows it */
	uint32_t		 n, cap;
	struct slot		 inl[4];	/* most frames: no second allocation */
};

/* One block name's implementations, most derived first. */
struct blockstack {
	const struct tmpl_atom		*name;
	const struct node		**nodes;
	const struct tmpl_template	**tmpls;
	size_t				 n, cap;
};

/* Jinja2's Context: one per render, include and import. */
struct tctx {
	struct frame		*root;
	struct blockstack	*blocks;
	size_t			 nblocks, capblocks;
	struct tmpl_template	*parent;	/* set by extends */
};

/* The block being rendered, for super(). */
struct blockpos {
	struct tctx	*tc;
	size_t		 stack;	/* index into tc->blocks */
	size_t		 level;	/* index into that stack */
};

struct tmpl_ctx {
	struct slot	*slots;		/* open addressing by name hash */
	size_t		 cap, n;
	char		**owned;	/* copied strings */
	size_t		 nowned;
};

struct tmpl_env {
	struct tmpl_options	 opt;
	struct tmpl_loader	 loader;
	char			*search_dir;	/* default loader */
	struct tmpl_atoms	*atoms;
	pthread_mutex_t		 lock;		/* the cache and the pool */
	struct cache_entry	*cache;
	size_t			 ncache, capcache;
	struct arena		*pool[4];	/* render arenas for reuse */
	size_t			 npool;
};

struct tmpl_rt {
	struct tmpl_env			*env;
	struct arena			*arena;
	struct buf			*out;
	struct tmpl_result		*res;
	const struct tmpl_template	*tmpl;	/* for error locations */
	int				 line;
	struct frame			*frame;
	struct tctx			*tc;
	const struct blockpos		*block;
	struct tmpl_template		**held;	/* templates to release */
	size_t				 nheld, capheld;
	struct buf			**scratch;	/* tmpl_rt_buf() */
	size_t				 nscratch, capscratch;
	unsigned			 depth, edepth;
	uint64_t			 iterations;
	size_t				 max_output, max_memory;
	uint64_t			 max_iterations;
	unsigned			 max_depth;
	bool				 failed;
	/* well-known atoms */
	const struct tmpl_atom		*a_loop, *a_varargs, *a_kwargs,
					*a_caller, *a_self, *a_super;
};

/* tmpl_eval.c */
int	 eval(struct tmpl_rt *rt, const struct node *n, tv *out);
int	 rt_lookup(struct tmpl_rt *rt, const struct tmpl_atom *name, tv *out);
void	 frame_set(struct tmpl_rt *rt, struct frame *f,
	    const struct tmpl_atom *name, tv v);
struct frame *frame_new(struct tmpl_rt *rt, struct frame *parent);
int	 rt_getattr(struct tmpl_rt *rt, tv obj, const char *name, size_t len,
	    tv *out);
int	 rt_getitem(struct tmpl_rt *rt, tv obj, tv key, tv *out);
/* Room for the arguments of most calls on the caller's stack. */
struct argbuf {
	tv			pos[4];
	struct tmpl_kwarg	kw[2];
};
/* Evaluate call arguments, into ab when they fit (ab may be NULL). */
int	 rt_eval_args(struct tmpl_rt *rt, const struct callargs *ca,
	    struct tmpl_args *out, struct argbuf *ab);
int	 rt_output_grow(struct tmpl_rt *rt, const char *s, size_t n);

/* Append to the output (nothing after an extends), within the limit. */
static inline int
rt_output(struct tmpl_rt *rt, const char *s, size_t n)
{
	struct buf *b = rt->out;

	if (b == NULL || b->len + n >= b->cap || b->len + n > rt->max_output)
		return rt_output_grow(rt, s, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}
int	 rt_output_value(struct tmpl_rt *rt, tv v);
int	 rt_check_limits(struct tmpl_rt *rt);
int	 rt_enter(struct tmpl_rt *rt);	/* depth++ or a limit error */
void	 rt_leave(struct tmpl_rt *rt);
/*
 * Run body in frame f: into a scratch buffer whose text becomes *out, or,
 * with out NULL, straight into the current output (a call printed at once).
 */
int	 rt_capture(struct tmpl_rt *rt, const struct nodelist *body,
	    struct frame *f, tv *out);
/* Print the value of call e (a macro prints as it runs). */
int	 rt_print_call(struct tmpl_rt *rt, const struct node *e);
/* Free the scratch buffers (tmpl_rt_buf()) at the end of a render. */
void	 rt_buf_free_all(struct tmpl_rt *rt);
int	 rt_apply_filters(struct tmpl_rt *rt, const struct node *chain, tv in,
	    tv *out);

/* tmpl_exec.c */
int	 exec_body(struct tmpl_rt *rt, const struct nodelist *body);
int	 rt_assign(struct tmpl_rt *rt, const struct node *target, tv v,
	    struct frame *f);
/* Load a template through the env's cache and record it as read. */
int	 rt_load(struct tmpl_rt *rt, const char *name, size_t len,
	    struct tmpl_template **t, bool *missing);
/* Render t as a whole template with a new context. */
int	 rt_render_template(struct tmpl_rt *rt, struct tmpl_template *t,
	    struct tctx *tc);
int	 rt_render_block(struct tmpl_rt *rt, struct tctx *tc, size_t stack,
	    size_t level, struct frame *parent);
ssize_t	 rt_find_block(struct tctx *tc, const struct tmpl_atom *name);

/* tmpl_call.c */
tv	 macro_value(struct tmpl_rt *rt, const struct macrodef *m,
	    struct frame *closure);
int	 loop_run(struct tmpl_rt *rt, const struct node *n, tv iter,
	    unsigned depth);
tv	 module_value(struct tmpl_rt *rt, struct frame *root,
	    const struct tmpl_template *t);
tv	 self_value(struct tmpl_rt *rt, struct tctx *tc);
int	 super_value(struct tmpl_rt *rt, tv *out);
/* Call fn with a caller; out NULL: print the result. */
int	 rt_call_macro(struct tmpl_rt *rt, tv fn, const struct tmpl_args *a,
	    tv caller, tv *out);
bool	 tv_is_macro(tv v);

/* tmpl_env.c */
/*
 * The compiled template called name, from the cache or the loader, with
 * a reference the caller drops with env_release().  The file is recorded
 * in deps when it was read (even when it does not compile).  Returns 0,
 * 1 when it does not exist, or -1 with err set.
 */
int	 env_acquire(struct tmpl_env *env, const char *name,
	    struct tmpl_template **t, struct tmpl_error *err,
	    struct tmpl_result *deps);
void	 env_release(struct tmpl_env *env, struct tmpl_template *t);

#endif
