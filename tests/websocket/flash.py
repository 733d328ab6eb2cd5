# Flash of websocket + WebREPL as linked into a Cortex-M3 firmware (qemu MPS2_AN385, -Os):
# the C originals (extmod/modwebsocket.o + extmod/modwebrepl.o) against mprs (the glue's
# websocket.o + webrepl.o, and the Rust code of both subsystems in libmprs.a).
# Text includes rodata and data; shared stream code the websocket calls is not counted.
# Usage: flash.py <C firmware dir> <mprs firmware dir>
import os
import re
import subprocess
import sys


def object_sizes(mapfile, pattern):
    """Flash bytes (.text, .rodata, .data) the map gives objects matching `pattern`."""
    total = 0
    lines = open(mapfile).read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^ (\.text|\.rodata|\.data)\S*(?:\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S+))?\s*$", line)
        if not m:
            continue
        size, obj = m.group(3), m.group(4)
        if size is None:
            m2 = re.match(r"^\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S+)", lines[i + 1] if i + 1 < len(lines) else "")
            if not m2:
                continue
            size, obj = m2.group(2), m2.group(3)
        if re.search(pattern, obj):
            total += int(size, 16)
    return total


def rust_size(elf):
    """Bytes of the Rust code of websocket and WebREPL: their modules and exports."""
    out = subprocess.run(["arm-none-eabi-nm", "-S", "-C", elf], capture_output=True, text=True).stdout
    seen = set()
    total = 0
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) < 4 or parts[2] not in "TtRrDd":
            continue
        addr, size, name = parts[0], int(parts[1], 16), parts[3]
        rust = re.match(r"<?mprs::(ffi::)?web(repl|socket)\b", name)
        export = re.match(r"mprs_web(repl|socket)_", name) and name not in (
            "mprs_websocket_is", "mprs_websocket_send_in_place")
        if (rust or export) and addr not in seen:
            seen.add(addr)
            total += size
    return total


c_dir, mprs_dir = sys.argv[1], sys.argv[2]
c_ws = object_sizes(os.path.join(c_dir, "firmware.map"), r"extmod/modwebsocket\.o$")
c_wr = object_sizes(os.path.join(c_dir, "firmware.map"), r"extmod/modwebrepl\.o$")
g_ws = object_sizes(os.path.join(mprs_dir, "firmware.map"), r"c-glue/websocket\.o$")
g_wr = object_sizes(os.path.join(mprs_dir, "firmware.map"), r"c-glue/webrepl\.o$")
rust = rust_size(os.path.join(mprs_dir, "firmware.elf"))
print("flash, websocket + WebREPL in the qemu MPS2_AN385 firmware (Cortex-M3, -Os):")
print("  C originals: modwebsocket.o %d + modwebrepl.o %d = %d B" % (c_ws, c_wr, c_ws + c_wr))
print("  mprs: glue websocket.o %d + webrepl.o %d + Rust %d = %d B" % (g_ws, g_wr, rust, g_ws + g_wr + rust))
