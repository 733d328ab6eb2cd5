#!/usr/bin/env bash
# Builds MicroPython's unix port (coverage variant, with WebREPL and dupterm) twice from one
# tree: the C originals in <out>/mp-c, and with mprs (c-glue/mprs.mk included after
# extmod.mk, default MPRS_SUBSYSTEMS) in <out>/mp-mprs. Copies the tree once (it is
# read-only where it lives); later runs rebuild incrementally.
# Usage: build_unix.sh [--copy-only] <micropython tree> <out dir>
set -euo pipefail
copy_only=0
if [ "$1" = --copy-only ]; then copy_only=1; shift; fi
src=$1 out=$2
mprs=$(cd "$(dirname "$0")/../.." && pwd)
for b in c mprs; do
    if [ ! -f "$out/mp-$b/py/py.mk" ]; then
        echo "websocket: copying $src to $out/mp-$b"
        mkdir -p "$out"
        rm -rf "$out/mp-$b"
        cp -r "$src" "$out/mp-$b"
        chmod -R u+w "$out/mp-$b"
    fi
done
make -C "$out/mp-c/mpy-cross" -j2 --no-print-directory -s >/dev/null
if [ $copy_only = 1 ]; then exit 0; fi
mk=$out/mp-mprs/ports/unix/Makefile
if ! grep -q "c-glue/mprs.mk" "$mk"; then
    sed -i "s|^include \$(TOP)/extmod/extmod.mk|&\ninclude $mprs/c-glue/mprs.mk|" "$mk"
fi
mpy_cross=$(cd "$out/mp-c/mpy-cross/build" && pwd)/mpy-cross
for b in c mprs; do
    echo "websocket: building the unix port ($b)"
    make -C "$out/mp-$b/ports/unix" -j2 --no-print-directory -s VARIANT=coverage \
        MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_PY_FFI=0 MICROPY_MPYCROSS="$mpy_cross" \
        CFLAGS_EXTRA="-DMICROPY_PY_OS_DUPTERM=2 -DMICROPY_PY_WEBREPL=1 -Wno-error" >/dev/null
done
