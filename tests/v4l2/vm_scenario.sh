#!/bin/sh
# Runs inside the VM (busybox sh) with vivid loaded: wscam against a real V4L2 driver.
#   vm_scenario.sh /path/to/wscam /path/to/wscam-bench
WSCAM=$1
BENCH=$2
fail() { echo "VM-TEST FAIL: $*"; exit 1; }
ok() { echo "VM-TEST OK: $*"; }
[ -e /dev/video0 ] || fail "vivid made no /dev/video0"

$WSCAM --list-devices > /tmp/devices.txt || fail "--list-devices"
head -12 /tmp/devices.txt
grep -q "vivid" /tmp/devices.txt || fail "--list-devices does not show vivid"
grep -q "brightness (int" /tmp/devices.txt || fail "--list-devices does not show the brightness control"
$WSCAM --list-devices --json | grep -q '"driver": "vivid"' || fail "--list-devices --json"
ok "list-devices"

probe() {  # name uri expected-size
  $WSCAM --source "$2" --probe --probe-seconds 60 --log-level warn > /tmp/$1.txt 2>&1 || { cat /tmp/$1.txt; fail "$1: probe failed"; }
  cat /tmp/$1.txt
  grep -q "size: *$3" /tmp/$1.txt || fail "$1: frames are not $3"
  ok "$1"
}
probe yuyv-640 'v4l2:/dev/video0?format=yuyv&size=640x480&fps=25' 640x480
probe nv12-1280 'v4l2:/dev/video0?format=nv12&size=1280x720' 1280x720
probe yu12-320 'v4l2:/dev/video0?format=yu12&size=320x180' 320x180
grep -q "fps: *[0-9]" /tmp/yuyv-640.txt || fail "no measured frame rate"

# A control changes the picture: the same camera at two brightness settings.
probe dark 'v4l2:/dev/video0?format=yuyv&size=640x480&ctrl.brightness=20' 640x480
probe bright 'v4l2:/dev/video0?format=yuyv&size=640x480&ctrl.brightness=235' 640x480
dark=$(sed -n 's/^luma: *\([0-9]*\).*/\1/p' /tmp/dark.txt)
bright=$(sed -n 's/^luma: *\([0-9]*\).*/\1/p' /tmp/bright.txt)
[ -n "$dark" ] && [ -n "$bright" ] && [ "$bright" -gt $((dark + 30)) ] || fail "brightness 20 -> luma $dark, 235 -> luma $bright"
ok "brightness control: luma $dark -> $bright"

# Serve it, and watch from inside the VM over loopback.
$WSCAM --listen 127.0.0.1 --port 8080 --source 'v4l2:/dev/video0?format=yuyv&size=640x480&fps=25' --always-on \
  --reconnect-delay 0.2 --reconnect-max 1 --stall-timeout 2 > /tmp/server.log 2>&1 &
server=$!
for i in $(seq 60); do wget -q -O /tmp/api.json http://127.0.0.1:8080/api/streams 2>/dev/null && grep -q '"online":true' /tmp/api.json && break; sleep 0.5; done
grep -q '"online":true' /tmp/api.json || { cat /tmp/server.log; fail "the served stream never came online"; }
$BENCH --url ws://127.0.0.1:8080/ws --clients 3 --warmup 1 --duration 4 > /tmp/bench.txt || fail "bench"
cat /tmp/bench.txt
grep -q "3 connected" /tmp/bench.txt || fail "viewers did not connect"
grep -qE "median [1-9]" /tmp/bench.txt || fail "viewers got no frames"
mkdir -p /tmp/snap && wget -q -O /tmp/snap/frame.jpg http://127.0.0.1:8080/snapshot/default.jpg || fail "snapshot"
probe snapshot 'file:/tmp/snap' 640x480
ok "served to viewers inside the VM"

# Unplug and replug: unbind vivid from its driver, then bind it again.
dev=$(ls /sys/bus/platform/drivers/vivid/ | grep '^vivid\.' | head -1)
[ -n "$dev" ] || fail "no vivid platform device to unbind"
echo "$dev" > /sys/bus/platform/drivers/vivid/unbind
for i in $(seq 40); do wget -q -O /tmp/api.json http://127.0.0.1:8080/api/streams && grep -q '"online":false' /tmp/api.json && break; sleep 0.5; done
grep -q '"online":false' /tmp/api.json || fail "unplugged camera still online"
cat /tmp/api.json; echo
echo "$dev" > /sys/bus/platform/drivers/vivid/bind
for i in $(seq 80); do wget -q -O /tmp/api.json http://127.0.0.1:8080/api/streams && grep -q '"online":true' /tmp/api.json && break; sleep 0.5; done
grep -q '"online":true' /tmp/api.json || { cat /tmp/server.log; fail "replugged camera did not come back"; }
before=$(sed -n 's/.*"frames":\([0-9]*\).*/\1/p' /tmp/api.json)
sleep 2
wget -q -O /tmp/api.json http://127.0.0.1:8080/api/streams
after=$(sed -n 's/.*"frames":\([0-9]*\).*/\1/p' /tmp/api.json)
[ "$after" -gt "$before" ] || fail "no frames after replug ($before -> $after)"
grep -E "source (offline|online)" /tmp/server.log | head -5
ok "unplug and replug: offline, then online with frames again"
kill $server
echo "VM-TEST PASSED"
