#!/usr/bin/env bash
# Recording at the scale of a small house: N ESP32-like cameras (VGA, FPS, JPEGs of about 40 KB,
# pulled from bench/camera_farm.mjs as from a CameraWebServer), each watched live by one viewer,
# first not recorded, then recorded as mjpeg, then as h264. Measures per mode: wscam's CPU (and
# per recorded stream, against the run without recording), the live viewers' fps and latency
# (camera send stamp to viewer), recording drops, disk bytes per hour; then the export speed of
# one camera's recording and, in Chromium, the time from a click on the timeline to the first
# picture of the past (bench/record_scrub.mjs).
#
#   bench/record.sh                    # 16 cameras, 30 s a mode
#   N=4 DURATION=10 bench/record.sh    # smaller
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/record
rm -rf "$out"
mkdir -p "$out"
N=${N:-16}
FPS=${FPS:-10}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
SEEKS=${SEEKS:-30}
MODES=${MODES:-"off mjpeg h264"}

clip=$out/vga.mjpeg
# VGA frames of ~40 KB: what an ESP32-CAM sends at VGA and a middling quality.
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x480:rate=10 -vf noise=alls=9:allf=t \
  -frames:v 30 -q:v 5 -f mjpeg "$clip"
frame_bytes=$(( $(stat -c %s "$clip") / 30 ))
ulimit -n 65536 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_line() {  # file regex
  for _ in $(seq 1200); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "record: no '$2' in $1 after 60 s:"; cat "$1"; exit 1
}
metric_sum() {  # port name: the sum of a metric over every stream
  curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {printf "%.0f", s}'
}
disk_bytes() {  # folder: what it holds on disk, the segments being written included
  if [ -d "$1" ]; then du -sb "$1" | cut -f1; else echo 0; fi
}

echo "record: $N cameras, VGA frames of ~$frame_bytes bytes at $FPS fps, 1 live viewer each, ${DURATION}s a mode; $(nproc) cores"
printf '%-6s %6s %9s %7s %7s %8s %8s %7s %12s %10s\n' mode cores "per cam" "fps min" "fps p5" "lat p50" "lat p99" drops "disk MB/h" "GB/day/cam"
off_cores=""
for mode in $MODES; do
  farm_log=$out/farm-$mode.log
  wscam_log=$out/wscam-$mode.log
  node "$root/bench/camera_farm.mjs" --clip "$clip" --cameras "$N" --fps "$FPS" > "$farm_log" 2>&1 &
  pids+=($!)
  wait_line "$farm_log" '^listening '
  base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/cam/' "$farm_log")
  cfg=$out/$mode.toml
  for k in $(seq 0 $((N - 1))); do printf '[[stream]]\nname = "cam%d"\nsource = "%s%d#control=none"\n' "$k" "$base" "$k"; done > "$cfg"
  rec=()
  [ "$mode" != off ] && rec=(--record continuous --record-codec "$mode" --record-dir "$out/rec-$mode" --record-segment 60)
  "$build/wscam" --config "$cfg" --listen 127.0.0.1 --port 0 --log-level warn --max-connections-per-ip 0 \
    --h264-max-streams "$N" "${rec[@]}" > "$wscam_log" 2>&1 &
  wpid=$!
  pids+=($wpid)
  wait_line "$wscam_log" '^open http'
  port=$(grep -oE 'open http://127\.0\.0\.1:[0-9]+' "$wscam_log" | grep -oE '[0-9]+$')
  started=$(date +%s.%6N)
  sleep 2
  bytes0=$(disk_bytes "$out/rec-$mode")
  t0=$(date +%s.%6N)
  json=$out/$mode.json
  "$build/wscam-bench" --url "ws://127.0.0.1:$port/ws/cam{i}" --streams "$N" --clients "$N" --stamp \
    --warmup "$WARMUP" --duration "$DURATION" --server-pid "$wpid" --json "$json" > "$out/$mode.txt" 2>&1 || true
  bytes1=$(disk_bytes "$out/rec-$mode")
  t1=$(date +%s.%6N)
  drops=$(metric_sum "$port" wscam_recording_dropped_total)
  line=$(python3 - "$json" "$mode" "$N" "$drops" "$bytes0" "$bytes1" "$t0" "$t1" "${off_cores:-}" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
mode, n, drops = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
b0, b1, t0, t1 = float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
off = float(sys.argv[9]) if sys.argv[9] else None
cores = j["server"]["cpu_cores"]
per_cam = "-" if mode == "off" or off is None else f"{(cores - off) / n:.4f}"
rate = (b1 - b0) / (t1 - t0)  # bytes a second, every camera
mb_h = rate * 3600 / 1e6
print(f"{mode:<6} {cores:6.3f} {per_cam:>9} {j['fps']['min']:7.1f} {j['fps']['p5']:7.1f} {j['latency_ms']['p50']:8.2f} "
      f"{j['latency_ms']['p99']:8.2f} {drops:7d} {mb_h:12.0f} {rate * 86400 / 1e9 / n:10.2f}"
      f"{'  BENCH FELL BEHIND' if j['bench']['fell_behind'] else ''}")
print(f"CORES {cores}")
PY
)
  echo "$line" | grep -v '^CORES'
  [ "$mode" = off ] && off_cores=$(echo "$line" | awk '/^CORES/ {print $2}')
  if [ "$mode" != off ]; then
    # Export: cam0's whole recording as one MP4, timed by curl.
    now=$(date +%s.%6N)
    curl -s -o "$out/export-$mode.mp4" -w '%{time_total}\n' \
      "http://127.0.0.1:$port/recordings/cam0/export.mp4?from=$started&to=$now" > "$out/export-$mode.time"
    secs=$(cat "$out/export-$mode.time")
    size=$(stat -c %s "$out/export-$mode.mp4")
    video=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$out/export-$mode.mp4")
    python3 -c "import sys; v, s, b = map(float, sys.argv[1:]); print(f'       export of cam0: {v:.1f} s of video, {b/1e6:.1f} MB in {s*1000:.0f} ms: {v/60/s:.1f} minutes of video a second')" \
      "$video" "$secs" "$size"
    node "$root/bench/record_scrub.mjs" --url "http://127.0.0.1:$port" --stream cam0 --seeks "$SEEKS" > "$out/scrub-$mode.json" \
      2> "$out/scrub-$mode.err" || { cat "$out/scrub-$mode.err"; exit 1; }
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(f\"       timeline click to first picture ({j['codec']}, {j['seeks']} seeks, {j['failed']} without a picture in 10 s): p50 {j['p50_ms']:.0f} ms, p95 {j['p95_ms']:.0f} ms, max {j['max_ms']:.0f} ms\")" "$out/scrub-$mode.json"
  fi
  cleanup
  pids=()
done
echo "(cores: wscam's CPU while measuring; per cam: over the run without recording, per recorded camera; lat: camera send"
echo " stamp to viewer; drops: pictures recording dropped; disk: bytes recorded, all cameras. Details: $out/)"
