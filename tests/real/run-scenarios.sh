#!/bin/bash
# Make real dumps of a Debian kernel with known ZONE_DEVICE refcount faults.
#
# usage: run-scenarios.sh KREL|61|612 [SCENARIO...]      (default: all scenarios)
#
# For each scenario it writes
#   $ZDREF_CACHE/dumps/$KREL/$SCENARIO/{vmcore,truth.json,console.log,vmlinux -> cached vmlinux}
# and skips a scenario whose dump exists and whose inputs (kernel, guest image,
# harness scripts, scenario settings) are unchanged.  ZDREF_FORCE=1 redoes it.
# ZDREF_QEMU_TIMEOUT (default 300 s) bounds each QEMU run; ZDREF_QEMU_ACCEL
# (default tcg) is passed to -accel.  Exit status is non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ALL_SCENARIOS=(healthy leak_missing page_refs hung_teardown warn_panic kdump_filtered busy busy_leak truncate_hang)

[ $# -ge 1 ] || die "usage: $0 KREL|61|612 [SCENARIO...]"
KREL="$(resolve_krel "$1")"; shift
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL_SCENARIOS[@]}")
TIMEOUT="${ZDREF_QEMU_TIMEOUT:-300}"

for t in qemu-system-x86_64 busybox kexec makedumpfile mke2fs cpio gzip python3 make gcc sha256sum; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || [ -x "/sbin/$t" ] ||
		die "$t not found (install the packages in tests/real/packages.txt)"
done
export PATH="$PATH:/usr/sbin:/sbin"

KD="$("$REAL_DIR/fetch-kernel.sh" "$KREL")"
BD="$ZDREF_CACHE/build/$KREL"
mkdir -p "$BD"
exec 9>"$BD/lock"
flock -w 3600 9 || die "another run-scenarios.sh holds $BD/lock"

# ---------------------------------------------------------------- guest image
# Everything the guest image is made of; a change rebuilds it and the dumps.
inputs_hash() {
	{
		(cd "$REAL_DIR" && sha256sum lib.sh fetch-kernel.sh run-scenarios.sh guest.py make-truth.py \
			guest/init guest/*.c module/Kbuild module/Makefile module/*.c)
		sha256sum "$KD/vmlinuz" "$KD/modules.load" "$KD"/modules/*.ko
		for b in busybox kexec makedumpfile mke2fs; do sha256sum "$(command -v $b)"; done
		sha256sum "$(gcc -print-file-name=libc.a)" /etc/mke2fs.conf
		stat -c '%s %Y' "$KD/vmlinux"
	} | sha256sum | cut -d' ' -f1
}
HASH="$(inputs_hash)"

build_guest() {
	if [ -s "$BD/initrd.gz" ] && [ -s "$BD/initrd-kdump.gz" ] && [ "$(cat "$BD/hash" 2>/dev/null)" = "$HASH" ]; then
		return
	fi
	log "building zdref_inject.ko for $KREL"
	rm -rf "$BD/module" "$BD/root" "$BD/tools"
	cp -r "$REAL_DIR/module" "$BD/module"
	make -s -C "$BD/module" KREL="$KREL" >"$BD/module-build.log" 2>&1 ||
		{ cat "$BD/module-build.log" >&2; die "module build failed (is linux-headers-$KREL installed?)"; }
	[ -s "$BD/module/zdref_inject.ko" ] || die "no zdref_inject.ko built"
	# the guest's DAX workload: static, the guest has no libc
	gcc -static -O2 -Wall -o "$BD/dax-workload" "$REAL_DIR/guest/dax-workload.c" >"$BD/workload-build.log" 2>&1 ||
		{ cat "$BD/workload-build.log" >&2; die "dax-workload build failed (libc6-dev provides libc.a)"; }

	log "building initramfs for $KREL"
	local R="$BD/root" bin lib
	mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,etc,lib/modules}
	cp "$(command -v busybox)" "$R/bin/busybox"
	ln -s busybox "$R/bin/sh"
	mv "$BD/dax-workload" "$R/bin/dax-workload"
	# e2fsprogs' mke2fs (busybox's has no -t ext4) for the DAX scenarios'
	# ext4 on pmem0: pmem is RAM here, empty at boot
	bin="$(command -v mke2fs)"
	cp "$bin" "$R/sbin/mke2fs"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
	done
	cp /etc/mke2fs.conf "$R/etc/mke2fs.conf"
	cp "$KD"/modules/*.ko "$KD/modules.load" "$R/lib/modules/"
	cp "$BD/module/zdref_inject.ko" "$R/lib/modules/"
	install -m 0755 "$REAL_DIR/guest/init" "$R/init"
	mknod -m 0600 "$R/dev/console" c 5 1
	mknod -m 0666 "$R/dev/null" c 1 3
	(cd "$R" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -n -6 > "$BD/initrd.gz"
	# kdump variant only (kept out of the other dumps to keep them small):
	# kexec + makedumpfile with their shared libraries, and under /capture
	# the kernel and image for the capture kernel; each part is one more
	# cpio archive appended to the first.
	local T="$BD/tools"
	rm -rf "$T"; mkdir -p "$T/usr/sbin" "$T/capture"
	for bin in "$(command -v kexec)" "$(command -v makedumpfile)"; do
		cp "$bin" "$T/usr/sbin/${bin##*/}"
		for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
			mkdir -p "$T$(dirname "$lib")"
			cp -L "$lib" "$T$lib"
		done
	done
	(cd "$T" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -n -6 > "$BD/tools.cpio.gz"
	rm -rf "$T"; mkdir -p "$T/capture"
	cp "$KD/vmlinuz" "$T/capture/vmlinuz"
	cat "$BD/initrd.gz" "$BD/tools.cpio.gz" > "$T/capture/initrd"
	{ cat "$BD/initrd.gz" "$BD/tools.cpio.gz"; (cd "$T" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -n -1; } \
		> "$BD/initrd-kdump.gz"
	rm -rf "$T" "$BD/tools.cpio.gz"
	rm -rf "$R"
	echo "$HASH" > "$BD/hash"
}
build_guest

# ------------------------------------------------------------------ scenarios
# name -> "MEM|extra kernel args|method|format[|disk]"
#   method qmp: QEMU dump-guest-memory when the guest is ready; kdump: capture
#   kernel in the guest runs makedumpfile -c -d 31.
# format kdump-zlib = makedumpfile flattened; elf = QEMU ELF; kdump = kdump-compressed
# disk slow: a 1 MiB virtio disk (/dev/vda) that QEMU throttles to
#   $SLOW_BPS bytes/s, so an O_DIRECT read from it stays in flight until the dump
scenario_conf() {
	case "$1" in
	healthy)        echo "256M||qmp|kdump-zlib" ;;
	leak_missing)   echo "256M||qmp|kdump-zlib" ;;
	page_refs)      echo "256M||qmp|elf" ;;
	hung_teardown)  echo "256M||qmp|kdump-zlib" ;;
	warn_panic)     echo "256M|panic_on_warn=1 panic=0|qmp|kdump-zlib" ;;
	kdump_filtered) echo "1G|crashkernel=256M|kdump|kdump" ;;
	busy)           echo "256M||qmp|kdump-zlib|slow" ;;
	busy_leak)      echo "256M||qmp|kdump-zlib|slow" ;;
	truncate_hang)  echo "256M||qmp|kdump-zlib" ;;
	# Not in the default list: a 4 GiB third pgmap (1 M device pages) for
	# tests/bench/bench.sh.
	bench)          echo "7G|memmap=4G!4G|qmp|kdump-zlib" ;;
	*) die "unknown scenario '$1' (known: ${ALL_SCENARIOS[*]})" ;;
	esac
}

# The guest's first O_DIRECT read (one request of up to 512 KiB) passes at
# once and fills QEMU's throttle bucket; at 2048 bytes/s the next read waits
# about 256 s, long after the dump.
SLOW_BPS=2048

BASE_ARGS="console=ttyS0 loglevel=7 printk.devkmsg=on no5lvl init_on_free=1 ${ZDREF_MEMMAP:-memmap=32M!160M memmap=32M!208M}"

# Run a guest, and once more if it fails: under TCG a boot now and then dies
# before the scenario starts (seen: an int3 Oops in sched_clock_cpu while
# 6.12 patches static keys).  The first console is kept as console.log.1.
twice() {
	local d="$1"
	shift
	"$@" && return 0
	log "guest failed; retrying once ($(grep -m1 -E 'Oops|BUG|panic' "$d/console.log" || echo 'no oops in the console'))"
	mv "$d/console.log" "$d/console.log.1" 2>/dev/null
	rm -f "$d/vmcore.tmp"
	if [ -f "$d/disk.img" ]; then	# a fresh, empty capture disk
		truncate -s 0 "$d/disk.img"
		truncate -s 256M "$d/disk.img"
	fi
	"$@"
}

run_one() {
	local sc="$1" conf mem extra method fmt disk D key t0
	conf="$(scenario_conf "$sc")"
	IFS='|' read -r mem extra method fmt disk <<<"$conf"
	[ "$method" = qmp ] && mem="${ZDREF_GUEST_MEM:-$mem}"
	D="$ZDREF_CACHE/dumps/$KREL/$sc"
	key="$HASH $conf"
	if [ "${ZDREF_FORCE:-0}" != 1 ] && [ -s "$D/vmcore" ] && [ -s "$D/truth.json" ] &&
	   [ "$(cat "$D/inputs" 2>/dev/null)" = "$key" ]; then
		log "$KREL/$sc: cached"
		ln -sfn "$KD/vmlinux" "$D/vmlinux"
		return
	fi
	mkdir -p "$D"
	rm -f "$D/vmcore" "$D/vmcore.tmp" "$D/truth.json" "$D/inputs" "$D/disk.img" "$D/slow.img"
	log "$KREL/$sc: running ($method, $fmt, -m $mem)"
	t0=$SECONDS
	local append="$BASE_ARGS zdref.scenario=$sc${extra:+ $extra}"
	if [ "$method" = qmp ]; then
		local wait='ZDREF-DUMP-NOW'
		[ "$sc" = warn_panic ] && wait='Kernel panic - not syncing'
		local slow=()
		if [ "$disk" = slow ]; then
			truncate -s 1M "$D/slow.img"
			slow=(--slow-disk "$D/slow.img" --slow-disk-bps "$SLOW_BPS")
		fi
		twice "$D" python3 "$REAL_DIR/guest.py" --kernel "$KD/vmlinuz" --initrd "$BD/initrd.gz" \
			--append "$append" --mem "$mem" --console "$D/console.log" --timeout "$TIMEOUT" \
			--qmp-dump "$D/vmcore.tmp" --format "$fmt" --wait-for "$wait" "${slow[@]}" ||
			die "$KREL/$sc: guest run failed twice, see $D/console.log"
		rm -f "$D/slow.img"
	else
		truncate -s 256M "$D/disk.img"
		twice "$D" python3 "$REAL_DIR/guest.py" --kernel "$KD/vmlinuz" --initrd "$BD/initrd-kdump.gz" \
			--append "$append" --mem "$mem" --console "$D/console.log" --timeout "$TIMEOUT" \
			--kdump-disk "$D/disk.img" --kdump-out "$D/vmcore.tmp" ||
			die "$KREL/$sc: guest run failed twice, see $D/console.log"
		rm -f "$D/disk.img"
	fi
	local pow=()
	case " $extra " in *" panic_on_warn=1 "*) pow=(--panic-on-warn) ;; esac
	python3 "$REAL_DIR/make-truth.py" "$D/console.log" "$sc" "$fmt" "${pow[@]}" > "$D/truth.json.tmp" ||
		die "$KREL/$sc: cannot derive truth.json from $D/console.log"
	mv "$D/truth.json.tmp" "$D/truth.json"
	chmod 0644 "$D/vmcore.tmp"
	mv "$D/vmcore.tmp" "$D/vmcore"
	ln -sfn "$KD/vmlinux" "$D/vmlinux"
	echo "$key" > "$D/inputs"
	log "$KREL/$sc: done in $((SECONDS - t0)) s, vmcore $(du -h "$D/vmcore" | cut -f1)"
}

for sc in "${SCENARIOS[@]}"; do
	scenario_conf "$sc" >/dev/null
done
for sc in "${SCENARIOS[@]}"; do
	run_one "$sc"
done
log "all done: $ZDREF_CACHE/dumps/$KREL"
