#!/bin/sh
# test-build-guest.sh: petri-build-guest builds a complete, readable image,
# reuses it when nothing changed, and fails clearly on bad input.
#
# Copyright 2026 The Petri authors
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

builder=${PETRI_BUILD_GUEST:?}
export PETRI_AGENT="${PETRI_AGENT_STATIC:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/petri-build-guest-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; exit 1; }

echo "1..9"
out=$tmp/out
sh "$builder" "$out" 2> "$tmp/log" || { cat "$tmp/log" >&2; fail "the builder failed"; }
for f in vmlinux initramfs.img guest.json; do
  [ -s "$out/$f" ] || fail "$f is missing"
  [ "$(stat -c %a "$out/$f")" = 644 ] || fail "$f is not world-readable"
done
[ "$(stat -c %a "$out")" = 755 ] || fail "the output folder is not traversable"
ok "vmlinux, initramfs.img and guest.json, readable by libvirt-qemu"

[ "$(head -c 4 "$out/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] || fail "vmlinux is not ELF"
ok "vmlinux is the decompressed ELF kernel"

kver=$(sed -n 's/^ *"kernel": "\(.*\)",$/\1/p' "$out/guest.json")
agent_version=$("$PETRI_AGENT" --version)
grep -q "\"agent\": \"$agent_version\"" "$out/guest.json" || fail "guest.json lacks the agent version"
grep -q '"built": "20' "$out/guest.json" || fail "guest.json lacks the build time"
[ -n "$kver" ] || fail "guest.json lacks the kernel version"
ok "guest.json names kernel $kver and $agent_version"

mkdir "$tmp/root"
(cd "$tmp/root" && gzip -dc "$out/initramfs.img" | cpio -id --quiet) || fail "the initramfs is not a gzip'd cpio"
for f in init bin/busybox bin/sh usr/libexec/petri/petri-agent lib/x86_64-linux-gnu/libc.so.6 \
  lib64/ld-linux-x86-64.so.2 lib/x86_64-linux-gnu/libstdc++.so.6 etc/passwd; do
  [ -e "$tmp/root/$f" ] || fail "the initramfs lacks $f"
done
[ -x "$tmp/root/init" ] || fail "/init is not executable"
cmp -s "$tmp/root/usr/libexec/petri/petri-agent" "$PETRI_AGENT" || fail "the agent in the image is not the one built"
ok "the initramfs holds /init, busybox, the C run-time and the agent"

order=$(tr '\n' ' ' < "$tmp/root/etc/petri/modules")
expected="virtio_ring.ko virtio.ko virtio_pci_modern_dev.ko virtio_pci_legacy_dev.ko virtio_pci.ko virtio_console.ko "
[ "$order" = "$expected" ] || fail "module order is '$order'"
for m in $order; do
  [ -f "$tmp/root/lib/modules/$kver/$m" ] || fail "the initramfs lacks $m"
done
ok "the virtio modules, dependencies first"

before=$(stat -c %Y "$out/initramfs.img")
sh "$builder" "$out" 2> "$tmp/log2" || fail "the second run failed"
grep -q "up to date" "$tmp/log2" || fail "the second run rebuilt: $(cat "$tmp/log2")"
[ "$(stat -c %Y "$out/initramfs.img")" = "$before" ] || fail "the second run rewrote the image"
ok "a second run with the same inputs does nothing"

if PETRI_BUSYBOX=/nonexistent/busybox sh "$builder" "$tmp/x" 2> "$tmp/err"; then
  fail "a missing busybox was accepted"
fi
grep -q "busybox-static" "$tmp/err" || fail "unclear error: $(cat "$tmp/err")"
ok "a missing busybox is named, with the package to install"

if PETRI_GUEST_KERNEL_PKG=linux-image-0.0.0-petri-none-amd64 sh "$builder" "$tmp/y" 2> "$tmp/err"; then
  fail "an unknown kernel package was accepted"
fi
grep -q "apt does not know linux-image-0.0.0-petri-none-amd64" "$tmp/err" || fail "unclear error: $(cat "$tmp/err")"
ok "an unknown kernel package is named"

# The set-up fetches the kernel package ahead, for an air-gapped `sandbox init`.
PETRI_BUSYBOX=/nonexistent/busybox PETRI_AGENT=/nonexistent/agent \
  sh "$builder" --fetch-only 2> "$tmp/err" || fail "--fetch-only failed: $(cat "$tmp/err")"
deb=$(sed -n 's/.*the kernel package is in \(.*\.deb\)$/\1/p' "$tmp/err")
[ -f "$deb" ] || fail "--fetch-only named no cached .deb: $(cat "$tmp/err")"
if sh "$builder" --fetch-only "$tmp/z" 2> "$tmp/err"; then
  fail "--fetch-only took an output folder"
fi
ok "--fetch-only puts the kernel package in the cache without the agent or busybox"
