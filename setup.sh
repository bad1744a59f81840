#!/bin/bash
# Set up a fresh Debian 12 machine for zdref and run it on the bundled sample:
# installs Debian packages, builds zdref, puts the sample's vmlinux (from
# Debian's linux-image-*-dbg package) into the cache, and audits the sample.
#
# usage: ./setup.sh, as root        (ZDREF_CACHE, default ~/.cache/zdref)
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (it installs packages)" >&2; exit 2; }
pkgs=$(cat packages.txt tests/real/packages.txt | sed 's/#.*//' | xargs)
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
make
sample=samples/vmcores/6.1-leak-missing
release=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["release"])' "$sample.truth.json")
kdir=$(tests/real/fetch-kernel.sh "$release")
echo
echo "+ ./zdref -s $kdir/vmlinux $sample.kdump"
status=0
./zdref -s "$kdir/vmlinux" "$sample.kdump" || status=$?
echo "(exit status $status: 0 consistent, 1 findings, 2 could not analyse)"
[ "$status" -le 1 ]
