#!/usr/bin/env python3
"""Flash per subsystem: mprs (Rust + its glue) against the C original, as linked into qemu firmware.

Builds (or reuses, make is incremental) the MicroPython stage's qemu firmware for each board in
both trees, C originals and mprs, with dupterm, websocket and WebREPL on, compiled -Os by the
port for the board's core. From the two linker maps it sums, per subsystem, the flash bytes
(.text, .rodata, .data) of the C original's object against those of the mprs glue file plus
the Rust functions of that subsystem, and prints one line each:
    size <board> <subsystem>: C <n> B, mprs <n> B (Rust <n> + glue <n>), ratio <mprs/C>
Code both use (port.c, the shared stream port service, outlined fragments) is its own line.
A benchmark that prints, not a test: it fails only if a build fails.
Usage: size_report.py [--build-dir DIR] [--boards B1,B2]
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stage  # noqa: E402

# subsystem: (C original object, glue object, Rust modules as they appear in mangled names)
SUBSYSTEMS = {
    "stream": ("py/stream.o", "stream.o", ("stream",)),
    "dupterm": ("extmod/os_dupterm.o", "dupterm.o", ("dupterm",)),
    "virtpin": ("extmod/virtpin.o", "virtpin.o", ("pin",)),
    "webrepl": ("extmod/modwebrepl.o", "webrepl.o", ("webrepl",)),
    "websocket": ("extmod/modwebsocket.o", "websocket.o", ("websocket",)),
}
# Exported C names whose prefix is not the subsystem's own.
EXPORT_PREFIX = {"mprs_rw_": "stream", "mprs_reader_": "stream", "mprs_pin_": "virtpin"}
BOARDS = ("MPS2_AN385", "MICROBIT", "MPS2_AN500")


def rust_subsystem(section):
    """The subsystem a libmprs.a input section belongs to, or None for shared code."""
    name = re.sub(r"^\.(text|rodata|data)\.", "", section)
    for prefix, sub in EXPORT_PREFIX.items():
        if name.startswith(prefix):
            return sub
    for sub, (_, _, modules) in SUBSYSTEMS.items():
        if name.startswith("mprs_%s_" % sub):
            return sub
        for module in modules:
            # _ZN4mprs6stream..., _ZN4mprs3ffi6stream..., and trait impls (mprs..ffi..pin..).
            mangled = "%d%s" % (len(module), module)
            if ("_ZN4mprs" + mangled) in name or ("_ZN4mprs3ffi" + mangled) in name \
                    or ("mprs..ffi..%s.." % module) in name or ("mprs..%s.." % module) in name:
                return sub
    return None


def report(trees, board):
    """Prints the per-subsystem lines for one board; returns (C total, mprs total)."""
    maps = {v: os.path.join(trees[v], "ports", "qemu", "build-" + board, "firmware.map") for v in stage.BUILDS}
    c_secs = stage.map_sections(maps["c"])
    m_secs = stage.map_sections(maps["mprs"])
    rows = {sub: [0, 0, 0] for sub in list(SUBSYSTEMS) + ["shared"]}  # C, Rust, glue
    for sub, (orig, _, _) in SUBSYSTEMS.items():
        rows[sub][0] = sum(n for _, n, o in c_secs if o.endswith("/" + orig))
    for name, n, obj in m_secs:
        if "libmprs.a(" in obj:
            rows[rust_subsystem(name) or "shared"][1] += n
        elif "/c-glue/" in obj:
            glue = os.path.basename(obj)
            sub = next((s for s, (_, g, _) in SUBSYSTEMS.items() if g == glue), "shared")
            rows[sub][2] += n
    target = stage.QEMU_BOARDS[board][0]
    for sub, (c, rust, glue) in rows.items():
        ratio = "%.2f" % ((rust + glue) / c) if c else "-"
        stage.log("size %s %s: C %d B, mprs %d B (Rust %d + glue %d), ratio %s"
                  % (board, sub, c, rust + glue, rust, glue, ratio))
    c_total = sum(r[0] for r in rows.values())
    m_total = sum(r[1] + r[2] for r in rows.values())
    stage.log("size %s total (%s, -Os): C originals %d B, mprs %d B, ratio %.2f"
              % (board, target, c_total, m_total, m_total / c_total))
    return c_total, m_total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(stage.ROOT, "build"))
    parser.add_argument("--boards", default=",".join(BOARDS))
    args = parser.parse_args()
    stage.BUILD = os.path.join(os.path.abspath(args.build_dir), "micropython")
    src = stage.find_micropython()
    if src is None:
        stage.log("size report: skipped: MicroPython not found (see make test-micropython)")
        return 0
    trees = {v: stage.prepare_tree(src, v) for v in stage.BUILDS}
    mpy_cross = stage.build_mpy_cross(trees["c"])
    for board in args.boards.split(","):
        stage.build(trees, "qemu", stage.make_args_qemu(board, mpy_cross), board)
        stage.firmware_report(trees, board)
        report(trees, board)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except stage.StageError as e:
        stage.log("FAIL: %s" % e)
        sys.exit(1)
