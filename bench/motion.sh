#!/usr/bin/env bash
# Motion detection at the scale of a small house (issue 24): N ESP32-like cameras (VGA, FPS, JPEGs
# of about 40 KB with sensor noise and testsrc2's moving parts, pulled from bench/camera_farm.mjs),
# each watched live by one viewer, first without detection, then with --motion on every stream.
# Measures per mode: wscam's CPU (and per detecting stream, against the run without), the live
# viewers' fps and latency (camera send stamp to viewer), the pictures detection looked at and
# skipped. Then bench/motion_accuracy.mjs: the scene set's detections, misses and false events,
# and the latency from the first picture with motion to MQTT, a webhook and a viewer.
#
#   bench/motion.sh                     # 16 cameras, 30 s a mode, accuracy over 120 s
#   N=4 DURATION=10 ACCURACY=40 bench/motion.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/motion
rm -rf "$out"
mkdir -p "$out"
N=${N:-16}
FPS=${FPS:-10}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
ACCURACY=${ACCURACY:-120}

clip=$out/vga.mjpeg
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x480:rate=10 -vf noise=alls=9:allf=t \
  -frames:v 30 -q:v 5 -f mjpeg "$clip"
ulimit -n 65536 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_line() {  # file regex
  for _ in $(seq 1200); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "motion: no '$2' in $1 after 60 s:"; cat "$1"; exit 1
}
metric_sum() {  # port name
  curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 ~ "^"m"[{ ]" || $1 == m {s += $2} END {printf "%.0f", s}'
}

echo "motion: $N cameras, VGA at $FPS fps, 1 live viewer each, ${DURATION}s a mode; $(nproc) cores"
printf '%-4s %6s %10s %7s %7s %8s %8s %9s %8s\n' mode cores "per cam" "fps min" "fps p5" "lat p50" "lat p99" "looked at" skipped
off_cores=""
for mode in off on; do
  farm_log=$out/farm-$mode.log
  wscam_log=$out/wscam-$mode.log
  node "$root/bench/camera_farm.mjs" --clip "$clip" --cameras "$N" --fps "$FPS" > "$farm_log" 2>&1 &
  pids+=($!)
  wait_line "$farm_log" '^listening '
  base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/cam/' "$farm_log")
  cfg=$out/$mode.toml
  for k in $(seq 0 $((N - 1))); do printf '[[stream]]\nname = "cam%d"\nsource = "%s%d#control=none"\n' "$k" "$base" "$k"; done > "$cfg"
  extra=()
  [ "$mode" = on ] && extra=(--motion)
  "$build/wscam" --config "$cfg" --listen 127.0.0.1 --port 0 --log-level warn --max-connections-per-ip 0 \
    --record-dir "$out/rec-$mode" "${extra[@]}" > "$wscam_log" 2>&1 &
  wpid=$!
  pids+=($wpid)
  wait_line "$wscam_log" '^open http'
  port=$(grep -oE 'open http://127\.0\.0\.1:[0-9]+' "$wscam_log" | grep -oE '[0-9]+$')
  sleep 2
  looked0=$(metric_sum "$port" wscam_motion_pictures_total)
  json=$out/$mode.json
  "$build/wscam-bench" --url "ws://127.0.0.1:$port/ws/cam{i}" --streams "$N" --clients "$N" --stamp \
    --warmup "$WARMUP" --duration "$DURATION" --server-pid "$wpid" --json "$json" > "$out/$mode.txt" 2>&1 || true
  looked=$(( $(metric_sum "$port" wscam_motion_pictures_total) - looked0 ))
  skipped=$(metric_sum "$port" wscam_motion_skipped_total)
  line=$(python3 - "$json" "$mode" "$N" "$looked" "$skipped" "${off_cores:-}" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
mode, n, looked, skipped = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
off = float(sys.argv[6]) if sys.argv[6] else None
cores = j["server"]["cpu_cores"]
per_cam = "-" if mode == "off" or off is None else f"{(cores - off) / n:.4f}"
print(f"{mode:<4} {cores:6.3f} {per_cam:>10} {j['fps']['min']:7.1f} {j['fps']['p5']:7.1f} {j['latency_ms']['p50']:8.2f} "
      f"{j['latency_ms']['p99']:8.2f} {looked:9d} {skipped:8d}{'  BENCH FELL BEHIND' if j['bench']['fell_behind'] else ''}")
print(f"CORES {cores}")
PY
)
  echo "$line" | grep -v '^CORES'
  [ "$mode" = off ] && off_cores=$(echo "$line" | awk '/^CORES/ {print $2}')
  cleanup
  pids=()
done
echo "(cores: wscam's CPU while measuring; per cam: over the run without detection, per detecting camera; lat: camera"
echo " send stamp to viewer; looked at: pictures detection decoded and looked at while measuring, all cameras)"
echo
echo "accuracy and latency, ${ACCURACY}s (bench/motion_accuracy.mjs):"
WSCAM_BIN="$build/wscam" node "$root/bench/motion_accuracy.mjs" --duration "$ACCURACY" --json "$out/accuracy.json"
