#!/usr/bin/env bash
# CTest entry: the V4L2 scenario (tests/v4l2/vm_scenario.sh) inside a VM with the vivid driver.
#   tests/v4l2/vm_test.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: vm_test.sh BUILD_DIR}" && pwd)
EXTRA_FILES="$build/wscam $build/wscam-bench" WSCAM_VM_CACHE="$build/vm" \
  exec "$here/run-in-vm.sh" "$here/vm_scenario.sh" "$build/wscam" "$build/wscam-bench"
