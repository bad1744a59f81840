# shellcheck shell=bash
# Common helpers for the real-kernel harness (sourced, not executed).
# shellcheck disable=SC2034  # variables used by the sourcing scripts

ZDREF_CACHE="${ZDREF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zdref}"
REAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APT_LOCK_OPTS=(-o DPkg::Lock::Timeout=900)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Newest release of a family that has an image, a -dbg package and headers in apt.
#   family "61"  -> 6.1.0-N-cloud-amd64       (override: ZDREF_KREL_61)
#   family "612" -> 6.12.N+deb12-cloud-amd64  (override: ZDREF_KREL_612)
pick_krel() {
	local fam="$1" re cand
	case "$fam" in
	61)  [ -n "${ZDREF_KREL_61:-}" ] && { echo "$ZDREF_KREL_61"; return; }
	     re='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-dbg$' ;;
	612) [ -n "${ZDREF_KREL_612:-}" ] && { echo "$ZDREF_KREL_612"; return; }
	     re='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-dbg$' ;;
	*) die "unknown kernel family '$fam' (want 61 or 612)" ;;
	esac
	for cand in $(apt-cache pkgnames linux-image-6.1 | grep -E "$re" |
		sed -e 's/^linux-image-//' -e 's/-dbg$//' | sort -Vr); do
		if apt-cache show "linux-image-$cand" >/dev/null 2>&1 &&
		   apt-cache show "linux-headers-$cand" >/dev/null 2>&1; then
			echo "$cand"; return
		fi
	done
	die "no kernel of family $fam found by apt-cache (run apt-get update?)"
}

# Accept "61"/"612"/"6.1"/"6.12" or a full release.
resolve_krel() {
	case "${1:-61}" in
	61|6.1) pick_krel 61 ;;
	612|6.12) pick_krel 612 ;;
	*) echo "$1" ;;
	esac
}

kdir() { echo "$ZDREF_CACHE/kernels/$1"; }
