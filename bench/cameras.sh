#!/usr/bin/env bash
# Many cameras on one server: N QVGA cameras at FPS, each watched by M viewers, pulled from a
# stand-in that serves every camera the way an ESP32 CameraWebServer does (bench/camera_farm.mjs),
# or pushed by stand-in boards to /publish/camK. Measures what each viewer gets (fps min and p5,
# latency from the camera's send stamp to the viewer), wscam's CPU per incoming and per delivered
# frame, its threads and RSS, and the idle cost of N configured cameras nobody watches.
#
#   bench/cameras.sh                                 # N = 10 100 300, pull and push, 2 viewers each
#   NS="100" KINDS=pull DURATION=10 bench/cameras.sh
#   bench/cameras.sh --quick                         # 10 cameras, 3 s (a smoke run)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/cameras
mkdir -p "$out"
NS=${NS:-"10 100 300"}
KINDS=${KINDS:-"pull push"}
VIEWERS=${VIEWERS:-2}
FPS=${FPS:-10}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
IDLE=${IDLE:-10}
if [ "${1:-}" = "--quick" ]; then NS=10; DURATION=3; WARMUP=1; IDLE=2; fi

clip=$out/qvga.mjpeg
# ~8.6 KB QVGA frames, like a CameraWebServer at its default quality.
[ -s "$clip" ] || ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=320x240:rate=10 -vf noise=alls=6:allf=t \
  -frames:v 30 -q:v 7 -f mjpeg "$clip"
frame_bytes=$(( $(stat -c %s "$clip") / 30 ))
ulimit -n 65536 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
wait_line() {  # file regex
  for _ in $(seq 1200); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "cameras: no '$2' in $1 after 60 s:"; cat "$1"; exit 1
}

echo "cameras: QVGA frames of ~$frame_bytes bytes at $FPS fps, $VIEWERS viewers each, ${DURATION}s measured; $(nproc) cores"
printf '%-5s %5s %7s %6s %6s %8s %8s %6s %9s %9s %8s %8s %9s\n' kind N viewers "fps min" "fps p5" "lat p50" "lat p99" cores \
  "us/in" "us/out" threads "RSS MiB" "idle cores"
for kind in $KINDS; do
  for n in $NS; do
    cfg=$out/$kind-$n.toml
    : > "$cfg"
    farm_log=$out/farm-$kind-$n.log
    wscam_log=$out/wscam-$kind-$n.log
    if [ "$kind" = pull ]; then
      node "$root/bench/camera_farm.mjs" --clip "$clip" --cameras "$n" --fps "$FPS" > "$farm_log" 2>&1 &
      pids+=($!)
      wait_line "$farm_log" '^listening '
      base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/cam/' "$farm_log")
      # #control=none: no CameraWebServer /status lookups, only the stream.
      for k in $(seq 0 $((n - 1))); do printf '[[stream]]\nname = "cam%d"\nsource = "%s%d#control=none"\n' "$k" "$base" "$k"; done >> "$cfg"
    else
      for k in $(seq 0 $((n - 1))); do printf '[[stream]]\nname = "cam%d"\nsource = "push:"\n' "$k"; done >> "$cfg"
    fi
    "$build/wscam" --config "$cfg" --listen 127.0.0.1 --port 0 --log-level warn --max-connections-per-ip 0 \
      --max-connections 100000 > "$wscam_log" 2>&1 &
    wpid=$!
    pids+=($wpid)
    wait_line "$wscam_log" '^open http'
    port=$(grep -oE 'open http://127\.0\.0\.1:[0-9]+' "$wscam_log" | grep -oE '[0-9]+$')
    if [ "$kind" = push ]; then
      node "$root/bench/camera_farm.mjs" --clip "$clip" --cameras "$n" --fps "$FPS" \
        --push "ws://127.0.0.1:$port/publish/cam" > "$farm_log" 2>&1 &
      pids+=($!)
      wait_line "$farm_log" '^publishing '
    fi
    # Idle: N cameras configured (pushed ones publishing), nobody watching.
    sleep 1
    t0=$(cpu_ticks "$wpid")
    sleep "$IDLE"
    idle=$(awk -v a="$t0" -v b="$(cpu_ticks "$wpid")" -v s="$IDLE" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.3f", (b-a)/hz/s}')
    idle_threads=$(threads "$wpid")
    json=$out/$kind-$n.json
    "$build/wscam-bench" --url "ws://127.0.0.1:$port/ws/cam{i}" --streams "$n" --clients $((n * VIEWERS)) --stamp \
      --connect-rate 2000 --warmup "$WARMUP" --duration "$DURATION" --server-pid "$wpid" --json "$json" > "$out/$kind-$n.txt" 2>&1 || true
    python3 - "$json" "$kind" "$n" "$FPS" "$idle" "$idle_threads" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
kind, n, fps, idle, idle_threads = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
s = j["server"]
cpu_s = s["cpu_cores"] * j["seconds"]
incoming = n * fps * j["seconds"]
print(f"{kind:<5} {n:5d} {j['connected']:7d} {j['fps']['min']:6.1f} {j['fps']['p5']:6.1f} {j['latency_ms']['p50']:8.2f} "
      f"{j['latency_ms']['p99']:8.2f} {s['cpu_cores']:6.2f} {cpu_s * 1e6 / incoming:9.1f} {s['cpu_us_per_delivered_frame']:9.1f} "
      f"{s['threads']:4d}/{idle_threads:<3} {s['rss_kib'] / 1024:8.1f} {idle:9.3f}"
      f"{'  BENCH FELL BEHIND' if j['bench']['fell_behind'] else ''}")
PY
    cleanup
    pids=()
  done
done
echo "(us/in: wscam CPU µs per incoming frame, all of its work counted; us/out: per delivered frame; threads: measuring/idle;"
echo " idle cores: wscam with the N cameras configured and nobody watching. Details: $out/)"
