/*
 * gen — the pure half of a generation, run on worker threads.
 *
 * A task is one output to produce (or, for a verify task, one output file
 * to check against its last generated hash).  The loop thread fills a
 * task with everything the render needs — the config, the workspace, the
 * item's bytes copied out of the dataset, the texts of an artifact's
 * parts — and gen_run() renders the key, the output path and the text,
 * collects every dependency with its hash, compares the text with the
 * file on disk, runs the validate command, and writes the new text to a
 * temporary file beside the output.  gen_flush() then makes a whole job's
 * temporary files durable with one sync (syncfs for a batch, fsync for
 * one), renames them into place and syncs their folders once each.
 * Neither touches the store or the loop: the loop thread applies results
 * (project.c).
 *
 * Ownership: a task owns every string in it; gen_task_free() frees them.
 */
#ifndef CHORA_GEN_H
#define CHORA_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "hash.h"
#include "store.h"
#include "tmpl.h"

struct config;
struct dataset;
struct loader;
struct unit;
struct workspace;

/*
 * What every task of one config in one workspace shares; owned by the
 * project, read-only while a pass runs.
 */
struct strmap;

struct gen_ctx {
	const char		*root;		/* realpath of the root */
	tmpl_env		*env;
	struct loader		*loader;
	struct dataset		*ds;		/* NULL without data */
	const struct config	*cfg;
	const struct workspace	*ws;
	const tmpl_value	*vars;
	const tmpl_value	*config;	/* the config's JSON */
	char			 cfg_hash[HASH_HEX_SIZE];	/* config,
						   vars, options, dir */
	char			*foreach_root;	/* "backends" of "backends.x" */
	bool			 fsync;
	/* Files the project reads (path -> what they are): an output
	 * there would overwrite an input.  Unchanged during a pass. */
	const struct strmap	*inputs;
};

enum gen_kind {
	GEN_RENDER,	/* render, compare, write */
	GEN_VERIFY,	/* only compare the file with the last hash */
};

/*
 * A file as written (inode, size, modification time): a rename keeps all
 * three, and any later write or replacement changes one of them.
 */
struct gen_file {
	bool		 known;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

struct gen_dep {
	enum store_kind	 kind;
	char		*id;
	char		*path;		/* NULL for config and content */
	char		 hash[HASH_HEX_SIZE];
};

struct gen_task {
	enum gen_kind	 kind;
	const struct gen_ctx *gx;
	struct unit	*unit;		/* the output as known, or NULL */
	bool		 want_full;	/* render with the whole data */
	ssize_t		 elem;		/* item index, -1 without foreach */
	char		*item;		/* the item's JSON bytes */
	size_t		 itemlen;
	char		*objkey;	/* the member's key, iterating objects */
	char		 item_hash[HASH_HEX_SIZE];
	char		*part_json;	/* artifacts: {"id": "text", ...} */
	char		*part_text;	/* artifacts: parts joined */
	char		*expect;	/* last generated hash, "" none */
	struct gen_file	 expect_file;	/* the file as written with it */
	char		*output_in;	/* verify: the output's path */
	bool		 check;		/* write nothing */

	/* results */
	char		*id;		/* content id */
	char		*key;		/* item key, NULL without foreach */
	char		*output;	/* relative output path, or NULL */
	char		*abs;		/* its confined absolute path */
	char		*text;
	size_t		 len;
	char		 hash[HASH_HEX_SIZE];
	char		*error;		/* "file:line: error: ..." */
	struct gen_dep	*deps;
	size_t		 ndeps;
	bool		 full;		/* rendered with the whole data */
	bool		 disk_exists;
	bool		 disk_same;	/* the file is expect_file: its hash
					   is expect, no need to read it */
	bool		 disk_known;	/* disk_exists (and mode) already
					   seen while confining the path */
	mode_t		 disk_mode;
	char		 disk_hash[HASH_HEX_SIZE];
	char		*drift_text;	/* the file's text when it drifted */
	size_t		 drift_len;
	char		*tmp;		/* written, awaiting rename */
	struct gen_file	 written;	/* tmp as written */
	bool		 changed;	/* the file was (or would be) replaced */
	char		*validate_out;	/* validate's output, for the log */
};

/*
 * Run a job's tasks in order (worker thread).  Tasks whose outputs share
 * a folder confine and create it once between them.
 */
void	gen_run(struct gen_task **tasks, size_t n);
/*
 * Make the temporary files of tasks durable (when fsync), rename them
 * over their outputs and sync their folders.  A failed rename turns into
 * that task's error.
 */
void	gen_flush(struct gen_task **tasks, size_t n, bool fsync);
void	gen_task_free(struct gen_task *t);
/* Note st as a file written; is st still exactly the file f noted? */
void	gen_file_id(const struct stat *st, struct gen_file *f);
bool	gen_file_same(const struct gen_file *f, const struct stat *st);
void	gen_dep_add(struct gen_task *t, enum store_kind kind, const char *id,
	    const char *path, const char *hash);

/*
 * chora-compose's template_fill: "{{ name }}" and "{{ a.b }}" replaced by
 * the values at those paths in the JSON object ctx (strings as they are,
 * others as JSON); placeholders naming nothing are left as written.
 * Allocated; NULL with *cause when ctx is not JSON.
 */
char	*gen_fill(const char *src, size_t len, const char *ctx_json,
	    size_t ctx_len, size_t *outlen, char **cause);

#endif
