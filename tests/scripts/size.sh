#!/usr/bin/env bash
# Prints the code size of each subsystem: in the host libmprs.a, and as linked into the
# link test's thumb firmware (every export kept, unused code dropped by --gc-sections, as
# in a port); fails if the thumb library holds core::fmt (a formatted panic costs kilobytes).
# A subsystem's code is its exports (mprs_<name>_*) and what the optimiser left outlined
# from its Rust modules (mprs::<name>, mprs::ffi::<name>); text includes rodata.
# Usage: size.sh "<subsystems>" <host lib> <thumb lib> <thumb firmware>
set -euo pipefail
subsystems=($1)
host_lib=$2 thumb_lib=$3 thumb_elf=$4

measure() { # objdump-command lib subsystem -> "text data bss"
    # objdump, not nm: the members carry LLVM bitcode that binutils' nm tries to load.
    $1 -t -C "$2" 2>/dev/null | python3 -c '
import re, sys
sub = sys.argv[1]
sizes = {"text": 0, "data": 0, "bss": 0}
for line in sys.stdin:
    m = re.match(r"^[0-9a-f]+ (.{7}) (\S+)\s+([0-9a-f]+) (.*)$", line.rstrip("\n"))
    if not m or "F" not in m.group(1) and "O" not in m.group(1):
        continue
    section, size, name = m.group(2), int(m.group(3), 16), m.group(4)
    if not (name.startswith("mprs_" + sub + "_") or name.startswith("mprs::" + sub + "::")
            or name.startswith("mprs::ffi::" + sub + "::") or "<mprs::ffi::Port" in name and sub == "stream"):
        continue
    kind = "bss" if section.startswith(".bss") else "data" if section.startswith(".data") else "text"
    sizes[kind] += size
print(sizes["text"], sizes["data"], sizes["bss"])
' "$3"
}

printf "%-10s %-8s %8s %6s %6s\n" subsystem target text data bss
for sub in "${subsystems[@]}"; do
    read -r t d b < <(measure objdump "$host_lib" "$sub")
    printf "%-10s %-8s %8d %6d %6d\n" "$sub" host "$t" "$d" "$b"
    read -r t d b < <(measure arm-none-eabi-objdump "$thumb_elf" "$sub")
    printf "%-10s %-8s %8d %6d %6d\n" "$sub" thumb "$t" "$d" "$b"
done
if arm-none-eabi-objdump -t -C "$thumb_lib" 2>/dev/null | grep -q "core::fmt"; then
    echo "size: FAILED: the thumb libmprs.a holds core::fmt symbols:"
    arm-none-eabi-objdump -t -C "$thumb_lib" 2>/dev/null | grep "core::fmt" | head
    exit 1
fi
echo "size: no core::fmt in the thumb library"
