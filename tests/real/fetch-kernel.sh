#!/bin/bash
# Fetch one Debian cloud kernel for the real-kernel harness into the cache:
#   $ZDREF_CACHE/kernels/$KREL/{vmlinuz,vmlinux,modules/*.ko,modules.load}
# and install linux-headers-$KREL (needed to build tests/real/module).
#
# usage: fetch-kernel.sh [KREL|61|612]   (default 61 = newest 6.1.0-N-cloud-amd64;
#        ZDREF_KREL_61 / ZDREF_KREL_612 override the choice of the newest release)
# Idempotent: every piece already in the cache is skipped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KREL="$(resolve_krel "${1:-61}")"
KD="$(kdir "$KREL")"
mkdir -p "$KD"

# Modules the guest needs (dependencies are added automatically, in load order).
# ext4 and fs-dax, used by the DAX scenarios, are built into both cloud
# kernels (CONFIG_EXT4_FS=y, CONFIG_FS_DAX=y); xfs is a module (not used).
WANT_MODULES=(qemu_fw_cfg libnvdimm nd_btt nd_pmem nd_e820 virtio_blk virtio_pci)

apt_download() {  # pkg -> path of the .deb in $KD/dl
	local pkg="$1" f
	mkdir -p "$KD/dl"
	f=$(compgen -G "$KD/dl/${pkg}_*.deb" | head -n1 || true)
	if [ -z "$f" ]; then
		log "downloading $pkg"
		# _apt cannot write into root's cache: download as root, quietly
		(cd "$KD/dl" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2) ||
			die "apt-get download $pkg failed"
		f=$(compgen -G "$KD/dl/${pkg}_*.deb" | head -n1 || true)
		[ -n "$f" ] || die "downloaded $pkg not found"
	fi
	echo "$f"
}

# --- headers (installed system-wide: the module is built against them) -----
if [ ! -e "/usr/src/linux-headers-$KREL/Makefile" ]; then
	log "installing linux-headers-$KREL"
	DEBIAN_FRONTEND=noninteractive apt-get "${APT_LOCK_OPTS[@]}" install -y --no-install-recommends \
		"linux-headers-$KREL" >&2 || die "cannot install linux-headers-$KREL"
fi

# --- vmlinuz + modules from the image package ------------------------------
if [ ! -s "$KD/vmlinuz" ] || [ ! -s "$KD/modules.load" ]; then
	deb=$(apt_download "linux-image-$KREL")
	tmp=$(mktemp -d "$KD/x.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	log "unpacking linux-image-$KREL"
	dpkg-deb -x "$deb" "$tmp"
	moddir=
	for d in "$tmp/lib/modules/$KREL" "$tmp/usr/lib/modules/$KREL"; do
		[ -d "$d" ] && { moddir=$d; break; }
	done
	[ -n "$moddir" ] || die "no module directory in $deb"
	cp "$tmp/boot/vmlinuz-$KREL" "$KD/vmlinuz.tmp" && mv "$KD/vmlinuz.tmp" "$KD/vmlinuz"
	# index: module name -> file
	declare -A path=()
	while IFS= read -r f; do
		b=${f##*/}; b=${b%.xz}; b=${b%.ko}; path[${b//-/_}]=$f
	done < <(find "$moddir/kernel" -name '*.ko' -o -name '*.ko.xz')
	declare -A seen=()
	order=()
	add() {  # depth-first: dependencies before the module itself
		local m=${1//-/_} f deps d
		[ -n "${seen[$m]:-}" ] && return
		seen[$m]=1
		f=${path[$m]:-}
		if [ -z "$f" ]; then
			# built into this kernel (e.g. virtio on 6.12): nothing to load
			grep -q "/$m.ko" "$moddir/modules.builtin" 2>/dev/null ||
				grep -q "/${1}.ko" "$moddir/modules.builtin" 2>/dev/null ||
				die "module $1 neither in the package nor built in"
			return
		fi
		# "depends=" string of the .modinfo section (no kmod/modinfo needed)
		case "$f" in
		*.xz) deps=$(xz -dc "$f" | tr '\0' '\n' | grep -a -m1 '^depends=' || true) ;;
		*) deps=$(tr '\0' '\n' < "$f" | grep -a -m1 '^depends=' || true) ;;
		esac
		deps=${deps#depends=}
		for d in ${deps//,/ }; do add "$d"; done
		order+=("$m")
	}
	for m in "${WANT_MODULES[@]}"; do add "$m"; done
	rm -rf "$KD/modules"; mkdir -p "$KD/modules"
	for m in "${order[@]}"; do
		f=${path[$m]}
		case "$f" in
		*.xz) xz -dc "$f" > "$KD/modules/$m.ko" ;;
		*) cp "$f" "$KD/modules/$m.ko" ;;
		esac
	done
	printf '%s\n' "${order[@]}" > "$KD/modules.load"
	rm -rf "$tmp"; trap - EXIT
	rm -f "$deb"
	log "modules for $KREL: ${order[*]}"
fi

# --- vmlinux from the -dbg package (only this file is kept) -----------------
if [ ! -s "$KD/vmlinux" ]; then
	deb=$(apt_download "linux-image-$KREL-dbg")
	log "extracting vmlinux-$KREL"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards "./usr/lib/debug/boot/vmlinux-$KREL" > "$KD/vmlinux.tmp" ||
		die "cannot extract vmlinux from $deb"
	[ -s "$KD/vmlinux.tmp" ] || die "empty vmlinux from $deb"
	mv "$KD/vmlinux.tmp" "$KD/vmlinux"
	rm -f "$deb"
fi
rmdir "$KD/dl" 2>/dev/null || true
echo "$KD"
