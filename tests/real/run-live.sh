#!/bin/bash
# The live tier: `zdref -k` inside real guests of a Debian kernel, checked
# against what the guest itself records.
#
# usage: run-live.sh KREL|61|612 [CASE...]
#   CASE: healthy faults kptr notroot hung busy l5 mapdev lockdown (default: all)
# Environment: ZDREF_BIN (the zdref binary to test; default the repository's
# ./zdref, which must be built), ZDREF_CACHE, ZDREF_QEMU_TIMEOUT (default
# 300 s per guest), ZDREF_QEMU_ACCEL (default tcg).
#
# The guest image is the scenarios' initramfs (run-scenarios.sh builds it)
# plus one more cpio archive: the zdref binary, every shared library ldd names
# for it, and guest/live-init, started with rdinit=/live-init.  There is no
# vmlinux in the guest: zdref -k must take its types from
# /sys/kernel/btf/vmlinux and its symbols from /proc/kallsyms.  The image is
# kept in $ZDREF_CACHE/live/$KREL/ under a hash of the base image, the zdref
# binary, its libraries and the live scripts; the guests always run.
#
# Boots (one QEMU guest at a time, each audit a check):
#   basic     healthy: nothing injected; faults: then leak:A:3,drop:B:2,
#             pageinc:A+0x100:1 (zdref_inject); kptr: the same with
#             kptr_restrict=2 (kallsyms from kcore memory); notroot: zdref -k
#             as nobody exits 2 with one stderr line; hung: then namespace0.0
#             unbound, its teardown blocked on A's leaked references (A dead,
#             +3, the unbinding task a waiter)
#   busy      the busy scenario's DAX workload (ext4 -o dax on pmem0,
#             vmsplice'd pages, an O_DIRECT read in flight from a throttled
#             disk) holding 8 pages during zdref -k -a -j and zdref -k -j
#   l5        without no5lvl (5-level paging if the CPU has LA57; else the
#             case is reported as skipped): healthy, then leak:A:1
#   mapdev    -m 1G memmap=256M!512M, the namespace made a pfn device with
#             mode=pmem: its struct pages on the device, unreadable through
#             /proc/kcore; the FS_DAX verdict from the ref still ok
#   lockdown  lockdown=confidentiality: zdref -k exits 2, one stderr line
# Truth: make-truth.py on the guest's ZDREF-TRUTH lines before each audit
# (live-check.py), compared by tests/check_truth.py.  Per-run files (console,
# zdref's JSON and stderr, truth) stay in $ZDREF_CACHE/live/$KREL/BOOT/.
# Ends with "N passed, N failed"; exit status non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$REAL_DIR/../testlib.sh"
REPO="$(cd "$REAL_DIR/../.." && pwd)"

ALL_CASES=(healthy faults kptr notroot hung busy l5 mapdev lockdown)
[ $# -ge 1 ] || die "usage: $0 KREL|61|612 [CASE...]   (cases: ${ALL_CASES[*]})"
KREL="$(resolve_krel "$1")" || exit 1
shift
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=("${ALL_CASES[@]}")
TIMEOUT="${ZDREF_QEMU_TIMEOUT:-300}"
ZDREF_BIN="${ZDREF_BIN:-$REPO/zdref}"
[ -x "$ZDREF_BIN" ] || die "no zdref binary at $ZDREF_BIN (run make, or set ZDREF_BIN)"
ZDREF_BIN="$(cd "$(dirname "$ZDREF_BIN")" && pwd)/$(basename "$ZDREF_BIN")"
for t in qemu-system-x86_64 python3 cpio gzip ldd sha256sum flock; do
	command -v "$t" >/dev/null || die "$t not found (install the packages in tests/real/packages.txt)"
done

# case -> boot
BOOTS=()
for c in "${CASES[@]}"; do
	case "$c" in
	healthy|faults|kptr|notroot|hung) b=basic ;;
	busy|l5|mapdev|lockdown) b=$c ;;
	*) die "unknown case '$c' (known: ${ALL_CASES[*]})" ;;
	esac
	case " ${BOOTS[*]} " in *" $b "*) ;; *) BOOTS+=("$b") ;; esac
done

T0=$SECONDS
# The scenarios' image (and, as a side effect, the healthy dump: cached when
# nothing changed).
ZDREF_FORCE=0 "$REAL_DIR/run-scenarios.sh" "$KREL" healthy || die "run-scenarios.sh $KREL healthy failed"
KD="$("$REAL_DIR/fetch-kernel.sh" "$KREL")"
BD="$ZDREF_CACHE/build/$KREL"
LD="$ZDREF_CACHE/live/$KREL"
mkdir -p "$LD"
# one guest at a time, and no image rebuild under our feet
exec 9>"$BD/lock"
flock -w 3600 9 || die "another run holds $BD/lock"
[ -s "$BD/initrd.gz" ] || die "no $BD/initrd.gz"

# ---------------------------------------------------------------- live image
# shared libraries as ldd lists them (none for a static zdref)
LIBS=()
if ldd "$ZDREF_BIN" >/dev/null 2>&1; then
	mapfile -t LIBS < <(ldd "$ZDREF_BIN" | grep -o '/[^ ]*' | sort -u)
	[ ${#LIBS[@]} -gt 0 ] || die "ldd lists no libraries for $ZDREF_BIN"
fi
live_hash() {
	{
		sha256sum "$BD/initrd.gz" "$ZDREF_BIN"
		for l in "${LIBS[@]}"; do sha256sum "$(readlink -f "$l")"; done
		(cd "$REAL_DIR" && sha256sum run-live.sh guest/live-init)
	} | sha256sum | cut -d' ' -f1
}
HASH="$(live_hash)"
if [ ! -s "$LD/initrd-live.gz" ] || [ "$(cat "$LD/hash" 2>/dev/null)" != "$HASH" ]; then
	log "building the live initramfs for $KREL ($ZDREF_BIN, ${#LIBS[@]} libraries)"
	R="$LD/root"
	rm -rf "$R"
	mkdir -p "$R/usr/bin"
	cp "$ZDREF_BIN" "$R/usr/bin/zdref"
	for l in "${LIBS[@]}"; do
		mkdir -p "$R$(dirname "$l")"
		cp -L "$l" "$R$l"
	done
	install -m 0755 "$REAL_DIR/guest/live-init" "$R/live-init"
	# no vmlinux anywhere in the guest
	if (cd "$R" && find . -name 'vmlinux*' | grep -q .) ||
	   zcat "$BD/initrd.gz" | cpio -t --quiet 2>/dev/null | grep -q 'vmlinux'; then
		die "a vmlinux would be in the live guest"
	fi
	{ cat "$BD/initrd.gz"; (cd "$R" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -n -6; } \
		> "$LD/initrd-live.gz.tmp"
	mv "$LD/initrd-live.gz.tmp" "$LD/initrd-live.gz"
	rm -rf "$R"
	echo "$HASH" > "$LD/hash"
fi

# --------------------------------------------------------------------- boots
AB="memmap=32M!160M memmap=32M!208M"
BASE_ARGS="console=ttyS0 loglevel=7 printk.devkmsg=on init_on_free=1 rdinit=/live-init"
SLOW_BPS=2048	# as run-scenarios.sh: the O_DIRECT read stays in flight ~256 s

# boot -> "MEM|kernel args|disk"
boot_conf() {
	case "$1" in
	basic)    echo "256M|no5lvl $AB|" ;;
	busy)     echo "256M|no5lvl $AB|slow" ;;
	l5)       echo "256M|$AB|" ;;
	mapdev)   echo "1G|no5lvl memmap=256M!512M|" ;;
	lockdown) echo "256M|no5lvl $AB lockdown=confidentiality|" ;;
	esac
}
# boot -> its audits (guest/live-init's names) and the case each belongs to
boot_audits() {
	case "$1" in
	basic)    echo "healthy:healthy faults:faults kptr:kptr notroot:notroot hung:hung" ;;
	busy)     echo "busy-all:busy busy:busy" ;;
	l5)       echo "l5-healthy:l5 l5-leak:l5" ;;
	mapdev)   echo "mapdev:mapdev" ;;
	lockdown) echo "lockdown:lockdown" ;;
	esac
}
wanted() { case " ${CASES[*]} " in *" $1 "*) return 0 ;; esac; return 1; }

run_guest() {	# BOOT DIR: boot it, once more if it dies (TCG, as run-scenarios.sh)
	local b="$1" D="$2" mem extra disk
	IFS='|' read -r mem extra disk <<<"$(boot_conf "$b")"
	local cmd=(python3 "$REAL_DIR/live-guest.py" --kernel "$KD/vmlinuz" --initrd "$LD/initrd-live.gz"
		--append "$BASE_ARGS zdref.live=$b $extra" --mem "$mem" --console "$D/console.log"
		--timeout "$TIMEOUT")
	if [ "$disk" = slow ]; then
		rm -f "$D/slow.img"; truncate -s 1M "$D/slow.img"
		cmd+=(--slow-disk "$D/slow.img" --slow-disk-bps "$SLOW_BPS")
	fi
	"${cmd[@]}" && return 0
	# the guest's own failure is not a TCG accident: no retry
	grep -q 'ZDREF-ERROR' "$D/console.log" 2>/dev/null && return 1
	log "$b: guest failed; retrying once ($(grep -m1 -E 'ZDREF-ERROR|Oops|BUG|panic' "$D/console.log" || echo 'no oops in the console'))"
	mv "$D/console.log" "$D/console.log.1" 2>/dev/null
	if [ "$disk" = slow ]; then rm -f "$D/slow.img"; truncate -s 1M "$D/slow.img"; fi
	"${cmd[@]}"
}

TIMES=()
for b in "${BOOTS[@]}"; do
	D="$LD/$b"
	rm -rf "$D"; mkdir -p "$D"
	log "$KREL/live/$b: booting ($(boot_conf "$b"))"
	t0=$SECONDS
	run_guest "$b" "$D"
	st=$?
	rm -f "$D/slow.img"
	TIMES+=("$b boot+run $((SECONDS - t0)) s")
	if [ "$b" = l5 ] && grep -q 'ZDREF-TRUTH cpu la57=no' "$D/console.log" 2>/dev/null; then
		printf 'skip l5: the guest CPU (-cpu max, %s) has no la57: 5-level paging cannot run here (%s)\n' \
			"${ZDREF_QEMU_ACCEL:-tcg}" "$(grep -m1 -o 'address_sizes=[^ ]*' "$D/console.log")"
		continue
	fi
	if [ $st -ne 0 ]; then
		why="$(grep -m3 -E 'ZDREF-ERROR|Oops|BUG|Kernel panic' "$D/console.log" 2>/dev/null)"
		for a in $(boot_audits "$b"); do
			wanted "${a#*:}" || continue
			not_ok "$KREL live ${a%%:*}" "guest run failed twice (see $D/console.log)${why:+
$why}"
		done
		continue
	fi
	for a in $(boot_audits "$b"); do
		name="${a%%:*}"
		wanted "${a#*:}" || continue
		res="$(python3 "$REAL_DIR/live-check.py" "$D/console.log" "$name" "$D")"
		st=$?
		first="$(head -n1 <<<"$res")"
		args="$(grep -m1 -o "ZDREF-LIVE-AUDIT name=$name args=.*" "$D/console.log" | tr -d '\r' | sed 's/.*args=//')"
		TIMES+=("$name: zdref $args: $first")
		if [ $st -eq 0 ]; then
			ok "$KREL live $name"
		else
			not_ok "$KREL live $name" "$(tail -n +2 <<<"$res")
(files: $D/$name.{json,err,truth.json}, $D/console.log)"
		fi
	done
done

log "$KREL live: $((SECONDS - T0)) s in all; timings (TCG, in the guest):"
for t in "${TIMES[@]}"; do printf '  %s\n' "$t" >&2; done
summary "live $KREL"
