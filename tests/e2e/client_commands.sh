#!/bin/bash
# Every query and generation command of chorac against a running daemon
# on a private socket, its --json document checked field by field, and
# the text form spot-checked: status, health, generate (drift, dry run,
# force), check, list, show, history, deps, stale, deploy, migrate,
# roots, wait.
. "$(dirname "$0")/lib.sh"
small_project
put configs/compose.json '{"id": "compose", "type": "content", "version": "1.2.0",
 "template": "templates/compose.j2", "data": "data/backends.json",
 "foreach": "backends", "key": "{{ item.name }}",
 "output": "out/compose-{{ item.name }}.yml",
 "context": {"team": "infra", "tier": {"level": 2}}}'
start_daemon --socket "$SOCK"
R=$(cd "$ROOT" && pwd -P)
sha() { sha256sum "$ROOT/$1" | cut -d' ' -f1; }

cj status -- "d['server'].startswith('choradd ')" "d['pid'] == $DPID" \
	"d['connections'] >= 1" "len(d['roots']) == 1" \
	"d['roots'][0]['root'] == '$R'" "d['roots'][0]['state'] == 'ready'" \
	"d['roots'][0]['configs'] == 3" "d['roots'][0]['outputs'] == 6" \
	"d['roots'][0]['failed'] == 0" "d['roots'][0]['drifted'] == 0" \
	"d['roots'][0]['workspaces'] == ['default']" \
	"d['roots'][0]['watched_dirs'] >= 4" \
	"re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', d['roots'][0]['last_generation'])"
c status | grep -q "^$R  *ready  *3  *6 " || fail "status text: $(c status)"
cj health -- "d['ok'] is True" "'reason' not in d" \
	"sorted(x['name'] for x in d['checks']) == ['socket', 'store', 'watcher']" \
	"all(x['ok'] for x in d['checks'])"
cj wait -- "d['failed'] == []" "d['passes'] >= 0"
cj check -- "d['ok'] is True" "d['problems'] == []"
cj stale -- "d['stale'] == []"
ok "status, health, wait, check and stale on a fresh root"

# A hand edit: kept, reported, not overwritten until generate.
printf 'edited by hand\n' > "$ROOT/out/compose-mysql.yml"
c wait >/dev/null
cj status -- "d['roots'][0]['drifted'] == 1"
cj stale -- "len(d['stale']) == 1" "d['stale'][0]['id'] == 'compose/mysql'" \
	"d['stale'][0]['path'] == 'out/compose-mysql.yml'" \
	"'by hand' in d['stale'][0]['reason']"
cj check -- "d['ok'] is False" "len(d['problems']) == 1" \
	"d['problems'][0]['id'] == 'compose/mysql'" \
	"d['problems'][0]['kind'] == 'drifted'" \
	"d['problems'][0]['workspace'] == 'default'" \
	"d['problems'][0]['path'] == 'out/compose-mysql.yml'" \
	"'edited by hand' in d['problems'][0]['reason']"
expect_exit 1 check
grep -q '^drifted  *compose/mysql' "$WORK/out" || fail "check text: $(cat "$WORK/out")"
cj generate --dry-run -- "d['failed'] == []" "d['unchanged'] == 5" \
	"len(d['generated']) == 1" "d['generated'][0]['id'] == 'compose/mysql'" \
	"d['generated'][0]['action'] == 'would_write'" \
	"d['generated'][0]['drifted'] is True"
grep -q 'edited by hand' "$ROOT/out/compose-mysql.yml" || fail "dry run wrote"
cj generate -- "d['failed'] == []" "len(d['generated']) == 1" \
	"d['generated'][0] == {'id': 'compose/mysql', 'workspace': 'default', \
'path': 'out/compose-mysql.yml', 'hash': '$(cd "$ROOT" && printf 'services:\n  mysql:\n    image: mysql:latest\n    ports: ["3306"]\n    restart: always\n' | sha256sum | cut -d' ' -f1)', \
'action': 'written', 'drifted': True}"
grep -q 'image: mysql:latest' "$ROOT/out/compose-mysql.yml" || fail "generate did not restore"
cj history compose/mysql -- "d['id'] == 'compose/mysql'" \
	"[v['source'] for v in d['versions']] == ['generated', 'drift', 'generated']" \
	"[v['version'] for v in d['versions']] == ['3', '2', '1']" \
	"d['versions'][0]['hash'] == '$(sha out/compose-mysql.yml)'" \
	"d['versions'][0]['size'] == $(stat -c %s "$ROOT/out/compose-mysql.yml")" \
	"d['versions'][0]['config_version'] == '1.2.0'" \
	"d['versions'][1]['size'] == 15"
c history compose/mysql | grep -q '^ *2  .*  drift  ' || fail "history text"
ok "drift: reported, dry run, generate rewrites it, history keeps the edit"

cj generate compose --force -- "d['generated'] == []" "d['unchanged'] == 4" \
	"d['failed'] == []"
# Progress on a terminal only: script(1) gives chorac one.
(cd "$ROOT" && script -qec "$CHORAC generate --force" /dev/null) > "$WORK/tty" ||
	fail "generate on a terminal"
grep -q "$(printf '\r')"'.*[0-9]*/[0-9]* ' "$WORK/tty" || fail "no progress on a terminal: $(cat -A "$WORK/tty")"
(cd "$ROOT" && "$CHORAC" generate --force) > "$WORK/out" 2> "$WORK/err" ||
	fail "generate piped"
[ ! -s "$WORK/err" ] || fail "progress when piped: $(cat -A "$WORK/err")"
grep -q '^0 written, 6 unchanged, 0 failed$' "$WORK/out" || fail "generate text: $(cat "$WORK/out")"
cj generate nope -- "d['error']['name'] == 'not_found'" "'nope' in d['error']['message']"
cj generate --workspace nope -- "d['error']['name'] == 'not_found'"
ok "generate by id, --force, unknown ids and workspaces; progress on a terminal"

cj list content -- "d['total'] == 5" \
	"sorted(i['id'] for i in d['items']) == ['compose/mongo', 'compose/mysql', 'compose/postgres', 'compose/redis', 'intro']" \
	"all(i['type'] == 'content' and i['workspace'] == 'default' for i in d['items'])" \
	"[i for i in d['items'] if i['id'] == 'compose/redis'][0]['path'] == 'out/compose-redis.yml'" \
	"[i for i in d['items'] if i['id'] == 'compose/redis'][0]['config_id'] == 'compose'" \
	"[i for i in d['items'] if i['id'] == 'compose/redis'][0]['version'] == '1.2.0'" \
	"[i for i in d['items'] if i['id'] == 'compose/redis'][0]['context'] == {'team': 'infra', 'tier': {'level': 2}}" \
	"d['items'][0]['id'] == 'compose/mysql'"
cj list artifacts -- "d['total'] == 1" "d['items'][0]['id'] == 'readme'" \
	"d['items'][0]['type'] == 'artifact'" "d['items'][0]['path'] == 'out/README.md'"
cj list configs -- "d['total'] == 3" \
	"sorted((i['id'], i['type']) for i in d['items']) == [('compose', 'content'), ('intro', 'content'), ('readme', 'artifact')]" \
	"[i for i in d['items'] if i['id'] == 'compose'][0]['version'] == '1.2.0'" \
	"len([i for i in d['items'] if i['id'] == 'compose'][0]['hash']) == 64"
cj list collections -- "d['total'] == 0" "d['items'] == []"
cj list content --where team=infra -- "d['total'] == 4"
cj list content --where team=infra --where tier.level=2 -- "d['total'] == 4"
cj list content --where team=web -- "d['total'] == 0"
cj list configs --where team=infra -- "[i['id'] for i in d['items']] == ['compose']"
cj list content --limit 2 --offset 1 -- "d['total'] == 5" "len(d['items']) == 2"
cj list content --since 1h -- "d['total'] == 5"
cj list content --since 2999-01-01 -- "d['total'] == 0"
cj list content --since yesterday -- "d['error']['name'] == 'invalid_params'"
c list content | head -1 | grep -q '^ID  *WORKSPACE  *PATH' || fail "list text"
ok "list: types, where, since, limit and offset"

cj show compose/postgres -- "d['id'] == 'compose/postgres'" \
	"d['kind'] == 'content'" "d['version'] == '1'" \
	"d['text'] == open('$ROOT/out/compose-postgres.yml').read()" \
	"d['hash'] == '$(sha out/compose-postgres.yml)'" \
	"d['path'] == 'out/compose-postgres.yml'" "d['config_id'] == 'compose'" \
	"d['config_version'] == '1.2.0'" "d['context']['team'] == 'infra'"
c show compose/postgres > "$WORK/shown"
cmp -s "$WORK/shown" "$ROOT/out/compose-postgres.yml" || fail "show text differs"
c show compose/mysql --version 2 | grep -qx 'edited by hand' || fail "show --version"
cj show config:compose -- "d['kind'] == 'config'" "d['id'] == 'compose'" \
	"len(d['version']) == 12" "d['config_version'] == '1.2.0'" \
	"__import__('json').loads(d['text'])['foreach'] == 'backends'"
cj show compose/mysql --version 9 -- "d['error']['name'] == 'not_found'"
# A config's JSON ends its line, as a file does (the prompt not after it).
c show config:compose | /usr/bin/python3 -c 'import json, sys
t = sys.stdin.read(); json.loads(t); sys.exit(not t.endswith("}\n"))' ||
	fail "show of a config: no final newline"
ok "show: an output's text, an older version, a config"

cj deps readme -- "d['id'] == 'readme'" \
	"{'parent': 'readme', 'child': 'compose/mysql', 'kind': 'content', 'depth': 1} == {k: v for k, v in [e for e in d['edges'] if e['child'] == 'compose/mysql'][0].items() if k != 'hash'}" \
	"any(e['parent'] == 'compose/mysql' and e['child'] == 'templates/common.j2' and e['kind'] == 'template' and e['depth'] == 2 for e in d['edges'])"
cj deps readme --depth 1 -- "all(e['depth'] == 1 for e in d['edges'])" \
	"len(d['edges']) == 6"
cj deps templates/common.j2 --reverse -- \
	"sorted(e['parent'] for e in d['edges'] if e['depth'] == 1) == ['compose/mongo', 'compose/mysql', 'compose/postgres', 'compose/redis']" \
	"all(e['child'] == 'templates/common.j2' and e['kind'] == 'template' for e in d['edges'] if e['depth'] == 1)" \
	"any(e['parent'] == 'readme' and e['depth'] == 2 for e in d['edges'])"
cj deps compose/redis --reverse -- "[(e['parent'], e['depth']) for e in d['edges']] == [('readme', 1)]"
c deps templates/common.j2 --reverse | grep -q '^    readme \[content\]' || fail "deps text"
# An output reading a data file in parts (its item and the rest) is one
# reader of the file: once in the tree, with what depends on it once.
cj deps data/backends.json --reverse -- \
	"sorted(e['parent'] for e in d['edges'] if e['depth'] == 1) == ['compose/mongo', 'compose/mysql', 'compose/postgres', 'compose/redis', 'intro']" \
	"len([e for e in d['edges'] if e['parent'] == 'readme']) == 5"
[ "$(c deps data/backends.json --reverse | grep -c '^  compose/mysql ')" = 1 ] ||
	fail "deps --reverse of a data file: $(c deps data/backends.json --reverse)"
# A config's tree is its outputs' trees, each below the output.
c deps compose > "$WORK/tree"
grep -A5 -x '  compose/mysql \[output\]' "$WORK/tree" |
	grep -qx '    templates/common.j2 \[template\]' ||
	fail "deps of a config: $(cat "$WORK/tree")"
[ "$(grep -c '^    compose \[config\]$' "$WORK/tree")" = 4 ] ||
	fail "deps of a config, its outputs' config: $(cat "$WORK/tree")"
ok "deps: tree, depth, reverse from a file and an output"

uid=$(id -u)
cj deploy record --env production --version v1.2.0 --status success --note "first" -- \
	"d['event']['env'] == 'production'" "d['event']['version'] == 'v1.2.0'" \
	"d['event']['status'] == 'success'" "d['event']['note'] == 'first'" \
	"d['event']['uid'] == $uid"
c deploy record --env staging --version v1.3.0 --status failure >/dev/null
cj deploy list -- "[e['env'] for e in d['events']] == ['staging', 'production']"
cj deploy list --env production -- "len(d['events']) == 1" \
	"d['events'][0]['version'] == 'v1.2.0'" "d['events'][0]['note'] == 'first'"
tail -1 "$ROOT/.chora/memory/events/deployment.jsonl" | $JCHECK \
	"d['event_type'] == 'deployment'" "d['environment'] == 'staging'" \
	"d['version'] == 'v1.3.0'" "d['status'] == 'failure'" \
	"re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', d['timestamp'])" ||
	fail "deployment.jsonl"
expect_exit 2 deploy record --env x
# An empty environment, version or status records nothing.
expect_exit 2 deploy record --env "" --version v1 --status success
grep -q "'env' must not be empty" "$WORK/err" || fail "empty env: $(cat "$WORK/err")"
expect_exit 2 deploy record --env production --version v1 --status ""
cj deploy list -- "len(d['events']) == 2"
[ "$(wc -l < "$ROOT/.chora/memory/events/deployment.jsonl")" = 2 ] ||
	fail "an empty deploy reached deployment.jsonl"
ok "deploy record and list, deployment.jsonl"

mkdir -p "$ROOT/ephemeral/intro" "$ROOT/ephemeral/ghost"
printf 'old\n' > "$ROOT/ephemeral/intro/20250102T030405Z.md"
printf 'old\n' > "$ROOT/ephemeral/ghost/20250102T030405Z.md"
cj migrate -- "d['configs'] == 3" "d['imported'] == 0" \
	"sorted(s['id'] for s in d['skipped']) == ['ghost', 'intro']" \
	"'no config' in [s for s in d['skipped'] if s['id'] == 'ghost'][0]['message']"
# A legacy history for an output the store has none of (its template
# fails, so it was never generated): imported on demand, oldest first,
# with its timestamps; the files stay.
put configs/legacy.json '{"id": "legacy", "type": "content", "template": "templates/legacy.j2"}'
put templates/legacy.j2 '{{ undefined_here }}'
c wait >/dev/null || true
mkdir -p "$ROOT/ephemeral/legacy"
printf 'first\n' > "$ROOT/ephemeral/legacy/20250102T030405Z.md"
printf 'second\n' > "$ROOT/ephemeral/legacy/20250203T040506Z.md"
printf '{}' > "$ROOT/ephemeral/legacy/20250203T040506Z.md.meta.json"
cj migrate --dry-run -- "d['configs'] == 4" "d['imported'] == 2"
cj history legacy -- "[v['source'] for v in d['versions']] == ['config']"
cj migrate -- "d['imported'] == 2" \
	"sorted(s['id'] for s in d['skipped']) == ['ghost', 'intro']"
cj history legacy -- "[v['source'] for v in d['versions']] == ['imported', 'imported']" \
	"[v['time'] for v in d['versions']] == ['2025-02-03T04:05:06Z', '2025-01-02T03:04:05Z']"
c show legacy --version 1 | grep -qx first || fail "imported text"
[ -f "$ROOT/ephemeral/legacy/20250102T030405Z.md" ] || fail "migrate touched the files"
cj migrate -- "d['imported'] == 0" "'legacy' in [s['id'] for s in d['skipped']]"
cj roots -- "[r['root'] for r in d['roots']] == ['$R']" "d['roots'][0]['outputs'] == 7"
ok "migrate (dry run, import, idempotent) and roots"
stop_daemon
