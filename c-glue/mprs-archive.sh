#!/bin/sh
# Makes the libmprs.a a firmware links from the one cargo builds:
# - without the members of Rust's compiler_builtins: left in, they would stand before the
#   port's libc, libm and libgcc on the link line and replace the port's own fmod, round,
#   memcpy or __aeabi_* helpers; taken out, whatever the Rust code calls comes from the
#   port's libraries, the same place as for the C code;
# - without the embedded LLVM bitcode, which binutils hands to whatever LLVM plugin the
#   machine has (often too old to read it), losing the archive's symbol index.
# Usage: mprs-archive.sh <cargo's libmprs.a> <output libmprs.a> [toolchain prefix]
set -eu
in=$1
out=$2
prefix=${3:-}
tmp="$out.tmp"
mkdir -p "$(dirname "$out")"
rm -f "$tmp"
cp "$in" "$tmp"
# compiler_builtins' Rust members, and its C members (named <16 hex digits>-<name>.o),
# deleted first: objcopy need not read them (binutils 2.40 cannot read a relocation that
# one RISC-V member carries).
"${prefix}ar" t "$tmp" | grep -E '^(compiler_builtins-|[0-9a-f]{16}-)' | xargs -r "${prefix}ar" d "$tmp"
"${prefix}objcopy" -R .llvmbc -R .llvmcmd "$tmp"
"${prefix}ar" s "$tmp"
mv "$tmp" "$out"
