#!/usr/bin/env bash
# Builds MicroPython's qemu port (MPS2_AN385, Cortex-M3) with websocket and WebREPL enabled
# twice from one tree, as build_unix.sh does for the unix port: C originals in
# <out>/mp-c, mprs (MPRS_TARGET=thumbv7m-none-eabi) in <out>/mp-mprs, each into
# ports/qemu/build-MPS2_AN385-webrepl. For the flash comparison (flash.py).
# Usage: build_qemu.sh <micropython tree> <out dir>
set -euo pipefail
src=$1 out=$2
mprs=$(cd "$(dirname "$0")/../.." && pwd)
bash "$mprs/tests/websocket/build_unix.sh" --copy-only "$src" "$out"
mk=$out/mp-mprs/ports/qemu/Makefile
if ! grep -q "c-glue/mprs.mk" "$mk"; then
    sed -i "s|^include \$(TOP)/extmod/extmod.mk|&\nMPRS_TARGET ?= thumbv7m-none-eabi\ninclude $mprs/c-glue/mprs.mk|" "$mk"
fi
mpy_cross=$(cd "$out/mp-c/mpy-cross/build" && pwd)/mpy-cross
for b in c mprs; do
    echo "websocket: building the qemu port, MPS2_AN385 ($b)"
    make -C "$out/mp-$b/ports/qemu" -j2 --no-print-directory -s BOARD=MPS2_AN385 \
        BUILD=build-MPS2_AN385-webrepl MICROPY_MPYCROSS="$mpy_cross" \
        CFLAGS_EXTRA="-DMICROPY_PY_WEBSOCKET=1 -DMICROPY_PY_WEBREPL=1 -DMICROPY_PY_OS_DUPTERM=1" >/dev/null
done
