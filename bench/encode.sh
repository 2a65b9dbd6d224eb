#!/usr/bin/env bash
# Encode throughput: wscam's YUYV path (encode-bench) next to TurboJPEG's own tjbench on the same
# pictures and machine (tjbench compresses from RGB with 4:2:2 and fast DCT, like wscam's path).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/encode
mkdir -p "$out"
"$build/encode-bench" --seconds "${SECONDS_PER_SIZE:-3}" --ppm-dir "$out"
if command -v tjbench >/dev/null; then
  echo
  echo "tjbench (libjpeg-turbo's own benchmark) on the same pictures, RGB -> 4:2:2 q80 fast DCT, compression:"
  for size in 640x480 1280x720 1920x1080; do
    fps=$(cd "$out" && tjbench "$size.ppm" 80 -subsamp 422 -fastdct -benchtime 3 -warmup 1 2>&1 |
          awk '/^Compress/ {print $5; exit}')
    awk -v s="$size" -v f="$fps" 'BEGIN {printf "%-10s %9.1f frames/s  %6.2f ms/frame\n", s, f, 1000 / f}'
  done
else
  echo "tjbench not installed (apt-get install libjpeg-turbo-progs)"
fi
