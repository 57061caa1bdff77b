#!/usr/bin/env bash
# Installs the Debian tools the tests drive (real initiators and the reference
# target) when any is missing. Needs root, as on CI and the dev machines.
set -euo pipefail
missing=()
command -v iscsi-ls >/dev/null 2>&1 || missing+=(libiscsi-bin)
command -v iscsi-test-cu >/dev/null 2>&1 || missing+=(libiscsi-bin)
command -v qemu-io >/dev/null 2>&1 || missing+=(qemu-utils)
ls /usr/lib/*/qemu/block-iscsi.so >/dev/null 2>&1 || missing+=(qemu-block-extra)
command -v tgtd >/dev/null 2>&1 || missing+=(tgt)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test tools: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y "${missing[@]}"
fi
