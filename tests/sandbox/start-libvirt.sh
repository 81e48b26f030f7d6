#!/bin/sh
# start-libvirt.sh REAPER: make sure a libvirt daemon answers at qemu:///system.
#
# Nothing starts the daemons on the CI machines (PID 1 is not systemd): when
# none answers, start virtlogd (domain start fails without it) and then
# libvirtd, both under REAPER (petri-reaper, a child sub-reaper), detached
# from the caller so that the test harness does not wait for them.
#
# Copyright 2026 The Petri authors
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

uri=qemu:///system
if virsh -c "$uri" uri >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "start-libvirt.sh: no libvirt daemon answers and only root can start one" >&2
  exit 77
fi
reaper=${1:?usage: start-libvirt.sh REAPER}
for tool in virtlogd libvirtd virsh; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "start-libvirt.sh: $tool is missing (apt-get install libvirt-daemon-system libvirt-clients)" >&2
    exit 1
  }
done
log=/var/log/petri-libvirtd.log
mkdir -p /var/log /run/libvirt
# setsid + every descriptor away from the caller: the daemons outlive the test.
setsid "$reaper" sh -c 'virtlogd -d; exec libvirtd -d' </dev/null >>"$log" 2>&1 &
i=0
while ! virsh -c "$uri" uri >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 300 ]; then
    echo "start-libvirt.sh: libvirtd did not answer within 60 s (see $log)" >&2
    exit 1
  fi
  sleep 0.2
done
echo "start-libvirt.sh: libvirtd answers at $uri after $((i / 5)) s" >&2
