#!/bin/sh
# Install the Debian 12 packages chora builds, tests and benchmarks with,
# when any is missing.  Needs root (or sudo) only when something is missing.
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
libsqlite3-dev libmsgpack-dev libev-dev libjansson-dev libssl-dev
libsystemd-dev libcriterion-dev python3 python3-jinja2 python3-msgpack
python3-watchdog python3-pyinotify inotify-tools jq util-linux hyperfine neovim"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
