/*
 * Unit tests for choradd/root and config: root discovery, the manifest,
 * chora and chora-compose configs, and every error path with its
 * file:line.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "path.h"
#include "root.h"
#include "xmalloc.h"

static char tmpdir[PATH_MAX];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/chora-test-root.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char *cmd = xprintf("rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static void
put(const char *rel, const char *text)
{
	char *p = path_join(tmpdir, rel), *d = path_dirname(p), *cause = NULL;

	cr_assert_eq(fileio_mkdirs(d, 0755), 0);
	cr_assert_eq(fileio_write_atomic(p, text, strlen(text), false, 0644,
	    &cause), 0);
	free(p);
	free(d);
}

static struct root *
load(void)
{
	char *cause = NULL;
	struct root *r = root_load(tmpdir, &cause);

	cr_assert_not_null(r, "%s", cause ? cause : "");
	return r;
}

static char *
load_fails(void)
{
	char *cause = NULL;
	struct root *r = root_load(tmpdir, &cause);

	cr_assert_null(r);
	cr_assert_not_null(cause);
	return cause;
}

TestSuite(root, .init = setup, .fini = teardown);

Test(root, find_walks_up)
{
	char *cause = NULL, *found, *real = realpath(tmpdir, NULL);

	put("proj/chora.json", "{}");
	put("proj/a/b/c.txt", "x");
	char *start = xprintf("%s/proj/a/b/c.txt", tmpdir);
	found = path_find_root(start, &cause);
	char *want = xprintf("%s/proj", real);
	cr_assert_str_eq(found, want);
	free(found);
	free(start);
	free(want);
	put("compose/configs/content/x/x-content.json", "{}");
	start = xprintf("%s/compose/configs", tmpdir);
	found = path_find_root(start, &cause);
	want = xprintf("%s/compose", real);
	cr_assert_str_eq(found, want);
	free(found);
	free(start);
	free(want);
	start = xprintf("%s", tmpdir);
	cr_assert_null(path_find_root(start, &cause));
	cr_assert(strstr(cause, "not inside a project root") != NULL);
	free(cause);
	free(start);
	free(real);
}

Test(root, empty_manifest_defaults)
{
	put("chora.json", "{}");
	struct root *r = load();
	cr_assert_eq(r->nconfigs, 0);
	cr_assert_eq(r->nerrors, 0);
	cr_assert_eq(r->nws, 1);
	cr_assert_str_eq(r->ws[0].name, "default");
	cr_assert_str_eq(r->ws[0].output_dir, ".");
	cr_assert_str_eq(r->config_dirs[0], "configs");
	cr_assert_eq(r->settle_ms, 20);
	cr_assert_eq(r->history, 50);
	cr_assert(r->fsync);
	cr_assert_eq(r->jinja.undefined, TMPL_UNDEFINED_STRICT);
	cr_assert(!r->jinja.trim_blocks);
	cr_assert_eq(r->compose_jinja.undefined, TMPL_UNDEFINED_LENIENT);
	root_free(r);
}

Test(root, full_manifest)
{
	put("chora.json", "{\"configs\": [\"gen\", \"more/\"],\n"
	    "\"jinja\": {\"trim_blocks\": true, \"lstrip_blocks\": true,\n"
	    " \"keep_trailing_newline\": true, \"undefined\": \"lenient\"},\n"
	    "\"settle_ms\": 5, \"history\": 7, \"fsync\": false,\n"
	    "\"workspaces\": {\"dev\": {\"vars\": {\"l\": \"debug\"}, "
	    "\"output_dir\": \"out/dev/\"}, \"prod\": {}}}");
	struct root *r = load();
	cr_assert_eq(r->nconfig_dirs, 2);
	cr_assert_str_eq(r->config_dirs[1], "more");
	cr_assert(r->jinja.trim_blocks && r->jinja.lstrip_blocks &&
	    r->jinja.keep_trailing_newline);
	cr_assert_eq(r->jinja.undefined, TMPL_UNDEFINED_LENIENT);
	cr_assert(r->compose_jinja.trim_blocks, "chora.json applies to compose "
	    "configs too");
	cr_assert_eq(r->settle_ms, 5);
	cr_assert_eq(r->history, 7);
	cr_assert(!r->fsync);
	cr_assert_eq(r->nws, 2);
	cr_assert_str_eq(r->ws[0].name, "dev");
	cr_assert_str_eq(r->ws[0].vars, "{\"l\":\"debug\"}");
	cr_assert_str_eq(r->ws[0].output_dir, "out/dev");
	cr_assert_str_eq(r->ws[1].output_dir, ".");
	cr_assert_str_eq(r->ws[1].vars, "{}");
	cr_assert(root_is_config_path(r, "gen/a/b.json"));
	cr_assert(!root_is_config_path(r, "gen/a/b.j2"));
	cr_assert(!root_is_config_path(r, "other/b.json"));
	root_free(r);
}

Test(root, manifest_errors)
{
	static const char *cases[][2] = {
		{ "{\n\"configs\": [1]}", "chora.json:2: error: 'configs' must be a list of folders" },
		{ "{\"configs\": \"x\"}", "chora.json:1: error: 'configs' must be a list of folders" },
		{ "{\n\n\"configs\": [\"../x\"]}", "chora.json:3: error: '../x' must be a folder inside the project root" },
		{ "{\"settle_ms\":\n -1}", "chora.json:2: error: 'settle_ms' must be a number of milliseconds (0 to 600000)" },
		{ "{\"history\": 0}", "chora.json:1: error: 'history' must be a positive number of versions" },
		{ "{\n\"fsync\": \"yes\"}", "chora.json:2: error: 'fsync' must be true or false" },
		{ "{\"jinja\":\n {\"trim\": true}}", "chora.json:2: error: unknown Jinja option 'trim'" },
		{ "{\"jinja\": {\"undefined\": \"x\"}}", "chora.json:1: error: 'jinja.undefined' must be \"strict\" or \"lenient\"" },
		{ "{\"jinja\": {\"trim_blocks\": 1}}", "chora.json:1: error: 'jinja.trim_blocks' must be true or false" },
		{ "{\"workspaces\": {}}", "chora.json:1: error: 'workspaces' must be a non-empty object" },
		{ "{\"workspaces\": {\n\"a\": 3}}", "chora.json:2: error: workspace 'a' must be an object" },
		{ "{\"workspaces\": {\"a\":\n {\"vars\": []}}}", "chora.json:2: error: 'workspaces.a.vars' must be an object" },
		{ "{\"workspaces\": {\"a\": {\"output_dir\": \"/etc\"}}}", "chora.json:1: error: '/etc' must be a folder inside the project root" },
		{ "{\"workspaces\": {\"a\": {\"output_dir\": 3}}}", "chora.json:1: error: 'workspaces.a.output_dir' must be a string" },
		{ "{\n\"a\": 1,\n}", "chora.json:3: error: invalid JSON: " },
		{ "[1]", "chora.json:1: error: the manifest must be a JSON object" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put("chora.json", cases[i][0]);
		char *c = load_fails();
		cr_expect(strncmp(c, cases[i][1], strlen(cases[i][1])) == 0,
		    "case %zu: got '%s', want '%s'", i, c, cases[i][1]);
		free(c);
	}
}

Test(root, content_config_all_fields)
{
	put("chora.json", "{\"jinja\": {\"trim_blocks\": true}}");
	put("configs/dt.json", "{\"id\": \"docker-tests\", \"type\": \"content\",\n"
	    "\"version\": \"1.2.0\", \"template\": \"t/x.j2\",\n"
	    "\"data\": [\"d/a.json\", \"./d/b.json\"], \"foreach\": \"backends\",\n"
	    "\"as\": \"backend\", \"spread\": true, \"key\": \"{{ backend.name }}\",\n"
	    "\"output\": \"c-{{ backend.name }}.yml\", \"context\": {\"team\": \"infra\"},\n"
	    "\"freshness\": {\"ttl\": 60}, \"validate\": \"true {{ tmp }}\",\n"
	    "\"on_change\": \"echo hi\", \"jinja\": {\"lstrip_blocks\": true}}");
	put("configs/data-only.json", "{\"backends\": []}");
	struct root *r = load();
	cr_assert_eq(r->nerrors, 0, "%s", r->nerrors ? r->errors[0] : "");
	cr_assert_eq(r->nconfigs, 1);
	struct config *c = root_config(r, "docker-tests");
	cr_assert_not_null(c);
	cr_assert_eq(c->type, CONFIG_CONTENT);
	cr_assert(!c->compose);
	cr_assert_str_eq(c->file, "configs/dt.json");
	cr_assert_str_eq(c->version, "1.2.0");
	cr_assert_str_eq(c->template, "t/x.j2");
	cr_assert_eq(c->data_kind, DATA_FILES);
	cr_assert_eq(c->ndata_files, 2);
	cr_assert_str_eq(c->data_files[1], "d/b.json");
	cr_assert_str_eq(c->foreach, "backends");
	cr_assert_str_eq(c->as, "backend");
	cr_assert(c->spread);
	cr_assert_str_eq(c->key, "{{ backend.name }}");
	cr_assert_str_eq(c->context, "{\"team\":\"infra\"}");
	cr_assert_eq(c->fresh, FRESH_TTL);
	cr_assert_eq(c->ttl, 60);
	cr_assert_str_eq(c->validate, "true {{ tmp }}");
	cr_assert_str_eq(c->on_change, "echo hi");
	cr_assert(c->jinja.trim_blocks, "manifest default");
	cr_assert(c->jinja.lstrip_blocks, "config override");
	cr_assert_eq(strlen(c->hash), 64);
	root_free(r);
}

Test(root, inline_data_artifact_collection)
{
	put("chora.json", "{}");
	put("configs/a.json", "{\"id\": \"one\", \"type\": \"content\", "
	    "\"template\": \"t.j2\", \"data\": {\"x\": 1.5, \"y\": [1]}, "
	    "\"output\": \"o.txt\", \"freshness\": \"on_demand\"}");
	put("configs/b.json", "{\"id\": \"readme\", \"type\": \"artifact\", "
	    "\"output\": \"README.md\", \"parts\": [\"one\", \"x/y\"]}");
	put("configs/c.json", "{\"id\": \"all\", \"type\": \"collection\", "
	    "\"members\": [\"one\", \"readme\"]}");
	struct root *r = load();
	cr_assert_eq(r->nerrors, 0, "%s", r->nerrors ? r->errors[0] : "");
	struct config *c = root_config(r, "one");
	cr_assert_eq(c->data_kind, DATA_INLINE);
	cr_assert_str_eq(c->data_inline, "{\"x\":1.5,\"y\":[1]}");
	cr_assert_eq(c->fresh, FRESH_ON_DEMAND);
	c = root_config(r, "readme");
	cr_assert_eq(c->type, CONFIG_ARTIFACT);
	cr_assert_eq(c->nparts, 2);
	cr_assert_str_eq(c->separator, "\n");
	c = root_config(r, "all");
	cr_assert_eq(c->type, CONFIG_COLLECTION);
	cr_assert_eq(c->nmembers, 2);
	root_free(r);
}

Test(root, config_errors_go_on)
{
	static const char *cases[][2] = {
		{ "{\"id\": \"a\", \"type\": \"content\"}", "configs/e.json:1: error: 'template' is required" },
		{ "{\"id\": \"a\", \"type\": \"content\",\n \"template\": 3}", "configs/e.json:2: error: 'template' must be a string" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n\n \"data\": 3}", "configs/e.json:3: error: 'data' must be a path, a list of paths or an object" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"data\": [\"x\", 2]}", "configs/e.json:2: error: 'data' must be a list of strings" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"foreach\": \"x\"}", "configs/e.json:2: error: 'foreach' needs 'data'" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"spread\": true}", "configs/e.json:2: error: 'spread' needs 'foreach'" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"key\": \"k\"}", "configs/e.json:2: error: 'key' needs 'foreach'" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\", \"data\": \"d\", \"foreach\": \"x\",\n \"spread\": 1}", "configs/e.json:2: error: 'spread' must be true or false" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\", \"data\": \"d\", \"foreach\": \"x\",\n \"as\": \"1x\"}", "configs/e.json:2: error: 'as' must be a name" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"freshness\": \"sometimes\"}", "configs/e.json:2: error: 'freshness' must be" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"freshness\": {\"ttl\":\n -5}}", "configs/e.json:3: error: 'freshness.ttl' must be a positive number of seconds" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"context\": []}", "configs/e.json:2: error: 'context' must be an object" },
		{ "{\"id\": \"a\", \"type\": \"content\", \"template\": \"t\",\n \"jinja\": {\"x\": 1}}", "configs/e.json:2: error: unknown Jinja option 'x'" },
		{ "{\"id\": \"a\", \"type\": \"artifact\", \"output\": \"o\"}", "configs/e.json:1: error: an artifact needs 'parts' or 'template'" },
		{ "{\"id\": \"a\", \"type\": \"artifact\", \"parts\": []}", "configs/e.json:1: error: 'output' is required" },
		{ "{\"id\": \"a\", \"type\": \"collection\"}", "configs/e.json:1: error: 'members' is required" },
		{ "{\"id\": \"a\", \"type\": \"collection\",\n \"members\": [1]}", "configs/e.json:2: error: 'members' must be a list of strings" },
		{ "{\"id\":\n \"a/b\", \"type\": \"collection\", \"members\": []}", "configs/e.json:2: error: 'id' must be non-empty and hold no '/'" },
		{ "{\"id\": \"a\",\n\n \"type\": \"content\" \"x\"}", "configs/e.json:3: error: invalid JSON: " },
		{ "{\"id\": \"a\", \"id\": \"b\", \"type\": \"content\"}", "configs/e.json:1: error: invalid JSON: duplicate object key" },
	};
	put("chora.json", "{}");
	put("configs/ok.json", "{\"id\": \"ok\", \"type\": \"collection\", "
	    "\"members\": []}");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put("configs/e.json", cases[i][0]);
		struct root *r = load();
		cr_assert_eq(r->nerrors, 1, "case %zu", i);
		cr_expect(strncmp(r->errors[0], cases[i][1],
		    strlen(cases[i][1])) == 0, "case %zu: got '%s', want '%s'",
		    i, r->errors[0], cases[i][1]);
		cr_assert_not_null(root_config(r, "ok"), "the others go on");
		root_free(r);
	}
}

Test(root, duplicate_ids)
{
	put("chora.json", "{}");
	put("configs/a.json", "{\"id\": \"x\", \"type\": \"collection\", \"members\": []}");
	put("configs/b.json", "{\"id\": \"x\", \"type\": \"collection\", \"members\": []}");
	struct root *r = load();
	cr_assert_eq(r->nconfigs, 1);
	cr_assert_eq(r->nerrors, 1);
	cr_assert_str_eq(r->errors[0], "configs/b.json:1: error: config id 'x' "
	    "is already used by configs/a.json");
	root_free(r);
}

Test(root, chora_compose_project)
{
	put("configs/content/intro/intro-content.json",
	    "{\"type\": \"content\", \"id\": \"intro\",\n"
	    " \"schemaRef\": {\"id\": \"content-schema\", \"version\": \"3.1\"},\n"
	    " \"metadata\": {\"version\": \"2.0.1\"}, \"elements\": [],\n"
	    " \"generation\": {\"patterns\": [{\"id\": \"p\", \"type\": \"jinja2\",\n"
	    "  \"template\": \"templates/intro.j2\", \"generation_config\": {\n"
	    "  \"context\": {\"title\": \"T\", \"backends\": {\"source\": \"file\",\n"
	    "  \"path\": \"data/backends.json\"}, \"notes\": {\"source\": \"file\",\n"
	    "  \"path\": \"data/notes.md\"}}}}]}}");
	put("configs/content/fill/fill-content.json",
	    "{\"type\": \"content\", \"id\": \"fill\", \"generation\": {\"patterns\":"
	    " [{\"type\": \"template_fill\", \"template\": \"templates/f.txt\"}]}}");
	put("configs/content/ai/ai-content.json",
	    "{\"type\": \"content\", \"id\": \"ai\",\n \"generation\": {\"patterns\":"
	    " [{\"type\": \"code_generation\"}]}}");
	put("configs/artifacts/readme-artifact.json",
	    "{\"type\": \"artifact\", \"id\": \"readme\", \"metadata\": {\"version\":"
	    " \"1.0\", \"outputs\": [{\"file\": \"README.md\"}]}, \"content\": "
	    "{\"children\": [{\"id\": \"b\", \"order\": 2}, {\"id\": \"a\", "
	    "\"order\": 1}, {\"id\": \"c\", \"order\": 2}]}}");
	put("configs/artifact/x/x-artifact.json",
	    "{\"type\": \"artifact\", \"id\": \"x\", \"metadata\": {}, "
	    "\"content\": {\"children\": []}}");
	struct root *r = load();
	cr_assert(r->compose);
	cr_assert_null(r->manifest);
	cr_assert_eq(r->nerrors, 2);
	cr_assert_str_eq(r->errors[0], "configs/artifact/x/x-artifact.json:1: "
	    "error: 'metadata.outputs[0].file' is required");
	cr_assert_str_eq(r->errors[1], "configs/content/ai/ai-content.json:2: "
	    "error: generator type 'code_generation' is not supported "
	    "(supported: jinja2, template_fill)");
	struct config *c = root_config(r, "intro");
	cr_assert(c->compose);
	cr_assert_str_eq(c->version, "2.0.1");
	cr_assert_str_eq(c->template, "templates/intro.j2");
	cr_assert_eq(c->engine, ENGINE_JINJA2);
	cr_assert_eq(c->data_kind, DATA_CONTEXT);
	cr_assert_str_eq(c->data_inline, "{\"title\":\"T\"}");
	cr_assert_eq(c->nsources, 2);
	cr_assert_str_eq(c->sources[0].key, "backends");
	cr_assert(c->sources[0].json);
	cr_assert(!c->sources[1].json);
	cr_assert_null(c->output, "compose content lives in the store");
	cr_assert_eq(c->jinja.undefined, TMPL_UNDEFINED_LENIENT);
	cr_assert_eq(root_config(r, "fill")->engine, ENGINE_FILL);
	c = root_config(r, "readme");
	cr_assert_eq(c->type, CONFIG_ARTIFACT);
	cr_assert(c->compose);
	cr_assert_str_eq(c->output, "README.md");
	cr_assert_eq(c->nparts, 3);
	cr_assert_str_eq(c->parts[0], "a");
	cr_assert_str_eq(c->parts[1], "b");
	cr_assert_str_eq(c->parts[2], "c");
	cr_assert_str_eq(c->separator, "\n\n");
	root_free(r);
}
