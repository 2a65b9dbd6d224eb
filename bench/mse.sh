#!/usr/bin/env bash
# H.264 for browsers without WebCodecs (issue 25): what the fMP4 packaging costs the server, and
# what a page on an insecure origin (MSE) shows against WebCodecs on a secure one.
#  1. Server: N viewers of one 640x480@30 stream with ?codec=h264 and with ?codec=fmp4, one after
#     the other on the same server, ROUNDS times (wscam-bench: CPU per delivered frame, latency
#     from capture time to the client's receipt).
#  2. Browser: bench/browser/viewer_bench.mjs at 640x480 and 1280x720, 30 fps: JPEG, WebCodecs
#     and MSE on a secure origin, and Auto (MSE) on an insecure one; then a dashboard of
#     DASHBOARD <wscam-player>s on both kinds of origin. DRIFT=30 adds a 30-minute run (first
#     minute against the last).
#
#   bench/mse.sh                          # 100 viewers, 15 s, 2 rounds; browser 20 s per mode; 16 players
#   N=20 DURATION=5 MODE_SECONDS=8 DASHBOARD=4 bench/mse.sh     # a quick look
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/mse
mkdir -p "$out"
N=${N:-100}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-2}
SECONDS_PER_MODE=${MODE_SECONDS:-20}
DASHBOARD=${DASHBOARD:-16}
DRIFT=${DRIFT:-0}
port=${PORT:-18090}

"$build/wscam" --listen 127.0.0.1 --port "$port" --source 'testsrc:?size=640x480&fps=30&noise=6' \
  --max-connections-per-ip 100000 >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 1
echo "== server: $N viewers of 640x480@30, ?codec=h264 against ?codec=fmp4, ${DURATION}s each, $ROUNDS rounds; $(nproc) cores"
for round in $(seq "$ROUNDS"); do
  for codec in h264 fmp4; do
    echo "-- round $round: ?codec=$codec"
    "$build/wscam-bench" --url "ws://127.0.0.1:$port/ws?codec=$codec" -n "$N" --warmup 3 -d "$DURATION" \
      --server-pid "$pid" --json "$out/server-$codec-$round.json" | grep -E "clients|fps per|latency|server "
    sleep 3
  done
done
kill $pid
trap - EXIT

for size in 640x480 1280x720; do
  echo "== browser: $size"
  node "$root/bench/browser/viewer_bench.mjs" --size "$size" --noise 6 --seconds "$SECONDS_PER_MODE" \
    --codec jpeg,h264,mse,mse-insecure --viewers wscam $([ "$size" = 640x480 ] && echo --dashboard "$DASHBOARD")
done
if [ "$DRIFT" != 0 ]; then
  echo "== browser: drift over $DRIFT minutes"
  node "$root/bench/browser/viewer_bench.mjs" --size 640x480 --noise 6 --codec '' --viewers '' --drift "$DRIFT"
fi
