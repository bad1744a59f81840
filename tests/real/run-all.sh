#!/bin/bash
# Fetch both Debian cloud kernels (6.1 and 6.12) and make every scenario's
# dump for each.  usage: run-all.sh [SCENARIO...]
# Environment: ZDREF_CACHE, ZDREF_KREL_61, ZDREF_KREL_612, ZDREF_FORCE=1,
# ZDREF_QEMU_TIMEOUT (see run-scenarios.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
t0=$SECONDS
KRELS=("$(pick_krel 61)" "$(pick_krel 612)")
for k in "${KRELS[@]}"; do
	"$REAL_DIR/fetch-kernel.sh" "$k" >/dev/null
done
log "kernels ready after $((SECONDS - t0)) s: ${KRELS[*]}"
for k in "${KRELS[@]}"; do
	"$REAL_DIR/run-scenarios.sh" "$k" "$@"
done
log "run-all finished in $((SECONDS - t0)) s; dumps under $ZDREF_CACHE/dumps/"
