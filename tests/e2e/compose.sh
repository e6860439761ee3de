#!/bin/bash
# A chora-compose project (no chora.json) works unchanged: content configs
# under configs/content/<id>/, an artifact with ordered children, a file
# context value, template_fill, lenient Jinja2 defaults, an unsupported
# generator reported alone, and ephemeral/ history imported on first start.
. "$(dirname "$0")/lib.sh"
put configs/content/intro/intro-content.json '{"type": "content", "id": "intro",
 "schemaRef": {"id": "content-schema", "version": "3.1"},
 "metadata": {"version": "1.0.0"}, "elements": [],
 "generation": {"patterns": [{"id": "p", "type": "jinja2",
  "template": "templates/intro.j2",
  "generation_config": {"context": {"title": "Shop",
   "backends": {"source": "file", "path": "data/backends.json"}}}}]}}'
put configs/content/fill/fill-content.json '{"type": "content", "id": "fill",
 "generation": {"patterns": [{"type": "template_fill",
  "template": "templates/fill.txt",
  "generation_config": {"context": {"who": {"name": "ops"}}}}]}}'
put configs/content/ai/ai-content.json '{"type": "content", "id": "ai",
 "generation": {"patterns": [{"type": "code_generation"}]}}'
put configs/artifacts/readme-artifact.json '{"type": "artifact", "id": "readme",
 "metadata": {"version": "1.0", "outputs": [{"file": "docs/README.md"}]},
 "content": {"children": [{"id": "fill", "order": 2}, {"id": "intro", "order": 1}]}}'
put data/backends.json '["postgres", "redis"]'
put templates/intro.j2 '# {{ title }}{{ missing }}
{% for b in backends %}- {{ b }}
{% endfor %}'
put templates/fill.txt 'Contact {{ who.name }} ({{ unknown.x }})'
put ephemeral/intro/20250101T000000Z.md 'old intro one'
put ephemeral/intro/20250101T000000Z.md.meta.json '{"content_id": "intro"}'
put ephemeral/intro/20250102T000000Z.md 'old intro two'
start_daemon
want='# Shop
- postgres
- redis


Contact ops ({{ unknown.x }})'
[ "$(cat "$ROOT/docs/README.md")" = "$want" ] || fail "README: $(cat "$ROOT/docs/README.md")"
problems | grep -q "ai-content.json:.*generator type 'code_generation' is not supported" ||
	fail "unsupported generator not reported: $(problems)"
[ "$(sql "select count(*) from content where content_id='intro' and kind='imported'")" = 2 ] ||
	fail "ephemeral history not imported"
[ "$(bodies intro imported | head -1)" = "old intro one" ] ||
	fail "import order"
[ -f "$ROOT/ephemeral/intro/20250101T000000Z.md" ] || fail "ephemeral file touched"
ok "chora-compose project works unchanged"
stop_daemon
