#!/usr/bin/env bash
# Runs libFuzzer targets from their seed corpus (tests/fuzz/corpus/NAME plus what earlier runs
# found, kept in BUILD/corpus/NAME), JOBS at a time, and stops at the first that fails.
#   tests/fuzz/run.sh BUILD -max_total_time=5 JOBS TARGET...    (make fuzz: a short smoke run each)
#   tests/fuzz/run.sh BUILD -runs=10000000 JOBS TARGET...       (make fuzz-long)
set -uo pipefail
build=$1 limit=$2 jobs=$3; shift 3
top=$(cd "$(dirname "$0")/../.." && pwd)

one() {
  local t=$1 log="$build/$1.log"
  mkdir -p "$build/corpus/$t"
  "$build/tests/fuzz/${t}_fuzz" "$limit" -print_final_stats=1 -artifact_prefix="$build/" \
    "$build/corpus/$t" "$top/tests/fuzz/corpus/$t" > "$log" 2>&1
  local rc=$?
  echo "$t: $(grep -h 'stat::number_of_executed_units' "$log" | awk '{print $2}') executions," \
       "$(grep -h 'stat::peak_rss_mb' "$log" | awk '{print $2}') MB peak, exit $rc"
  [ $rc -eq 0 ] || { echo "fuzz: $t failed, see $log"; tail -n 30 "$log"; return 1; }
}
export -f one
export build limit top
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one {}' || exit 1
