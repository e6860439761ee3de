#!/bin/bash
# chorac gc: versions beyond the root's `history` setting are pruned
# (after it was lowered), with the blob files only they used; a dry run
# counts the same and deletes nothing.
. "$(dirname "$0")/lib.sh"
small_project
put chora.json '{"settle_ms": 10, "fsync": false, "history": 10,
 "jinja": {"trim_blocks": true, "lstrip_blocks": true, "keep_trailing_newline": true}}'
# An output of more than 100 KiB lives in a blob file.
put configs/big.json '{"id": "big", "type": "content", "template": "templates/big.j2",
 "data": "data/backends.json", "output": "out/big.txt"}'
put templates/big.j2 '{% for i in range(6000) %}{{ backends[1].port }} line {{ i }} of a big file
{% endfor %}'
start_daemon --socket "$SOCK"
for port in 3307 3308 3309 3310 3311; do
	sed -i "/mysql/s/\"port\": [0-9]*/\"port\": $port/" "$ROOT/data/backends.json"
	c wait >/dev/null
done
cj history compose/mysql -- "len(d['versions']) == 6"
cj history big -- "len(d['versions']) == 6" "d['versions'][0]['size'] > 102400"
blobs() { ls "$ROOT/.chora/blobs/content" | wc -l; }
[ "$(blobs)" = 6 ] || fail "setup: $(blobs) blobs"

cj gc -- "d['pruned_versions'] == 0" "d['pruned_blobs'] == 0"
ok "nothing to prune within history"

put chora.json '{"settle_ms": 10, "fsync": false, "history": 3,
 "jinja": {"trim_blocks": true, "lstrip_blocks": true, "keep_trailing_newline": true}}'
c wait >/dev/null
# compose/mysql, big and the README (which holds compose/mysql): 3 each.
cj gc --dry-run -- "d['pruned_versions'] == 9" "d['pruned_blobs'] == 3" \
	"d['freed_bytes'] > 3 * 102400"
cj history big -- "len(d['versions']) == 6"
[ "$(blobs)" = 6 ] || fail "the dry run deleted blobs"
before=$(du -sb "$ROOT/.chora/blobs/content" | cut -f1)
cj gc -- "d['pruned_versions'] == 9" "d['pruned_blobs'] == 3" \
	"d['freed_bytes'] > 3 * 102400"
after=$(du -sb "$ROOT/.chora/blobs/content" | cut -f1)
[ "$after" -lt "$before" ] || fail "no bytes freed"
cj history compose/mysql -- "[v['version'] for v in d['versions']] == ['6', '5', '4']"
cj history big -- "len(d['versions']) == 3"
[ "$(blobs)" = 3 ] || fail "$(blobs) blobs left"
c show big --version 6 | cmp -s - "$ROOT/out/big.txt" || fail "the kept blob"
cj show big --version 2 -- "d['error']['name'] == 'not_found'"
cj gc -- "d['pruned_versions'] == 0" "d['pruned_blobs'] == 0"
ok "gc prunes beyond history, blobs with them"
stop_daemon
