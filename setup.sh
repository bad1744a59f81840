#!/bin/bash
# Set up a fresh Debian 12 machine for zdref and run it on the bundled sample:
# installs the Debian packages zdref needs, builds zdref (and zdref.so for
# crash), and audits the sample.  No debug package is needed: the sample, like
# any dump of a 6.0+ kernel with BTF, carries its own types (BTF) and symbols
# (kallsyms), which zdref reads when no vmlinux is at hand.
#
# usage: ./setup.sh, as root
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (it installs packages)" >&2; exit 2; }
pkgs=$(sed 's/#.*//' packages.txt | xargs)
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
make
sample=samples/vmcores/6.1-leak-missing
echo
echo "+ ./zdref $sample.kdump"
status=0
./zdref "$sample.kdump" || status=$?
echo "(exit status $status: 0 consistent, 1 findings, 2 could not analyse)"
[ "$status" -le 1 ]
