#!/bin/sh
# Set up and run chora on the bundled example project (examples/compose):
# install the Debian packages, build, and render the example's templates
# with `chorac render` (one compose file per backend) into
# examples/compose/out/, checking each against the expected output.
# (When the daemon lands, this will run choradd on the example instead.)
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
./scripts/build.sh build
tests/e2e/example_render.sh "$PWD/build/chorac/chorac" examples/compose/out
echo
echo "try: build/chorac/chorac render examples/compose/templates/docker/docker-compose.test-backend.j2 --data examples/compose/out/context-redis.json --trim-blocks --lstrip-blocks"
