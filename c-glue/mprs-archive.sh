#!/bin/sh
# Makes the libmprs.a a firmware links from the one cargo builds:
# - without the members of Rust's compiler_builtins: left in, they would stand before the
#   port's libc, libm and libgcc on the link line and replace the port's own fmod, round,
#   memcpy or __aeabi_* helpers; taken out, whatever the Rust code calls comes from the
#   port's libraries, the same place as for the C code;
# - without the embedded LLVM bitcode, which binutils hands to whatever LLVM plugin the
#   machine has (often too old to read it), losing the archive's symbol index;
# - without .note.GNU-stack sections where the port's C compiler emits none (bare-metal
#   arm-none-eabi and riscv*-elf gcc): ld gives a firmware where some objects carry the
#   note and others not an executable stack (GNU_STACK RWE) and warns "missing
#   .note.GNU-stack section implies executable stack", fatal under --fatal-warnings. Where
#   the compiler emits it (gcc and clang for Linux), the notes stay.
# Usage: mprs-archive.sh [--if-changed] <cargo's libmprs.a> <output libmprs.a> [toolchain prefix]
# With --if-changed, the output (and its time stamp, so nothing relinks) is left alone when
# cargo's archive is the one it was made from (a copy is kept as <output>.src) and this
# script has not changed since.
# The tools are ${prefix}ar, ${prefix}objcopy and the C compiler ${prefix}gcc (cc without
# a prefix), or MPRS_AR, MPRS_OBJCOPY and MPRS_CC when set (MPRS_CC may hold a launcher,
# e.g. "ccache arm-none-eabi-gcc").
set -eu
if_changed=
if [ "$1" = --if-changed ]; then
    if_changed=yes
    shift
fi
in=$1
out=$2
prefix=${3:-}
if [ -n "$if_changed" ] && [ "$out" -nt "$0" ] && cmp -s "$in" "$out.src"; then
    exit 0
fi
ar=${MPRS_AR:-${prefix}ar}
objcopy=${MPRS_OBJCOPY:-${prefix}objcopy}
cc=${MPRS_CC:-${prefix:+${prefix}gcc}}
cc=${cc:-cc}
tmp="$out.tmp"
mkdir -p "$(dirname "$out")"
rm -f "$tmp"
cp "$in" "$tmp"
# compiler_builtins' Rust members, and its C members (named <16 hex digits>-<name>.o),
# deleted first: objcopy need not read them (binutils 2.40 cannot read a relocation that
# one RISC-V member carries).
"$ar" t "$tmp" | grep -E '^(compiler_builtins-|[0-9a-f]{16}-)' | xargs -r "$ar" d "$tmp"
# Does the port's compiler mark its objects' stack? (It says so in the assembly it emits.)
strip_note=
if asm=$(echo 'int mprs_probe;' | $cc -x c -S -o - - 2>/dev/null); then
    if ! printf '%s\n' "$asm" | grep -q '\.note\.GNU-stack'; then
        strip_note="-R .note.GNU-stack"
    fi
else
    echo "mprs-archive: cannot compile with '$cc'; keeping .note.GNU-stack (set MPRS_CC)" >&2
fi
"$objcopy" -R .llvmbc -R .llvmcmd $strip_note "$tmp"
"$ar" s "$tmp"
mv "$tmp" "$out"
if [ -n "$if_changed" ]; then
    cp "$in" "$out.src"
fi
