#!/usr/bin/env python3
"""Copy an ELF vmcore with bytes changed at physical addresses.

usage: tamper.py IN OUT PHYS=HEXBYTES...   (PHYS in hex, HEXBYTES the new
little-endian bytes, e.g. 1a960e0=6c3e030000000000)

Each physical address is looked up in the PT_LOAD segments (p_paddr,
p_filesz) and written at its file offset; an address outside every
segment is an error.  For damaging real dumps the way a corrupt kernel
would leave them, structure by structure.
"""
import shutil
import struct
import sys


def main():
    src, dst, patches = sys.argv[1], sys.argv[2], sys.argv[3:]
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2:
            sys.exit("tamper.py: %s is not an ELF64 core" % src)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        loads = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _, off, _, paddr, filesz = struct.unpack("<IIQQQQ", f.read(40))
            if p_type == 1:
                loads.append((paddr, filesz, off))
        for p in patches:
            addr, data = p.split("=")
            addr, data = int(addr, 16), bytes.fromhex(data)
            for paddr, filesz, off in loads:
                if paddr <= addr and addr + len(data) <= paddr + filesz:
                    f.seek(off + addr - paddr)
                    f.write(data)
                    break
            else:
                sys.exit("tamper.py: %#x is in no PT_LOAD of %s" % (addr, src))


if __name__ == "__main__":
    main()
