#!/usr/bin/env bash
# `make run` on a fresh machine must not need a test tool. This configures the project as `make run`
# does, with every usual program folder hidden from CMake's searches (so nats-server, node, ffmpeg,
# chromium and GoogleTest cannot be found) and only the build tools given by path; then it checks
# that `make run` installs the build packages only. A test-only lookup added outside tests/ fails it.
#   tests/build/run_needs_no_test_tool.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${1:-/tmp}/run-needs-no-test-tool.XXXXXX")
trap 'rm -rf "$work"' EXIT

hidden="/usr/local/sbin;/usr/local/bin;/usr/sbin;/usr/bin;/sbin;/bin"
if ! cmake -S "$top" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
     -DCMAKE_IGNORE_PATH="$hidden" -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON \
     -DCMAKE_CXX_COMPILER="$(command -v c++)" -DCMAKE_MAKE_PROGRAM="$(command -v ninja)" \
     -DPKG_CONFIG_EXECUTABLE="$(command -v pkg-config)" > "$work/configure.log" 2>&1; then
  echo "FAIL: make run's configuration needs a program or package that was hidden:"; tail -20 "$work/configure.log"; exit 1
fi
grep -q "^WSCAM_TESTS:BOOL=OFF" "$work/build/CMakeCache.txt" || { echo "FAIL: make run's build configures the tests"; exit 1; }
# Read whole before matching: grep -q stops reading at the first match, and under pipefail the
# writer's SIGPIPE would fail the check (it did on a fresh machine).
targets=$(ninja -C "$work/build" -t targets all)
grep -q "^wscam:" <<< "$targets" || { echo "FAIL: no wscam target"; exit 1; }
if grep -q "^wscam_tests:" <<< "$targets"; then echo "FAIL: make run's build has test targets"; exit 1; fi

# What `make run` would do, without doing it: the build packages only, then wscam alone.
plan=$(make -C "$top" -n run BUILD="$work/plan")
grep -q "install-deps.sh build" <<< "$plan" || { echo "FAIL: make run does not install the build packages"; exit 1; }
if grep -q "install-deps.sh test\|npm" <<< "$plan"; then echo "FAIL: make run installs test tools:"; echo "$plan"; exit 1; fi
grep -q -- "--target wscam" <<< "$plan" || { echo "FAIL: make run builds more than wscam:"; echo "$plan"; exit 1; }
echo "make run configures and plans without any test tool"
