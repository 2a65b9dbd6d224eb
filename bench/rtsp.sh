#!/usr/bin/env bash
# RTSP out (issue 26): one 1280x720@30 stream read by 0, 1, 10 and 100 RTSP readers while 100
# WebSocket H.264 viewers watch it too (wscam-bench, in the background for the whole run): the
# server's CPU and RSS per reader, the encoder's CPU (must not grow with readers), the readers'
# units per second, and capture-to-arrival latency of RTSP units against a WebSocket H.264
# viewer of the same stream in the same run (bench/rtsp_readers.mjs).
#
#   bench/rtsp.sh                                   # 0,1,10,100 readers, 10 s each after 3 s
#   READERS=0,1,10 SECONDS_EACH=5 WS_VIEWERS=0 bench/rtsp.sh     # a quick look
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/rtsp
mkdir -p "$out"
READERS=${READERS:-0,1,10,100}
SECONDS_EACH=${SECONDS_EACH:-10}
WS_VIEWERS=${WS_VIEWERS:-100}
SIZE=${SIZE:-1280x720}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=${PORT:-$(free_port)}
rtsp_port=${RTSP_PORT:-$(free_port)}

"$build/wscam" --listen 127.0.0.1 --port "$port" --rtsp-port "$rtsp_port" --stream "cam=testsrc:?size=$SIZE&fps=30&noise=6" \
  --max-connections-per-ip 100000 >"$out/server.log" 2>&1 &
pid=$!
bg=""
trap 'kill $pid $bg 2>/dev/null || true' EXIT
sleep 1
runs=$(tr ',' '\n' <<<"$READERS" | wc -l)
total=$(( runs * (SECONDS_EACH + 3 + 5) + 30 ))
echo "== $SIZE@30, readers $READERS, ${SECONDS_EACH}s each; $WS_VIEWERS WebSocket H.264 viewers alongside; $(nproc) cores"
if [ "$WS_VIEWERS" != 0 ]; then
  "$build/wscam-bench" --url "ws://127.0.0.1:$port/ws/cam?codec=h264" -n "$WS_VIEWERS" --warmup 2 -d "$total" \
    --json "$out/ws-viewers.json" >"$out/ws-viewers.txt" 2>&1 &
  bg=$!
  sleep 3
fi
node "$root/bench/rtsp_readers.mjs" --pid "$pid" --rtsp "rtsp://127.0.0.1:$rtsp_port/cam" --ws "ws://127.0.0.1:$port/ws/cam" \
  --readers "$READERS" --seconds "$SECONDS_EACH" --warmup 3 --json "$out/readers.json"
if [ -n "$bg" ]; then
  kill -INT "$bg" 2>/dev/null || true
  wait "$bg" 2>/dev/null || true
  grep -E "clients|fps per|latency" "$out/ws-viewers.txt" | sed 's/^/  WebSocket viewers: /' || true
fi
grep -c "rtsp reader .* playing" "$out/server.log" | sed 's/^/  RTSP readers served: /'
