#!/usr/bin/env bash
# The NATS hop: what relaying a stream through NATS to another wscam node adds, against viewers
# of the owner itself and against the simplest alternative, an edge wscam that pulls the
# origin's ws://A/ws/NAME as its camera. All on loopback, one machine, one clock:
#
#   camera ──http──▶ A (owner, --nats) ──NATS──▶ B (relay, --nats)      nats-server: one, written here
#                    A ──ws://A/ws/cam──▶ C (edge, no NATS)
#
# The camera is bench/camera_farm.mjs serving one 640x480 stream at 30 fps (~47 KB frames, the
# clip of bench/fanout.sh) as an ESP32-style multipart HTTP stream, each frame stamped with its
# send time; A pulls it. wscam-bench opens N viewers of the stream on A only ("owner"), then on
# B only ("relay"), then on C only ("edge") and measures latency from the camera's stamp
# (--stamp), so the three rows are comparable: the hop's added latency is relay − owner (and
# edge − owner). For every row: delivered fps per viewer, latency p50/p99/max, frames skipped,
# and the CPU (over the measured window) and RSS of every process involved — wscam A, the
# nats-server, wscam B, wscam C — with CPU seconds per GB delivered to the row's viewers.
# Nodes stay up between rows; after an edge row the script waits for C to drop its pull of A.
# Results: a table on stdout, JSON and logs in build/bench/cluster/.
#
#   bench/cluster.sh                          # N = 10 200 (1000 needs a quiet machine: the load generator shares its 2 cores)
#   NS="200 1000" DURATION=20 SETUPS="owner relay" bench/cluster.sh
#   bench/cluster.sh --quick                  # N = 10, 3 s per row (a smoke run, ~20 s)
#   BUILD=build-asan NATS_SERVER_BIN=/usr/local/bin/nats-server bench/cluster.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/bench/cluster
mkdir -p "$out"
NS=${NS:-"10 200"}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
FPS=${FPS:-30}
SETUPS=${SETUPS:-"owner relay edge"}
nats_bin=${NATS_SERVER_BIN:-/usr/sbin/nats-server}
if [ "${1:-}" = "--quick" ]; then NS=10; DURATION=3; WARMUP=1; fi
[ -x "$nats_bin" ] || { echo "cluster: no nats-server at $nats_bin (apt install nats-server)"; exit 1; }

clip=$build/bench/frames.mjpeg   # shared with bench/fanout.sh
[ -s "$clip" ] || ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x480:rate=30 -vf noise=alls=8:allf=t \
  -frames:v 60 -q:v 4 -f mjpeg "$clip"
frame_bytes=$(( $(stat -c %s "$clip") / 60 ))
ulimit -n 65536 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_line() {  # file regex
  for _ in $(seq 600); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "cluster: no '$2' in $1 after 30 s:"; cat "$1"; exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wscam_port() { grep -oE 'open http://127\.0\.0\.1:[0-9]+' "$1" | head -1 | grep -oE '[0-9]+$'; }
common=(--listen 127.0.0.1 --port 0 --log-level warn --max-connections 100000 --max-connections-per-ip 0)

# One nats-server on loopback, frames up to 8 MB (README: max_payload).
nats_port=$(free_port)
printf 'server_name: bench\nlisten: 127.0.0.1:%s\nmax_payload: 8MB\n' "$nats_port" > "$out/nats.conf"
"$nats_bin" -c "$out/nats.conf" > "$out/nats.log" 2>&1 &
nats_pid=$!; pids+=("$nats_pid")
wait_line "$out/nats.log" 'Server is ready'
nats=nats://127.0.0.1:$nats_port

node "$root/bench/camera_farm.mjs" --clip "$clip" --cameras 1 --fps "$FPS" > "$out/camera.log" 2>&1 &
pids+=($!)
wait_line "$out/camera.log" '^listening '
camera=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/cam/' "$out/camera.log")0

"$build/wscam" "${common[@]}" --nats "$nats" --node a --stream "cam=$camera#control=none" > "$out/a.log" 2>&1 &
a_pid=$!; pids+=("$a_pid")
"$build/wscam" "${common[@]}" --nats "$nats" --node b > "$out/b.log" 2>&1 &
b_pid=$!; pids+=("$b_pid")
wait_line "$out/a.log" '^open http'
wait_line "$out/b.log" '^open http'
a_port=$(wscam_port "$out/a.log"); b_port=$(wscam_port "$out/b.log")
"$build/wscam" "${common[@]}" --stream "cam=ws://127.0.0.1:$a_port/ws/cam" > "$out/c.log" 2>&1 &
c_pid=$!; pids+=("$c_pid")
wait_line "$out/c.log" '^open http'
c_port=$(wscam_port "$out/c.log")
# B serves the cluster's streams once A's announce reached it.
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$b_port/api/streams" 2>/dev/null | grep -q '"cam"' && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$b_port/api/streams" | grep -q '"cam"' || { echo "cluster: node b never listed stream cam"; cat "$out/b.log"; exit 1; }

# CPU ticks and RSS of every process, 10 times a second, for the measured window.
sampler() {
  exec python3 - "$@" <<'PY'
import os, sys, time
out, pids = sys.argv[1], sys.argv[2:]
with open(out, "w", buffering=1) as f:
    while True:
        row = [f"{time.time():.3f}"]
        for p in pids:
            try:
                st = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
                rss = int(st[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
                row += [str(int(st[11]) + int(st[12])), str(rss)]
            except OSError:
                row += ["0", "0"]
        f.write(" ".join(row) + "\n")
        time.sleep(0.1)
PY
}

run() {  # setup n
  local setup=$1 n=$2 port viewed_pid
  case $setup in
    owner) port=$a_port; viewed_pid=$a_pid ;;
    relay) port=$b_port; viewed_pid=$b_pid ;;
    edge) port=$c_port; viewed_pid=$c_pid ;;
  esac
  local json=$out/$setup-$n.json samples=$out/$setup-$n.cpu
  sampler "$samples" "$a_pid" "$nats_pid" "$b_pid" "$c_pid" > /dev/null &
  local spid=$!
  "$build/wscam-bench" --url "ws://127.0.0.1:$port/ws/cam" --clients "$n" --stamp --connect-rate 2000 --warmup "$WARMUP" \
    --duration "$DURATION" --server-pid "$viewed_pid" --json "$json" > "$out/$setup-$n.txt" 2>&1 || true
  kill "$spid"; wait "$spid" 2>/dev/null || true
  python3 - "$json" "$samples" "$setup" "$n" "$(getconf CLK_TCK)" <<'PY'
import json, os, sys
path, samples, setup, n, hz = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
j = json.load(open(path))
# The measured window ends just before the JSON is written.
end = os.stat(path).st_mtime
start = end - j["seconds"]
rows = [list(map(float, l.split())) for l in open(samples) if l.strip()]
def at(t, col):  # linear interpolation of a column at time t
    prev = rows[0]
    for r in rows:
        if r[0] >= t:
            if r[0] == prev[0]: return r[col]
            return prev[col] + (r[col] - prev[col]) * (t - prev[0]) / (r[0] - prev[0])
        prev = r
    return rows[-1][col]
gb = j["bytes_per_second"] * j["seconds"] / 1e9
procs = ["a", "nats", "b", "c"]
cores = [(at(end, 1 + 2 * k) - at(start, 1 + 2 * k)) / hz / j["seconds"] for k in range(4)]
rss = [at(end, 2 + 2 * k) / 1024 for k in range(4)]
per_gb = [c * j["seconds"] / gb if gb else 0 for c in cores]
b = j["bench"]
print(f"{setup:6} {n:5d} {j['connected']:5d} {j['fps']['min']:6.1f} {j['fps']['median']:6.1f} {j['latency_ms']['p50']:7.2f} "
      f"{j['latency_ms']['p99']:7.2f} {j['latency_ms']['max']:7.2f} {j['frames_skipped']:6d} {j['bytes_per_second']/1e6:7.1f} "
      + " ".join(f"{c:5.3f}" for c in cores) + f" {sum(cores):5.3f} "
      + " ".join(f"{x:6.2f}" for x in per_gb) + f" {sum(per_gb):6.2f} "
      + " ".join(f"{x:5.1f}" for x in rss)
      + ("  BENCH FELL BEHIND" if b["fell_behind"] else ""))
json.dump({"setup": setup, "n": n, "window": [start, end], "cores": dict(zip(procs, cores)),
           "cpu_seconds_per_gb": dict(zip(procs, per_gb)), "rss_mib": dict(zip(procs, rss)), "bench": j},
          open(path.replace(".json", "-summary.json"), "w"), indent=2)
PY
}

echo "cluster: 640x480 frames of ~$frame_bytes bytes at $FPS fps from a stand-in camera, ${DURATION}s per row after ${WARMUP}s warm-up;"
echo "  owner = viewers on A (the camera's node), relay = on B (through nats-server), edge = on C (pulls ws://A/ws/cam); $(nproc) cores"
echo "                              fps        latency from camera, ms             |  cores                            |  cpu-s per GB delivered             | RSS MiB"
echo "setup      N  conn    min median     p50     p99     max  skip    MB/s     A  nats     B     C   sum      A   nats      B      C    sum     A  nats    B    C"
# shellcheck disable=SC2086 # NS is a list
set -- $NS
for n in "$@"; do
  for setup in $SETUPS; do
    line=$(run "$setup" "$n"); echo "$line"
    # C keeps pulling A for 5 s after its last viewer left: let it stop before A is measured again.
    [ "$setup" = edge ] && [ "$n" != "${!#}" ] && sleep 6
  done
  python3 - "$out" "$n" <<'PY' || true
import json, sys
out, n = sys.argv[1], sys.argv[2]
def lat(s):
    try: return json.load(open(f"{out}/{s}-{n}.json"))["latency_ms"]
    except OSError: return None
o = lat("owner")
for s in ("relay", "edge"):
    x = lat(s)
    if o and x:
        print(f"  N={n}: {s} adds p50 {x['p50'] - o['p50']:+.2f} ms, p99 {x['p99'] - o['p99']:+.2f} ms over owner")
PY
done
echo "(cores: CPU of each process over the measured window; cpu-s per GB: that CPU per GB delivered to the row's viewers;"
echo " C is idle unless the row is edge; A does the capture in every row. Details: $out/)"
