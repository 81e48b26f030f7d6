#!/bin/sh
# crash-guest.sh: a "sample" for the end-to-end test that crashes the kernel
# of Petri's analysis guest mid-run, to check that the host records what
# came before and gets its VM back. It refuses to act anywhere but in
# Petri's own initramfs guest (root file system "rootfs" and Petri's agent
# installed), so running it elsewhere does nothing.
#
# Copyright 2026 The Petri authors
# SPDX-License-Identifier: GPL-2.0-or-later
if grep -q '^rootfs / rootfs' /proc/mounts 2>/dev/null \
  && [ -f /etc/petri/modules ] && [ -x /usr/libexec/petri/petri-agent ]; then
  echo "petri e2e: crashing the guest kernel"
  touch /tmp/petri-e2e-before-crash
  sleep 1
  echo c >/proc/sysrq-trigger
fi
echo "petri e2e: not in Petri's guest, nothing done"
