# shellcheck shell=bash
# Tiny test bookkeeping shared by the shell test drivers (sourced).
# Each driver ends with `summary`, which prints "N passed, N failed".
PASSED=0
FAILED=0
FAILED_NAMES=()

ok() { PASSED=$((PASSED + 1)); printf 'ok   %s\n' "$1"; }
not_ok() {
	FAILED=$((FAILED + 1)); FAILED_NAMES+=("$1")
	printf 'FAIL %s\n' "$1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/     /'
}
summary() {
	[ "$FAILED" -eq 0 ] || printf 'failed: %s\n' "${FAILED_NAMES[*]}"
	printf '%s: %d passed, %d failed\n' "${1:-tests}" "$PASSED" "$FAILED"
	[ "$FAILED" -eq 0 ]
}
