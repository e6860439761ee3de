#!/bin/bash
# chorac's exit codes (SPEC section 7): 0 ok; 1 the thing asked for
# failed or a check found problems; 2 usage; 3 daemon unreachable; 4 not
# inside a project root.  Also: help, --help, and --json errors.
. "$(dirname "$0")/lib.sh"
small_project
start_daemon --socket "$SOCK"

expect_exit 0 status
expect_exit 0 health
expect_exit 0 check
expect_exit 0 generate
expect_exit 0 stale
ok "exit 0"

expect_exit 1 show nope
expect_exit 1 rollback compose/mysql --to 99
put templates/intro.j2 '# {{ project }}
{{ missing_name }}
'
expect_exit 1 notify templates/intro.j2
grep -q '^templates/intro.j2:2: error: ' "$WORK/out" || fail "notify: $(cat "$WORK/out")"
expect_exit 1 generate
expect_exit 1 check
grep -q '^templates/intro.j2:2: error: ' "$WORK/out" || fail "check: $(cat "$WORK/out")"
expect_exit 1 wait
put templates/intro.j2 '# {{ project }}
'
expect_exit 0 notify templates/intro.j2
ok "exit 1: not found, failures, problems"

expect_exit 2 bogus
grep -q "unknown command 'bogus'" "$WORK/err" || fail "unknown command message"
expect_exit 2 list
expect_exit 2 list bogus
expect_exit 2 generate --bogus
expect_exit 2 show
expect_exit 2 show a b
expect_exit 2 rollback compose/mysql
expect_exit 2 wait --timeout soon
expect_exit 2 deploy launch
expect_exit 2 roots add
expect_exit 2 notify
expect_exit 2
expect_exit 2 --bogus status
grep -q '^usage: chorac' "$WORK/err" || fail "usage on stderr"
# The daemon refuses bad params the same way.
expect_exit 2 --root "$ROOT" notify /etc/passwd
ok "exit 2: usage"

expect_exit 0 help
grep -q '^  generate ' "$WORK/out" || fail "help lists commands"
# Each command's summary is its first sentence whole, not cut at a dot
# inside a name (".chora/", "<timestamp>.<ext>").
grep -q '^  deploy .*deployment\.jsonl' "$WORK/out" ||
	fail "help cut deploy's summary: $(grep '^  deploy' "$WORK/out")"
grep -q '^  migrate .*<timestamp>\.<ext>' "$WORK/out" ||
	fail "help cut migrate's summary: $(grep '^  migrate' "$WORK/out")"
for cmd in status health generate check notify wait list show history deps \
    stale watch deploy rollback render migrate roots gc; do
	expect_exit 0 "$cmd" --help
	grep -q "^usage: chorac $cmd" "$WORK/out" || fail "$cmd --help"
	expect_exit 0 help "$cmd"
done
ok "help and --help for every command"

expect_exit 3 --socket "$WORK/none.sock" status
grep -q -- "--no-spawn" "$WORK/err" || fail "unreachable message: $(cat "$WORK/err")"
out=$(cd "$ROOT" && "$CHORAC" --json --socket "$WORK/none.sock" list content) &&
	fail "json unreachable exited 0"
printf '%s\n' "$out" | $JCHECK "d['error']['name'] == 'unreachable'" ||
	fail "json unreachable"
# The global options also work after the command, as in git.
out=$(cd "$ROOT" && "$CHORAC" list content --socket="$WORK/none.sock" --json) &&
	fail "json unreachable (options after the command) exited 0"
printf '%s\n' "$out" | $JCHECK "d['error']['name'] == 'unreachable'" ||
	fail "options after the command not taken: $out"
expect_exit 2 --socket "$WORK/none.sock" list content --where nokey
grep -q -- "--where: 'nokey' is not KEY=VALUE" "$WORK/err" ||
	fail "--where without =: $(cat "$WORK/err")"
ok "exit 3: no daemon (and --no-spawn)"

mkdir -p "$WORK/elsewhere"
for cmd in "list content" "generate" "check" "show x" "history x" "stale" \
    "deps x" "gc" "migrate" "rollback x --to 1" "deploy list"; do
	# shellcheck disable=SC2086
	rc=0; (cd "$WORK/elsewhere" && "$CHORAC" $cmd) 2>"$WORK/err" || rc=$?
	[ "$rc" = 4 ] || fail "$cmd outside a root exited $rc"
done
grep -q 'not inside a project root' "$WORK/err" || fail "no-root message"
rc=0; "$CHORAC" --root "$WORK/elsewhere" list content 2>"$WORK/err" || rc=$?
[ "$rc" = 4 ] || fail "--root on a non-root exited $rc: $(cat "$WORK/err")"
(cd "$WORK/elsewhere" && "$CHORAC" --root "$ROOT" list content >/dev/null) ||
	fail "--root from elsewhere"
# A --root that does not exist is an error for the commands that need no
# root too (they used to show the error, then the daemon's answer: two
# JSON documents and exit 0, or a watch that never ended).
for cmd in status health wait watch; do
	rc=0
	out=$(cd "$ROOT" && timeout 10 "$CHORAC" --json --root "$WORK/missing" \
	    $cmd 2>"$WORK/err") || rc=$?
	[ "$rc" = 4 ] || fail "$cmd --root missing exited $rc: $out"
	printf '%s\n' "$out" | $JCHECK "'missing' in d['error']['message']" ||
		fail "$cmd --root missing: not one JSON error document"
done
ok "exit 4: not inside a project root"

stop_daemon
expect_exit 3 health
ok "exit 3: the daemon stopped"
