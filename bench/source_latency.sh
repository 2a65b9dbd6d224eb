#!/usr/bin/env bash
# Added latency per kind of source: a camera stand-in stamps its send time into each JPEG at
# 10 fps, a plain viewer of wscam reads the stamps back (tests/node/source_latency.test.mjs,
# which also asserts the bounds). Prints one line per source; raw output in build/bench/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench
mkdir -p "$out"
cd "$root/tests/node"
WSCAM_BIN=$build/wscam node --test --test-reporter=spec source_latency.test.mjs > "$out/source_latency.txt" 2>&1 || {
  cat "$out/source_latency.txt"; exit 1; }
grep -E "^frames:|added latency" "$out/source_latency.txt" | sed 's/^[[:space:]]*//'
