#!/usr/bin/env bash
# Links a bare-metal libmprs.a into a firmware with the target's GNU toolchain and libc
# (arm-none-eabi-gcc, newlib and libgcc for thumb; riscv64-unknown-elf-gcc and picolibc for
# RISC-V), calling every export, and fails on a duplicate or missing symbol, on a member
# that is not mprs's own, and on an executable stack (ld's "missing .note.GNU-stack"
# warning, or a GNU_STACK program header with E).
# The firmware has the port services of the subsystems the library was built with, and no
# others; with --no-gc-sections it links without --gc-sections, so a service the library
# imports for a subsystem it was not built with is an undefined reference.
# Usage: link-test.sh <rust target> <libmprs.a> <out dir> "<subsystems>" [--no-gc-sections]
set -euo pipefail
target=$1 lib=$2 out=$3 subsystems=$4
gc=(-Wl,--gc-sections) gc_said=with
if [ "${5:-}" = --no-gc-sections ]; then gc=() gc_said=without; fi
mkdir -p "$out"
# The flags of the boards each core is found on (pico-sdk's for RP2040 and RP2350).
case $target in
    thumbv6m-none-eabi) cpu=(-mcpu=cortex-m0plus -mthumb) ;;
    thumbv7m-none-eabi) cpu=(-mcpu=cortex-m3 -mthumb) ;;
    thumbv7em-none-eabihf) cpu=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16) ;;
    thumbv7em-none-eabi) cpu=(-mcpu=cortex-m4 -mthumb -mfloat-abi=soft) ;;
    thumbv8m.main-none-eabi) cpu=(-mcpu=cortex-m33 -mthumb -march=armv8-m.main+fp+dsp -mfloat-abi=softfp) ;;
    riscv32imac-unknown-none-elf) cpu=(-march=rv32imac -mabi=ilp32) ;;
    *) echo "link-test: no CPU flags for $target"; exit 1 ;;
esac
case $target in
    thumb*) tool=arm-none-eabi- libc=(--specs=nano.specs --specs=nosys.specs) libc_name=newlib ;;
    riscv*) tool=riscv64-unknown-elf- libc=(--specs=picolibc.specs) libc_name=picolibc ;;
esac
# MPRS_<NAME>=1 for each subsystem, as c-glue/mprs.mk defines them.
defines=()
for sub in $subsystems; do defines+=("-DMPRS_${sub^^}=1"); done
# Every function the header declares for those subsystems that Rust exports (not the port
# services).
exports=$("${tool}gcc" "${cpu[@]}" "${libc[@]}" -E -P "${defines[@]}" -Iinclude -x c include/mprs.h |
    grep -E '^[a-z_0-9]+ \*?mprs_[a-z0-9_]+\(' | grep -oE 'mprs_[a-z0-9_]+\(' | tr -d '(' | grep -v '^mprs_port_' | sort -u)
{
    echo '#include <stdint.h>'
    echo '#include "mprs.h"'
    echo 'void *volatile mprs_link_keep[] = {'
    for f in $exports; do echo "    (void *)$f,"; done
    echo '};'
} > "$out/keep.c"
"${tool}gcc" "${cpu[@]}" -Os -std=c99 -Wall -Werror -Iinclude -Itests/c "${defines[@]}" \
    -ffunction-sections -fdata-sections "${libc[@]}" \
    "${gc[@]}" -Wl,--undefined=mprs_link_keep -Wl,-Map="$out/firmware.map" -o "$out/firmware.elf" \
    tests/c/bare_port.c "$out/keep.c" "$lib" -lc -lgcc 2>&1 | tee "$out/link.log"
if grep -qiE "multiple definition|undefined reference" "$out/link.log"; then
    echo "link-test: FAILED (see $out/link.log)"; exit 1
fi
if grep -qiE "executable stack|GNU-stack" "$out/link.log"; then
    echo "link-test: FAILED: the linker warns of an executable stack:"; grep -iE "executable stack|GNU-stack" "$out/link.log"; exit 1
fi
stack=$("${tool}readelf" -lW "$out/firmware.elf" | awk '$1 == "GNU_STACK" { print $(NF - 1) }')
if [[ "$stack" == *E* ]]; then
    echo "link-test: FAILED: the firmware's stack is executable (GNU_STACK $stack)"; exit 1
fi
# Only mprs's own members may come from the archive: memcpy, __aeabi_* and friends must
# come from newlib and libgcc, one place for the whole firmware.
foreign=$(grep -oE 'libmprs\.a\([^)]*\)' "$out/firmware.map" | sort -u | grep -vE '\((mprs|core|critical_section)-' || true)
if [ -n "$foreign" ]; then
    echo "link-test: FAILED: libmprs.a supplied members that are not mprs's own:"; echo "$foreign"; exit 1
fi
for helper in memcpy memset; do
    from=$(grep -A1 -E "^ \.text\.$helper|^ \.text +0x[0-9a-f]+ +0x[0-9a-f]+ .*lib_a-$helper\.o" "$out/firmware.map" | grep -oE 'lib[a-z_]+\.a\(lib_a-[a-z]+\.o\)' | head -1 || true)
    [ -n "$from" ] && echo "link-test: $helper comes from $from"
done
n=$(wc -w <<<"$exports")
echo "link-test: $target firmware ($subsystems) links with $libc_name and libgcc, $gc_said --gc-sections, $n exports kept, no duplicate or missing symbol, stack not executable${stack:+ (GNU_STACK $stack)}"
"${tool}size" "$out/firmware.elf"
