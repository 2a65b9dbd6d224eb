#!/usr/bin/env bash
# H.264 vs JPEG: what a wscam.v1 viewer that asks for ?codec=h264 gets against one that takes
# the JPEGs, on one server, in one run. On the 640x480@30 test pattern with noise and on a
# 1280x720@30 clip of camera-like content (a detailed still scene, a moving object, sensor
# noise), it measures:
#   quality  bytes/s and fps one viewer receives in each mode, and SSIM/PSNR of the received
#            pictures against the uncompressed source frames, and against the same frames
#            without their noise (ffmpeg's ssim and psnr filters; bench/codec_record.mjs
#            records, bench/codec_quality.py compares), for several x264 settings;
#   cpu      wscam's CPU (/proc, over the measured window) with 1 JPEG viewer and with 1, 10
#            and 50 H.264 viewers, per x264 preset (wscam-bench --server-pid);
#   slow     the fan-out benchmark's slow-viewer scenario (its clip, 500 viewers, 10 % of them
#            reading at 1 Mbit/s) in each mode: fps and latency of the slow ones, and how often
#            an H.264 viewer fell behind (from wscam's "viewer closed ... fell_behind=" lines).
# Results: a table on stdout; every run's JSON and logs under build/bench/codec/.
#
#   bench/codec.sh                 # everything, CPU and slow rounds REPEAT (3) times
#   bench/codec.sh --quick         # a < 60 s smoke run: one "codec-summary" line per mode
#   SOURCES=clip720 PRESETS=veryfast NS="1 10" REPEAT=1 bench/codec.sh
#   SETTINGS="superfast:crf=26 superfast:bitrate=1000" PARTS=quality bench/codec.sh
# The browser's capture-to-paint numbers come from node bench/browser/viewer_bench.mjs --codec jpeg,h264
# (run at the end of a full run unless BROWSER=0).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/codec
mkdir -p "$out/runs"
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-3}
# testsrc's noise (0-100): 6 is the fan-out clip's `noise=alls=8` (uniform, ±8 levels), see docs/PERFORMANCE.md.
NOISE=${NOISE:-6}
CLIP_FRAMES=${CLIP_FRAMES:-300}
SOURCES=${SOURCES:-"pattern clip720"}
PARTS=${PARTS:-"quality cpu slow"}
PRESETS=${PRESETS:-"ultrafast superfast"}
SETTINGS=${SETTINGS:-"superfast:crf=26 superfast:crf=23 superfast:crf=28 ultrafast:crf=26 ultrafast:crf=23 veryfast:crf=26 superfast:crf=26:max=600 superfast:crf=26:max=900"}
NS=${NS:-"1 10 50"}
SLOW_N=${SLOW_N:-500}
# H.264 settings the slow-viewer scenario runs (the JPEG viewers need none)
SLOW_SETTINGS=${SLOW_SETTINGS:-"superfast:crf=26 superfast:crf=26:max=600"}
SLOW_DURATION=${SLOW_DURATION:-20}
BROWSER=${BROWSER:-1}
quick=0
if [ "${1:-}" = "--quick" ]; then
  quick=1; DURATION=3; WARMUP=1; REPEAT=1; CLIP_FRAMES=60; SOURCES=pattern; PRESETS=superfast; NS=1
  SETTINGS="superfast:crf=26"; SLOW_SETTINGS="superfast:crf=26"; SLOW_N=10; SLOW_DURATION=4; BROWSER=0
fi
ulimit -n 65536 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap cleanup EXIT

# --- The clips: served with file:CLIP?fps=30&loop=1, each with its raw frames (yuvj420p, the
# reference) and the same frames without their noise (-clean.yuv: the scene without sensor noise).
ffq() { ffmpeg -hide_banner -loglevel error -y "$@"; }
make_clips() {
  local p=$out/pattern-$CLIP_FRAMES-n$NOISE
  if [ ! -s "$p-clean.yuv" ] && [[ " $SOURCES " == *" pattern "* ]]; then
    # wscam's own test pattern and JPEG encoder (what testsrc: sends), and its pixels uncompressed.
    "$build/codec-test-card" --size 640x480 --frames "$CLIP_FRAMES" --noise "$NOISE" --quality 80 --clip "$p.mjpeg" --raw "$p.rgb" \
      --raw-clean "$p-clean.rgb" > /dev/null
    ffq -f rawvideo -pix_fmt rgb24 -s 640x480 -i "$p.rgb" -pix_fmt yuvj420p -f rawvideo "$p.yuv"
    ffq -f rawvideo -pix_fmt rgb24 -s 640x480 -i "$p-clean.rgb" -pix_fmt yuvj420p -f rawvideo "$p-clean.yuv"
    rm -f "$p.rgb" "$p-clean.rgb"
  fi
  local c=$out/clip720-$CLIP_FRAMES
  if [ ! -s "$c-clean.yuv" ] && [[ " $SOURCES " == *" clip720 "* ]]; then
    # A fixed camera's view: a detailed still scene (a region of the Mandelbrot set), an object
    # moving across it (testsrc2, with its own moving parts), and temporal sensor noise.
    local scene="mandelbrot=size=1280x720:rate=30:start_x=-0.743643887037151:start_y=0.13182590420533:start_scale=0.004:end_scale=0.004:maxiter=256,trim=end_frame=1,loop=loop=-1:size=1,setpts=N/30/TB[bg];testsrc2=size=320x240:rate=30[obj];[bg][obj]overlay=x='mod(n*6,1600)-320':y='300+80*sin(n/20)':shortest=1"
    ffq -f lavfi -i "$scene,noise=alls=6:allf=t,format=yuvj420p" -frames:v "$CLIP_FRAMES" -f rawvideo "$c.yuv"
    ffq -f lavfi -i "$scene,format=yuvj420p" -frames:v "$CLIP_FRAMES" -f rawvideo "$c-clean.yuv"
    # The camera's JPEGs: the same frames, ffmpeg's MJPEG at -q:v 5.
    ffq -f rawvideo -pix_fmt yuvj420p -s 1280x720 -r 30 -i "$c.yuv" -c:v mjpeg -q:v 5 -f mjpeg "$c.mjpeg"
  fi
  # The fan-out benchmark's clip (bench/fanout.sh makes it the same way), for the slow viewers.
  fanout_clip=$out/fanout-frames.mjpeg
  [ -s "$fanout_clip" ] || ffq -f lavfi -i testsrc2=size=640x480:rate=30 -vf noise=alls=8:allf=t -frames:v 60 -q:v 4 -f mjpeg "$fanout_clip"
}

# clip, reference and size of a source
clip_of() { case $1 in pattern) echo "$out/pattern-$CLIP_FRAMES-n$NOISE";; clip720) echo "$out/clip720-$CLIP_FRAMES";; esac; }
size_of() { case $1 in pattern) echo 640x480;; clip720) echo 1280x720;; esac; }
# What wscam serves for the CPU runs: the test pattern live (testsrc:, rendering included in
# both modes), the 720p clip from its file.
live_source_of() {
  case $1 in
    pattern) echo "testsrc:?size=640x480&fps=30&noise=$NOISE";;
    clip720) echo "file:$(clip_of clip720).mjpeg?fps=30&loop=1";;
  esac
}
# wscam's options for a setting: PRESET[:crf=N][:bitrate=KBPS][:max=KBPS][:keyint=S], e.g. superfast:crf=26:max=800
h264_args() {
  local parts part
  IFS=: read -ra parts <<< "$1"
  echo -n "--h264-preset ${parts[0]}"
  for part in "${parts[@]:1}"; do
    case $part in
      crf=*) echo -n " --h264-crf ${part#crf=}";;
      bitrate=*) echo -n " --h264-bitrate ${part#bitrate=}";;
      max=*) echo -n " --h264-max-bitrate ${part#max=}";;
      streams=*) echo -n " --h264-max-streams ${part#streams=}";;
      keyint=*) echo -n " --h264-keyint ${part#keyint=}";;
      *) echo "codec: unknown part '$part' of setting '$1'" >&2; exit 2;;
    esac
  done
  echo
}

# Starts wscam on SOURCE with extra args; sets $port and $wpid; log in $1.
start_wscam() {
  local log=$1 source=$2; shift 2
  "$build/wscam" --listen 127.0.0.1 --port 0 --source "$source" --always-on --log-level info \
    --max-connections 100000 --max-connections-per-ip 0 "$@" > "$log" 2>&1 &
  wpid=$!
  pids+=("$wpid")
  port=
  for _ in $(seq 200); do
    port=$(grep -oE 'open http://127\.0\.0\.1:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "codec: wscam did not start:"; cat "$log"; exit 1; }
}

stop_wscam() {
  # The viewers are gone; the encoder ends a second after its last viewer left and says so.
  if grep -q 'h264 encoder started' "$1"; then
    for _ in $(seq 40); do grep -q 'h264 encoder stopped' "$1" && break; sleep 0.1; done
  fi
  kill "$wpid" 2>/dev/null || true
  wait "$wpid" 2>/dev/null || true
  pids=()
}

run_quality() {  # source setting
  local src=$1 setting=$2 base
  base=$(clip_of "$src")
  local tag=quality-$src-${setting//[:=]/-}
  # shellcheck disable=SC2046  # the setting's options are words on purpose
  start_wscam "$out/runs/$tag.log" "file:$base.mjpeg?fps=30&loop=1" $(h264_args "$setting")
  node "$root/bench/codec_record.mjs" --out "$out/runs/$tag" --seconds $((WARMUP + DURATION)) \
    --viewer "jpeg=ws://127.0.0.1:$port/ws" --viewer "h264=ws://127.0.0.1:$port/ws?codec=h264" > /dev/null
  stop_wscam "$out/runs/$tag.log"
  python3 "$root/bench/codec_quality.py" --rec "$out/runs/$tag" --clip "$base.mjpeg" --ref "$base.yuv" --ref-clean "$base-clean.yuv" \
    --size "$(size_of "$src")" \
    --warmup "$WARMUP" --json "$out/runs/$tag.json" > /dev/null
  rm -f "$out/runs/$tag"/*.bin
  python3 "$root/bench/codec_report.py" quality-row "$out/runs/$tag.json" "$src" "$setting" "$out/runs/$tag.log"
}

run_bench() {  # tag source url-suffix n [wscam args...] -- [bench args...]
  local tag=$1 source=$2 suffix=$3 n=$4; shift 4
  local wargs=() bargs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do wargs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  bargs=("$@")
  start_wscam "$out/runs/$tag.log" "$source" "${wargs[@]}"
  "$build/wscam-bench" --url "ws://127.0.0.1:$port/ws$suffix" --clients "$n" --connect-rate 2000 --warmup "$WARMUP" \
    --duration "$DURATION" --server-pid "$wpid" --json "$out/runs/$tag.json" "${bargs[@]}" > "$out/runs/$tag.txt" 2>&1 || true
  stop_wscam "$out/runs/$tag.log"
}

[ -x "$build/codec-test-card" ] && [ -x "$build/wscam-bench" ] && [ -x "$build/wscam" ] || { echo "codec: build first (make build)"; exit 1; }
command -v ffmpeg > /dev/null || { echo "codec: needs ffmpeg (make test-deps)"; exit 1; }
make_clips
rm -f "$out/runs"/*.json "$out/runs"/.jpeg-row-*
echo "codec: H.264 vs JPEG, ${DURATION}s measured after ${WARMUP}s; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sources: pattern = wscam's test pattern 640x480@30, noise $NOISE (quality runs: its frames as a ${CLIP_FRAMES}-frame clip);"
echo "         clip720 = 1280x720@30 camera-like clip, ffmpeg MJPEG -q:v 5, ${CLIP_FRAMES} frames looping"

if [[ " $PARTS " == *" quality "* ]]; then
  echo
  echo "== quality: one JPEG and one H.264 viewer of the same server; SSIM/PSNR against the uncompressed source frames"
  python3 "$root/bench/codec_report.py" quality-head
  for src in $SOURCES; do
    for setting in $SETTINGS; do run_quality "$src" "$setting"; done
  done
  python3 "$root/bench/codec_report.py" quality-foot
fi

if [[ " $PARTS " == *" cpu "* ]]; then
  echo
  echo "== cpu: wscam's cores over ${DURATION}s with 1 JPEG viewer, and with N H.264 viewers (a fresh server each)"
  for round in $(seq "$REPEAT"); do
    for src in $SOURCES; do
      source=$(live_source_of "$src")
      run_bench "cpu-$src-jpeg-1-r$round" "$source" "" 1
      for preset in $PRESETS; do
        for n in $NS; do run_bench "cpu-$src-$preset-$n-r$round" "$source" "?codec=h264" "$n" --h264-preset "$preset"; done
      done
    done
  done
  python3 "$root/bench/codec_report.py" cpu "$out/runs" "$SOURCES" "$PRESETS" "$NS" "$REPEAT"
fi

if [[ " $PARTS " == *" slow "* ]]; then
  echo
  echo "== slow: the fan-out clip (640x480@30, ~47 KB JPEGs), $SLOW_N viewers, 10 % of them reading at 1 Mbit/s"
  saved=$DURATION; DURATION=$SLOW_DURATION
  for round in $(seq "$REPEAT"); do
    run_bench "slow-jpeg-r$round" "file:$fanout_clip?fps=30" "" "$SLOW_N" -- --slow-share 0.1 --slow-rate 1000000
    for setting in $SLOW_SETTINGS; do
      # shellcheck disable=SC2046  # the setting's options are words on purpose
      run_bench "slow-h264_${setting//[:=]/-}-r$round" "file:$fanout_clip?fps=30" "?codec=h264" "$SLOW_N" $(h264_args "$setting") \
        -- --slow-share 0.1 --slow-rate 1000000
    done
  done
  DURATION=$saved
  python3 "$root/bench/codec_report.py" slow "$out/runs" "$REPEAT" "$SLOW_N" "jpeg $(for s in $SLOW_SETTINGS; do echo -n "h264_${s//[:=]/-} "; done)"
fi

if [ $quick = 1 ]; then
  python3 "$root/bench/codec_report.py" summary "$out/runs"
fi

if [ "$BROWSER" = 1 ]; then
  echo
  echo "== browser: the viewer page in headless Chromium (bench/browser/viewer_bench.mjs)"
  for size in 640x480 1280x720; do
    node "$root/bench/browser/viewer_bench.mjs" --size "$size" --noise "$NOISE" --seconds "$DURATION" --codec jpeg,h264 --viewers wscam \
      --json > "$out/runs/browser-$size.json" || true
    python3 "$root/bench/codec_report.py" browser "$out/runs/browser-$size.json"
  done
fi
echo
echo "(details: $out/runs/)"
