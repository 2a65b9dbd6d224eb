#!/usr/bin/env bash
# Fan-out benchmark: wscam and the Node `ws` broadcast baseline serve the same ~50 KB 640x480
# frames at 30 fps on loopback; wscam-bench opens N viewers against each (and N MJPEG-over-HTTP
# readers of wscam's /stream/default.mjpg, "wscam-mjpeg") and measures delivered
# fps, latency, drops, server CPU per GB and RSS. Then a slow-viewer scenario and iperf3's
# loopback cost per GB as the floor. Results: a table on stdout and JSON in build/bench/.
#
#   bench/fanout.sh                          # N = 100 500 1000 2000, then up by 1000 while each server keeps >= 29.5 fps
#   bench/fanout.sh --quick                  # a 3-second smoke run (used by make test)
#   NS="100 1000" DURATION=20 bench/fanout.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench
mkdir -p "$out"
NS=${NS:-"100 500 1000 2000"}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
MAX_N=${MAX_N:-6000}
SERVERS=${SERVERS:-"wscam wscam-mjpeg node-ws"}
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; NS="50"; DURATION=3; WARMUP=1; SERVERS="wscam wscam-mjpeg node-ws"; fi

clip=$out/frames.mjpeg
[ -s "$clip" ] || ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x480:rate=30 -vf noise=alls=8:allf=t \
  -frames:v 60 -q:v 4 -f mjpeg "$clip"
frame_bytes=$(( $(stat -c %s "$clip") / 60 ))
ulimit -n 65536 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Starts a server; sets $url and $pid.
start_server() {
  local kind=$1 log=$out/$1.log
  if [ "$kind" != node-ws ]; then
    "$build/wscam" --listen 127.0.0.1 --port 0 --source "file:$clip?fps=30" --always-on --log-level warn \
      --max-connections 100000 --max-connections-per-ip 0 ${WSCAM_ARGS:-} > "$log" 2>&1 &
  else
    node "$root/bench/baselines/node_ws_broadcast.mjs" --clip "$clip" --fps 30 > "$log" 2>&1 &
  fi
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    url=$(grep -oE '(open http|listening ws)://127\.0\.0\.1:[0-9]+' "$log" | head -1 | sed -E 's#^(open http|listening ws)#ws#') || true
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "fanout: $kind did not start:"; cat "$log"; exit 1; }
  [ "$kind" = wscam ] && url=$url/ws
  # The same server and frames, read as multipart MJPEG over HTTP (/stream/<stream>.mjpg).
  [ "$kind" = wscam-mjpeg ] && url=${url/ws:/http:}/stream/default.mjpg
  return 0
}

run() {  # kind n [extra bench args]
  local kind=$1 n=$2; shift 2
  start_server "$kind"
  local json=$out/$kind-$n${TAG:-}.json
  "$build/wscam-bench" --url "$url" --clients "$n" --connect-rate 2000 --warmup "$WARMUP" --duration "$DURATION" \
    --server-pid "$pid" --json "$json" "$@" > "$out/$kind-$n${TAG:-}.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  python3 - "$kind" "$n" "$json" <<'PY'
import json, sys
kind, n, path = sys.argv[1], sys.argv[2], sys.argv[3]
j = json.load(open(path))
s = j.get("server", {})
b = j["bench"]
print(f"{kind:8} {n:>6} {j['connected']:>6} {j['fps']['min']:7.1f} {j['fps']['p1']:6.1f} {j['latency_ms']['p50']:8.2f} "
      f"{j['latency_ms']['p99']:8.2f} {j['latency_ms']['max']:8.2f} {j['frames_skipped']:>7} {j['bytes_per_second']/1e6:8.1f} "
      f"{s.get('cpu_cores',0):6.2f} {s.get('cpu_seconds_per_gb',0):7.3f} {s.get('rss_kib',0)/1024:7.1f} {s.get('rss_kib_per_client',0):6.1f}"
      f"{'  BENCH FELL BEHIND' if b['fell_behind'] else ''}")
PY
}

echo "fan-out: 640x480 frames of ~$frame_bytes bytes at 30 fps, ${DURATION}s per run after ${WARMUP}s warm-up; $(nproc) cores"
echo "server        N   conn  fps min  fps p1  lat p50  lat p99  lat max skipped     MB/s  cores  cpu-s/GB RSS MiB KiB/cl"
for kind in $SERVERS; do
  for n in $NS; do run "$kind" "$n"; done
  if [ $quick = 0 ]; then
    # Beyond the list: keep going while every viewer still gets >= 29.5 fps.
    n=${NS##* }
    while [ "$n" -lt "$MAX_N" ]; do
      n=$(( n + 1000 ))
      line=$(run "$kind" "$n"); echo "$line"
      awk '{exit !($4 >= 29.5)}' <<< "$line" || break
    done
  fi
done

if [ $quick = 0 ]; then
  echo
  echo "slow viewers: 10% of 500 read at 1 Mbit/s"
  for kind in $SERVERS; do TAG=-slow run "$kind" 500 --slow-share 0.1 --slow-rate 1000000; grep "slow viewers" "$out/$kind-500-slow.txt"; done
fi

if command -v iperf3 >/dev/null && [ $quick = 0 ]; then
  port=$(( 20000 + RANDOM % 20000 ))
  iperf3 -s -1 -p "$port" > /dev/null 2>&1 &
  pids+=("$!")
  sleep 0.5
  iperf3 -c 127.0.0.1 -p "$port" -l "$frame_bytes" -t 5 -J > "$out/iperf3.json"
  python3 - "$out/iperf3.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
end = j["end"]
gb = end["sum_sent"]["bytes"] / 1e9
secs = end["sum_sent"]["seconds"]
cpu = end["cpu_utilization_percent"]
print(f"\niperf3 loopback, {j['start']['test_start']['blksize']}-byte writes: {gb/secs:.2f} GB/s; "
      f"sender {cpu['host_total']/100*secs/gb:.3f} cpu-s per GB, receiver {cpu['remote_total']/100*secs/gb:.3f} cpu-s per GB")
PY
fi
