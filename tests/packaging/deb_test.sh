#!/usr/bin/env bash
# The Debian package and the systemd unit (issue 11, part 4), with the real tools: CPack builds
# the package, dpkg-deb reads and unpacks it, the packaged binary runs with the packaged
# config, systemd-analyze verifies the unit, libsystemd's notifications reach a socket the
# way they reach systemd, lintian reviews the package.
# Usage: tests/packaging/deb_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: deb_test.sh BUILD_DIR}" && pwd)
work=$(mktemp -d /tmp/wscam-deb.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# 1. The package, built the way `make deb` builds it (into a scratch directory).
cpack -G DEB -B "$work/out" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/wscam_*_amd64.deb)
ok "built $(basename "$deb")"

# 2. What it says about itself: dependencies from dpkg-shlibdeps, the config as a conffile, maintainer scripts.
info=$(dpkg-deb -I "$deb")
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libturbojpeg0 libssl3 libsystemd0 libspdlog libtomlplusplus3 'libstdc++6' init-system-helpers procps; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
ok "Depends: $depends"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = "/etc/wscam/wscam.toml" ] || fail "conffiles is not /etc/wscam/wscam.toml"
grep -q "postinst" <<<"$info" || fail "no postinst"
ok "conffiles: /etc/wscam/wscam.toml; postinst, prerm, postrm present"
files=$(dpkg-deb -c "$deb")
for f in ./usr/bin/wscam ./usr/lib/systemd/system/wscam.service ./usr/lib/sysusers.d/wscam.conf ./etc/wscam/wscam.toml \
         ./usr/share/doc/wscam/README.md ./usr/share/doc/wscam/copyright ./usr/share/doc/wscam/changelog.Debian.gz \
         ./usr/share/man/man1/wscam.1.gz; do
  grep -q " $f\$" <<<"$files" || fail "missing $f"
done
ok "files: binary, unit, sysusers, config, docs, manual page"

# 3. Unpacked, the packaged binary checks and serves the packaged config.
root="$work/root"
dpkg-deb -x "$deb" "$root"
bin="$root/usr/bin/wscam"
conf="$root/etc/wscam/wscam.toml"
"$bin" --config "$conf" --check-config >"$work/check.txt" || fail "--check-config: $(cat "$work/check.txt")"
grep -Eq '^  test +testsrc:' "$work/check.txt" || fail "--check-config lists no test stream: $(cat "$work/check.txt")"
ok "--check-config: $(head -1 "$work/check.txt")"

# The notifications a Type=notify unit relies on, received on a datagram socket as systemd would.
sock="$work/notify.sock"
/usr/bin/python3 - "$sock" >"$work/notify.log" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
while True:
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        break
    print(msg.replace("\n", " | "), flush=True)
    if "STOPPING=1" in msg:
        break
EOF
listener=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "notify socket not created"

NOTIFY_SOCKET="$sock" "$bin" --config "$conf" --listen 127.0.0.1 --port 0 >"$work/out.txt" 2>"$work/err.txt" &
pid=$!
for _ in $(seq 100); do grep -q '^open http' "$work/out.txt" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out.txt") || fail "no URL: $(cat "$work/err.txt")"
curl -s --max-time 2 -o "$work/stream.mjpg" "$url/stream/test.mjpg" || true
parts=$(grep -ac -- '--wscamframe' "$work/stream.mjpg" || true)
[ "$parts" -ge 5 ] || fail "MJPEG: $parts parts in 2 s"
# The stream has frames now (it captures on demand): the still image.
curl -sf -o "$work/snap.jpg" "$url/snapshot/test.jpg" || fail "snapshot"
[ "$(head -c 2 "$work/snap.jpg" | od -An -tx1 | tr -d ' ')" = ffd8 ] || fail "snapshot is not a JPEG"
ok "packaged binary with the packaged config: snapshot and $parts MJPEG parts from $url"

kill -HUP "$pid"
for _ in $(seq 50); do grep -q 'config reloaded' "$work/err.txt" && break; sleep 0.1; done
grep -q 'config reloaded from .*wscam.toml: added=- removed=- restarted=- unchanged=test' "$work/err.txt" || fail "reload: $(tail -3 "$work/err.txt")"
# READY=1 follows the reload's last step (the recorders), a moment after its log line.
for _ in $(seq 50); do [ "$(grep -c '^READY=1' "$work/notify.log" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid" || fail "exit code $?"
pid=
wait "$listener" || true
notes=$(cat "$work/notify.log")
grep -q '^READY=1 | STATUS=serving http://127.0.0.1:[0-9]*/, 1 stream(s)' <<<"$notes" || fail "no READY=1: $notes"
grep -q '^RELOADING=1 | MONOTONIC_USEC=[0-9]*' <<<"$notes" || fail "no RELOADING=1: $notes"
[ "$(grep -c '^READY=1' <<<"$notes")" -eq 2 ] || fail "READY=1 after the reload missing: $notes"
grep -q '^STOPPING=1' <<<"$notes" || fail "no STOPPING=1: $notes"
ok "sd_notify: $(tr '\n' ';' <<<"$notes")"

# 4. The unit: systemd-analyze verify, with the binary path pointed at the unpacked package.
unit="$root/usr/lib/systemd/system/wscam.service"
for key in 'Type=notify' 'User=wscam' 'SupplementaryGroups=video' 'ProtectSystem=strict' 'ProtectHome=yes' \
           'PrivateTmp=yes' 'NoNewPrivileges=yes' 'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
           'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' 'ExecStart=/usr/bin/wscam --config /etc/wscam/wscam.toml'; do
  grep -qxF "$key" "$unit" || fail "unit lacks $key"
done
mkdir -p "$work/units"
sed "s#/usr/bin/wscam#$bin#g" "$unit" >"$work/units/wscam.service"
systemd-analyze verify "$work/units/wscam.service" || fail "systemd-analyze verify"
exposure=$(systemd-analyze security --offline=yes "$work/units/wscam.service" 2>/dev/null | grep -o 'Overall exposure level for wscam.service: .*')
ok "systemd-analyze verify passes; $exposure"

# 5. Installed for real (dpkg -i, then purged): the maintainer scripts make the user and guard
#    the config; the service user can read it; systemd-analyze verifies the unit where it lies.
dpkg -s wscam >/dev/null 2>&1 && fail "a wscam package is installed on this machine already; remove it first"
for script in postinst prerm postrm; do
  dpkg-deb --ctrl-tarfile "$deb" | tar -xO "./$script" | sh -n || fail "$script: syntax"
done
purge() { dpkg --purge wscam >/dev/null 2>&1 || true; }
trap 'purge; cleanup' EXIT
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
getent passwd wscam >/dev/null || fail "no wscam user"
id -nG wscam | grep -qw video || fail "wscam is not in the video group: $(id -nG wscam)"
[ "$(stat -c '%U:%G %a' /etc/wscam/wscam.toml)" = "root:wscam 640" ] || fail "config: $(stat -c '%U:%G %a' /etc/wscam/wscam.toml)"
setpriv --reuid=wscam --regid=wscam --init-groups /usr/bin/wscam --config /etc/wscam/wscam.toml --check-config >/dev/null ||
  fail "the service user cannot check the config"
systemd-analyze verify /usr/lib/systemd/system/wscam.service || fail "systemd-analyze verify of the installed unit"
purge
[ ! -e /usr/bin/wscam ] && [ ! -e /etc/wscam/wscam.toml ] || fail "purge left files behind"
ok "dpkg -i: user wscam (in video), config root:wscam 0640 readable by it, installed unit verifies; dpkg --purge removes it"

# 6. lintian: no error but the placeholder maintainer address (set -DWSCAM_MAINTAINER to publish).
if command -v lintian >/dev/null; then
  lintian --allow-root "$deb" >"$work/lintian.txt" 2>&1 || true
  sed 's/^/  lintian: /' "$work/lintian.txt"
  if grep '^E:' "$work/lintian.txt" | grep -qv 'bogus-mail-host'; then fail "lintian errors"; fi
  ok "lintian: no error other than the placeholder address"
else
  fail "lintian is not installed (scripts/install-deps.sh test installs it)"
fi
echo "deb_test: all passed"
