#!/usr/bin/env bash
# Runs a program inside a throw-away VM whose kernel has vivid, the kernel's virtual video
# test driver, loaded: a real V4L2 capture device with no camera attached.
#
#   tests/v4l2/run-in-vm.sh PROGRAM [ARGS...]      (PROGRAM and its shared libraries are copied in)
#   EXTRA_FILES="a b" tests/v4l2/run-in-vm.sh ...  (more files, placed at the same paths)
#
# Debian's kernel package is downloaded (not installed) and unpacked into a cache folder; an
# initramfs holds busybox, the V4L2 modules in dependency order, the program and its libraries.
# QEMU boots it with TCG (Debian's kernel hangs under KVM here). The program's output and its
# exit status are printed; the script exits with that status.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PROGRAM [ARGS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
cache=${WSCAM_VM_CACHE:-$here/../../build/vm}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The kernel that linux-image-amd64 points at, unpacked once.
if [ ! -f "$cache/kernel/vmlinuz" ]; then
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$pkg" ] || { echo "run-in-vm: cannot find the kernel package (apt-get update?)" >&2; exit 1; }
  (cd "$cache" && apt-get download "$pkg" 2>/dev/null && rm -rf kernel-root && dpkg-deb -x "$pkg"_*.deb kernel-root && rm -f "$pkg"_*.deb)
  mkdir -p "$cache/kernel"
  cp "$cache"/kernel-root/boot/vmlinuz-* "$cache/kernel/vmlinuz"
  moddir=$(ls -d "$cache"/kernel-root/lib/modules/*)
  # The package ships no modules.dep; the modules' own depends= fields give this order.
  for m in mc videodev videobuf2-common videobuf2-v4l2 rc-core cec v4l2-dv-timings v4l2-tpg videobuf2-memops \
           videobuf2-dma-contig videobuf2-vmalloc vivid; do
    f=$(find "$moddir" -name "$m.ko*" | head -1)
    [ -n "$f" ] || { echo "run-in-vm: module $m not in the kernel package" >&2; exit 1; }
    case "$f" in *.xz) xz -dc "$f" > "$cache/kernel/$m.ko";; *) cp "$f" "$cache/kernel/$m.ko";; esac
    echo "$m" >> "$cache/kernel/order"
  done
  rm -rf "$cache/kernel-root"
fi

# The initramfs: busybox, modules, the program and everything it links.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,modules,etc}
cp /bin/busybox "$root/bin/busybox"
for app in sh mount insmod rmmod sleep cat echo poweroff grep wget ls mkdir seq kill sed head wc; do ln -s busybox "$root/bin/$app"; done
cp "$cache"/kernel/*.ko "$cache/kernel/order" "$root/modules/"
copy_with_libs() {
  local f=$1
  mkdir -p "$root$(dirname "$f")"
  cp -L "$f" "$root$f"
  # A script has no libraries (ldd and grep then fail): nothing to copy.
  { ldd "$f" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
prog=$(readlink -f "$1"); shift
copy_with_libs "$prog"
for f in ${EXTRA_FILES:-}; do copy_with_libs "$(readlink -f "$f")"; done
echo "127.0.0.1 localhost" > "$root/etc/hosts"
{
  echo '#!/bin/sh'
  # No tmpfs on /tmp: the initramfs is already writable RAM, and a mount there would hide
  # programs that were copied in from under /tmp (a checkout in /tmp, say).
  echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
  echo 'ip link set lo up 2>/dev/null || busybox ip link set lo up'
  echo 'for m in $(cat /modules/order); do insmod /modules/$m.ko || echo "insmod $m failed"; done'
  echo 'export PATH=/bin:/sbin'
  printf '%q ' "$prog" "$@"; echo
  echo 'echo "VM-EXIT-STATUS $?"'
  echo 'poweroff -f'
} > "$root/init"
chmod +x "$root/init"
ln -s busybox "$root/bin/ip"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 > "$cache/initrd.gz")

out=$(mktemp)
timeout "${VM_TIMEOUT:-300}" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "$cache/kernel/vmlinuz" -initrd "$cache/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 loglevel=3" | tee "$out" | grep -v '^\s*$' || true
status=$(grep -oE 'VM-EXIT-STATUS [0-9]+' "$out" | awk '{print $2}' | tail -1)
rm -f "$out"
[ -n "$status" ] || { echo "run-in-vm: the VM did not report an exit status" >&2; exit 1; }
exit "$status"
