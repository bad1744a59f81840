#!/bin/bash
# Print the kernel release the harness uses for a family:
#   pick-krel.sh 61   -> newest 6.1.0-N-cloud-amd64       (or $ZDREF_KREL_61)
#   pick-krel.sh 612  -> newest 6.12.N+deb12-cloud-amd64  (or $ZDREF_KREL_612)
# "Newest" = highest version that apt-cache lists with image, -dbg and headers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: $0 61|612"
pick_krel "$1"
