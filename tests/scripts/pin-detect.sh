#!/usr/bin/env bash
# Compiles c-glue/virtpin.c against MicroPython's headers with port headers shaped like
# rp2's, stm32's and a virtual-pin port's (tests/pin-detect/), and checks which default
# MPHAL pin functions the object defines: all seven for the virtual-pin port, none for a
# port with its own GPIO layer (or with MPRS_PIN_DEFAULT_MPHAL=0).
# Usage: pin-detect.sh <micropython dir> <out dir> <C compiler>...
set -euo pipefail
mpy=$1 out=$2
shift 2
compilers=("$@")
# Without MicroPython (a clone of this repository alone) there is nothing to compile against.
[ -f "$mpy/py/mphal.h" ] || { echo "pin-detect: skipped: no MicroPython at $mpy (see make test-micropython)"; exit 0; }
mkdir -p "$out"
hal_fns="mp_hal_pin_input mp_hal_pin_output mp_hal_pin_open_drain mp_hal_pin_od_low mp_hal_pin_od_high mp_hal_pin_low mp_hal_pin_high"
# The unix port's warnings, and the macro mprs.mk defines for virtpin.
cflags=(-std=gnu99 -Os -Wall -Werror -Wextra -Wno-unused-parameter -Wpointer-arith -DMPRS_VIRTPIN=1)
failed=0

check() { # compiler shape expected-count [extra flags...]
    local cc=$1 shape=$2 want=$3
    shift 3
    local tag obj defined n
    tag="$(basename "$cc")-$shape${1:+-override}"
    obj="$out/$tag.o"
    if ! $cc "${cflags[@]}" "$@" -Itests/pin-detect/"$shape" -Itests/pin-detect/common -I"$mpy" \
        -Iinclude -Ic-glue -c c-glue/virtpin.c -o "$obj" 2>"$out/$tag.log"; then
        echo "pin-detect: FAILED: $tag does not compile:"; head -20 "$out/$tag.log"; failed=1; return
    fi
    defined=$(nm --defined-only "$obj" | awk '$2 == "T" { print $3 }')
    n=0
    for f in $hal_fns; do grep -qx "$f" <<<"$defined" && n=$((n + 1)); done
    if ! grep -qx mp_virtual_pin_read <<<"$defined"; then
        echo "pin-detect: FAILED: $tag does not define mp_virtual_pin_read"; failed=1; return
    fi
    if [ "$n" != "$want" ]; then
        echo "pin-detect: FAILED: $tag defines $n of the 7 default MPHAL pin functions, expected $want"; failed=1; return
    fi
    echo "pin-detect: $tag: compiles, $n of 7 default MPHAL pin functions defined (expected $want)"
}

for cc in "${compilers[@]}"; do
    check "$cc" rp2 0
    check "$cc" stm32 0
    check "$cc" virtual 7
    check "$cc" virtual 0 -DMPRS_PIN_DEFAULT_MPHAL=0
done
[ "$failed" = 0 ] || exit 1
echo "pin-detect: the defaults follow the port's mp_hal_pin_obj_t"
