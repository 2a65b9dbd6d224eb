#!/usr/bin/env bash
# Installs the Debian packages wscam needs to build and test. Idempotent: installs only what is missing.
# Usage: scripts/install-deps.sh [build|test|load]   (test adds the peers and browser used by the test
# suite; load adds stress-ng for `make test-under-load`)
set -euo pipefail
what=${1:-build}

# Building and running wscam (`make run`). libjpeg62-turbo-dev: Debian's libturbojpeg0-dev ships
# a CMake config whose libjpeg-turbo::jpeg target names libjpeg62-turbo-dev's library without
# depending on it, so find_package(libjpeg-turbo) fails without it. RTSP: GStreamer's RTSP server, with
# appsrc (plugins-base) and the RTP payloader, rtpbin and UDP elements (plugins-good).
build_pkgs=(cmake ninja-build g++ make pkg-config ccache
  libboost1.81-dev libturbojpeg0-dev libjpeg62-turbo-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libtomlplusplus-dev libssl-dev libsystemd-dev libnats-dev libx264-dev help2man dpkg-dev file
  libavformat-dev libavcodec-dev libavutil-dev libsqlite3-dev libmosquitto-dev
  libgstrtspserver-1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
# Only `make test`: GoogleTest, the peers (Node's ws and playwright-core, ffmpeg, VLC, Chromium,
# nats-server, the mosquitto broker and its clients, GStreamer's gst-launch and H.264 decoder for RTSP), clang for the fuzzers, QEMU and busybox for the V4L2 VM, lintian for the package.
test_pkgs=(googletest libgtest-dev nodejs npm ffmpeg chromium clang libclang-rt-14-dev
  qemu-system-x86 busybox-static cpio iperf3 python3 vlc-bin vlc-plugin-base
  python3-opencv python3-websockets python3-numpy lintian procps systemd nats-server gdb
  mosquitto mosquitto-clients gstreamer1.0-tools gstreamer1.0-libav)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
[ "$what" = load ] && pkgs+=("${test_pkgs[@]}" stress-ng)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's nodejs already provides npm on some images; don't fight it.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<< "${missing[*]:-}"
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
