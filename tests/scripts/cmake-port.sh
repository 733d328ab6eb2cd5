#!/usr/bin/env bash
# Tests c-glue/mprs.cmake given as USER_C_MODULES to a MicroPython port built with
# MicroPython's own CMake machinery (tests/cmake-port/, in ports/rp2's order):
# - host:   a host executable, linked by the C++ driver as rp2's firmware is (a C++ source);
#           it runs Python through the Rust streams and dupterm;
# - rp2040: a Cortex-M0+ ELF with arm-none-eabi-gcc, PICO_PLATFORM=rp2040; then, configure
#           only, the Rust target each other platform gets, MPRS_TARGET and MPRS_SUBSYSTEMS.
# Both check that the C originals are neither compiled nor QSTR-scanned, that the glue is
# QSTR-scanned and compiled with the port's flags, that libmprs.a is linked last, and that
# the link shows no executable stack. host also checks that a second build with nothing
# changed does not relink, and that a changed libmprs.a recompiles the glue and relinks.
# Usage: cmake-port.sh host|rp2040 <micropython dir> <out dir>
set -euo pipefail
mode=$1 mpy=$2 out=$3
root=$PWD
# Without MicroPython (a clone of this repository alone) there is nothing to build against.
[ -f "$mpy/py/usermod.cmake" ] || { echo "cmake-port: skipped: no MicroPython at $mpy (see make test-micropython)"; exit 0; }
fail() {
    echo "cmake-port: FAILED ($mode): $*"
    exit 1
}
pass() {
    echo "cmake-port: $mode: $*"
}
originals=(py/stream.c extmod/os_dupterm.c extmod/virtpin.c extmod/modwebrepl.c extmod/modwebsocket.c)
glue=(port.c stream.c dupterm.c virtpin.c webrepl.c websocket.c)
toolchain=()
[ "$mode" = rp2040 ] && toolchain=(-DCMAKE_TOOLCHAIN_FILE="$root/tests/cmake-port/arm-none-eabi.cmake")

configure() { # build dir, extra cmake arguments
    local dir=$1
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    cmake -S tests/cmake-port -B "$dir" "${toolchain[@]}" -DMICROPY_DIR="$mpy" \
        -DUSER_C_MODULES="$root/c-glue/mprs.cmake" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" \
        >"$dir/configure.log" 2>&1
}

expect_target() { # build dir, Rust target
    grep -q "mprs: libmprs.a for $2," "$1/configure.log" ||
        fail "$(basename "$1"): expected the Rust target $2; configure said: $(grep 'mprs:' "$1/configure.log")"
}

# Which files the build compiles, and with which flags: compile_commands.json.
compiled() { # build dir -> "<file>\t<command>" lines
    python3 -c 'import json, sys
for e in json.load(open(sys.argv[1])):
    print(e["file"] + "\t" + e.get("command", " ".join(e.get("arguments", []))))' "$1/compile_commands.json"
}

check_sources() { # build dir, port flags the glue must have...
    local dir=$1 list
    shift
    list=$(compiled "$dir")
    for o in "${originals[@]}"; do
        if grep -qP "^\Q$mpy/$o\E\t" <<<"$list"; then fail "$o is compiled"; fi
    done
    for g in "${glue[@]}"; do
        line=$(grep -P "^\Q$root/c-glue/$g\E\t" <<<"$list") || fail "c-glue/$g is not compiled"
        for flag in "$@"; do
            grep -q -- " $flag " <<<"$line " || fail "c-glue/$g is compiled without the port's $flag"
        done
    done
    pass "originals not compiled; the glue compiled with the port's $*"
}

check_qstr() { # build dir
    local g=$1/genhdr key
    for o in "${originals[@]}"; do
        key=$(sed 's|/|__|g' <<<"$mpy/$o")
        for f in "$g"/qstr/"$key".* "$g"/module/"$key".* "$g"/root_pointer/"$key".*; do
            if [ -e "$f" ]; then fail "$o is QSTR-scanned ($f)"; fi
        done
    done
    key=$(sed 's|/|__|g' <<<"$root/c-glue")
    grep -qx 'Q(_webrepl)' "$g/qstr/${key}__webrepl.c.qstr" 2>/dev/null || fail "c-glue/webrepl.c's qstrs are not scanned"
    grep -q 'MP_QSTR__webrepl' "$g/module/${key}__webrepl.c.module" 2>/dev/null || fail "c-glue/webrepl.c's module is not registered"
    grep -q 'dupterm_objs' "$g/root_pointer/${key}__dupterm.c.root_pointer" 2>/dev/null || fail "c-glue/dupterm.c's root pointer is not registered"
    pass "the glue is QSTR-scanned (qstrs, module, root pointer), the originals are not"
}

check_link() { # build dir
    local dir=$1 last
    # The libraries and objects on the link line, in order: libmprs.a must be the last.
    last=$(tr ' ' '\n' <"$dir/CMakeFiles/firmware.dir/link.txt" | tr -d '"' | grep -E '\.(a|o|obj)$|^-l' | tail -1)
    [ "$last" = "$(realpath "$dir")/mprs/libmprs.a" ] || fail "libmprs.a is not linked last (last: $last)"
    if grep -iE "executable stack|GNU-stack" "$dir/build.log"; then fail "the link warns of an executable stack"; fi
    pass "libmprs.a linked last (after -lm and the port's libportlib.a, which an INTERFACE library brings), no executable-stack warning"
}

build() { # build dir, log
    cmake --build "$1" -j2 >"$2" 2>&1 || { tail -30 "$2"; fail "build failed (see $2)"; }
}

case $mode in
host)
    dir=$out/host
    configure "$dir" || { cat "$dir/configure.log"; fail "configure"; }
    expect_target "$dir" host
    build "$dir" "$dir/build.log"
    check_sources "$dir" -DMPRS_TEST_PORT_FLAGS=1 -Os
    check_qstr "$dir"
    check_link "$dir"
    driver=$(awk '{ print $1; exit }' "$dir/CMakeFiles/firmware.dir/link.txt")
    [[ "$driver" == *++ ]] || fail "the firmware was not linked by the C++ driver ($driver), as rp2's is"
    script='
import io, os, _webrepl
s = io.BytesIO(b"ab\ncd\nef")
print(s.readline(), s.readline(None), s.read(5))
b = io.BytesIO()
os.dupterm(b)
print("through dupterm")
os.dupterm(None)
print(b.getvalue(), hasattr(_webrepl, "password"))
'
    want=$'b\'ab\\n\' b\'cd\\n\' b\'ef\'\nthrough dupterm\nb\'through dupterm\\r\\n\' True'
    # (The port's stdout is cooked: \r\n.)
    got=$("$dir/firmware" "$script" | tr -d '\r') || fail "the firmware failed: $got"
    [ "$got" = "$want" ] || fail "the firmware printed:"$'\n'"$got"$'\n'"expected:"$'\n'"$want"
    syms=$(nm "$dir/firmware")
    grep -q ' T mprs_rw_step$' <<<"$syms" || fail "the firmware has no mprs_rw_step (the machine of mp_stream_rw)"
    pass "the firmware runs Python through mprs's streams and dupterm"

    # Nothing changed: cargo runs, nothing is compiled or linked.
    stamp=$(stat -c %Y.%N "$dir/firmware")
    sleep 1
    build "$dir" "$dir/build2.log"
    grep -q "CARGO libmprs.a" "$dir/build2.log" || fail "the second build did not run cargo"
    if grep -E "Building C object|Linking" "$dir/build2.log"; then fail "the second build, with nothing changed, rebuilt"; fi
    [ "$(stat -c %Y.%N "$dir/firmware")" = "$stamp" ] || fail "the second build rewrote the firmware"
    pass "a second build with nothing changed runs cargo and does not relink"

    # libmprs.a changed (its record of cargo's archive removed, so it is made again): the
    # glue is recompiled and the firmware relinked, nothing else.
    rm "$dir/mprs/libmprs.a.src"
    build "$dir" "$dir/build3.log"
    rebuilt=$(grep -oE 'Building C object \S+' "$dir/build3.log" | sed 's|.*/||; s|\.o$||' | sort | tr '\n' ' ' || true)
    [ "$rebuilt" = "$(printf '%s\n' "${glue[@]}" | sort | tr '\n' ' ')" ] ||
        fail "after libmprs.a changed, rebuilt: ${rebuilt:-nothing} (expected the glue, ${glue[*]})"
    grep -q "Linking" "$dir/build3.log" || fail "after libmprs.a changed, the firmware was not relinked"
    pass "a changed libmprs.a recompiles the glue (only) and relinks"
    ;;
rp2040)
    dir=$out/rp2040
    configure "$dir" || { cat "$dir/configure.log"; fail "configure"; }
    expect_target "$dir" thumbv6m-none-eabi
    build "$dir" "$dir/build.log"
    check_sources "$dir" -DMPRS_TEST_PORT_FLAGS=1 -mcpu=cortex-m0plus
    check_qstr "$dir"
    check_link "$dir"
    stack=$(arm-none-eabi-readelf -lW "$dir/firmware" | awk '$1 == "GNU_STACK" { print $(NF - 1) }')
    [[ "$stack" != *E* ]] || fail "the firmware's stack is executable (GNU_STACK $stack)"
    syms=$(arm-none-eabi-objdump -t "$dir/firmware")
    grep -q ' mprs_rw_step$' <<<"$syms" || fail "the firmware has no mprs_rw_step (the machine of mp_stream_rw)"
    pass "Cortex-M0+ firmware linked, stack not executable${stack:+ (GNU_STACK $stack)}"

    # Configure only: the target each platform gets, and the settings.
    for p in rp2350-arm-s:thumbv8m.main-none-eabi rp2350:thumbv8m.main-none-eabi rp2350-riscv:riscv32imac-unknown-none-elf; do
        configure "$out/conf-${p%%:*}" -DPICO_PLATFORM="${p%%:*}" || { cat "$out/conf-${p%%:*}/configure.log"; fail "configure"; }
        expect_target "$out/conf-${p%%:*}" "${p#*:}"
    done
    configure "$out/conf-override" -DMPRS_TARGET=thumbv7m-none-eabi || { cat "$out/conf-override/configure.log"; fail "configure"; }
    expect_target "$out/conf-override" thumbv7m-none-eabi
    if configure "$out/conf-unknown" -DPICO_PLATFORM=rp9999; then fail "an unknown PICO_PLATFORM configured"; fi
    grep -q "set MPRS_TARGET" "$out/conf-unknown/configure.log" || fail "an unknown PICO_PLATFORM gave no hint"
    pass "PICO_PLATFORM rp2040, rp2350-arm-s, rp2350, rp2350-riscv give thumbv6m, thumbv8m.main, thumbv8m.main, riscv32imac; MPRS_TARGET overrides; an unknown platform asks for MPRS_TARGET"
    configure "$out/conf-subset" -DMPRS_SUBSYSTEMS="stream webrepl lwip" || { cat "$out/conf-subset/configure.log"; fail "configure"; }
    list=$(compiled "$out/conf-subset")
    # lwip's definition reaches the glue's compile lines and the QSTR scan's.
    line=$(grep -P "^\Q$root/c-glue/lwip.c\E\t" <<<"$list") || fail "c-glue/lwip.c is not compiled"
    grep -q -- -DMPRS_LWIP=1 <<<"$line" ||
        fail "MPRS_SUBSYSTEMS with lwip does not compile c-glue/lwip.c with MPRS_LWIP=1"
    qstr_pp=$(grep -h 'makeqstrdefs.py pp' "$out/conf-subset"/CMakeFiles/firmware.dir/build.make)
    grep -q -- -DMPRS_LWIP=1 <<<"$qstr_pp" || fail "the QSTR scan does not see MPRS_LWIP=1"
    list=$(cut -f1 <<<"$list")
    for f in "$mpy/extmod/os_dupterm.c" "$mpy/extmod/virtpin.c" "$mpy/extmod/modwebsocket.c" "$root/c-glue/stream.c" "$root/c-glue/webrepl.c"; do
        grep -qx "$f" <<<"$list" || fail "MPRS_SUBSYSTEMS=\"stream webrepl lwip\" does not compile $f"
    done
    for f in "$mpy/py/stream.c" "$mpy/extmod/modwebrepl.c" "$root/c-glue/dupterm.c" "$root/c-glue/virtpin.c" "$root/c-glue/websocket.c"; do
        if grep -qx "$f" <<<"$list"; then fail "MPRS_SUBSYSTEMS=\"stream webrepl lwip\" compiles $f"; fi
    done
    pass "MPRS_SUBSYSTEMS=\"stream webrepl lwip\" replaces those two, keeps the other originals, defines MPRS_LWIP for the glue and the QSTR scan"
    ;;
*)
    echo "usage: cmake-port.sh host|rp2040 <micropython dir> <out dir>"
    exit 1
    ;;
esac
