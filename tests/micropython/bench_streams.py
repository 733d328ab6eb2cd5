#!/usr/bin/env python3
"""Instructions per stream method call inside MicroPython, C build against mprs build.

Builds the unix port's standard variant twice from the same tree (as stage.py does: the mprs
copy has the README's include line), then counts instructions with callgrind for a script
that calls one stream method N times, and for the same script with the call left out. The
difference over N is the method's cost; callgrind's counts repeat exactly for the same
binary and input, so the figures are comparable run to run (unlike wall time).

Prints one line per method:
    bench <method>: C <n> instr/call, mprs <n> instr/call, ratio <mprs/C>
Usage: bench_streams.py [--build-dir DIR] [--calls N]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stage  # noqa: E402

# Each method: (setup, the call). The setup runs in both scripts; the call only in one.
# BytesIO's methods are py/stream.c's (or mprs's) generic stream methods over its read/write.
TEXT_LINES = "".join("line %04d of a text stream\n" % i for i in range(64))
METHODS = {
    "read(7)": ("s = io.BytesIO(bytes(range(256)) * 64)", "s.read(7); s.seek(0) if s.tell() > 16000 else None"),
    "read()": ("data = bytes(range(256)) * 4; s = io.BytesIO(data)", "s.seek(0); s.read()"),
    "readinto(64)": ("s = io.BytesIO(bytes(range(256)) * 64); b = bytearray(64)", "s.readinto(b); s.seek(0) if s.tell() > 16000 else None"),
    "readline()": ("s = io.BytesIO(%r)" % TEXT_LINES.encode(), "s.readline() or s.seek(0)"),
    "readline(8)": ("s = io.BytesIO(%r)" % TEXT_LINES.encode(), "s.readline(8) or s.seek(0)"),
    "write(64)": ("s = io.BytesIO(); d = bytes(64)", "s.write(d); s.seek(0) if s.tell() > 16000 else None"),
    "text read(5)": ("s = io.StringIO(%r * 8)" % "h\u00e9llo w\u00f6rld ", "s.read(5) or s.seek(0)"),
}

SCRIPT = """import io
{setup}
def run(n):
    for i in range(n):
        {call}
run({calls})
"""


def instructions(binary, script):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.py")
        with open(path, "w") as f:
            f.write(script)
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.path.join(tmp, "cg.out"), binary, path],
            capture_output=True, text=True)
        if out.returncode != 0:
            raise stage.StageError("callgrind run failed:\n%s\n%s" % (out.stdout[-2000:], out.stderr[-2000:]))
        m = re.search(r"Collected : (\d+)", out.stderr)
        return int(m.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(stage.ROOT, "build"))
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    stage.BUILD = os.path.join(os.path.abspath(args.build_dir), "micropython")
    src = stage.find_micropython()
    if src is None:
        stage.log("bench streams: skipped: MicroPython not found (see make test-micropython)")
        return 0
    trees = {v: stage.prepare_tree(src, v) for v in stage.BUILDS}
    mpy_cross = stage.build_mpy_cross(trees["c"])
    # btree, ssl and ffi off: their submodules are not in the tree.
    flags = ["VARIANT=standard", "MICROPY_PY_BTREE=0", "MICROPY_PY_SSL=0", "MICROPY_PY_FFI=0"]
    stage.build(trees, "unix", flags + ["MICROPY_MPYCROSS=" + mpy_cross], "unix-standard")
    binary = {v: os.path.join(trees[v], "ports", "unix", "build-standard", "micropython") for v in stage.BUILDS}
    stage.log("bench streams: instructions per call (callgrind), unix standard variant, %d calls" % args.calls)
    worst = 0.0
    for name, (setup, call) in METHODS.items():
        per_call = {}
        for v in stage.BUILDS:
            with_call = instructions(binary[v], SCRIPT.format(setup=setup, call=call, calls=args.calls))
            without = instructions(binary[v], SCRIPT.format(setup=setup, call="pass", calls=args.calls))
            per_call[v] = (with_call - without) / args.calls
        ratio = per_call["mprs"] / per_call["c"]
        worst = max(worst, ratio)
        stage.log("bench %s: C %.0f instr/call, mprs %.0f instr/call, ratio %.2f" % (name, per_call["c"], per_call["mprs"], ratio))
    stage.log("bench streams: highest ratio %.2f" % worst)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except stage.StageError as e:
        stage.log("FAIL: %s" % e)
        sys.exit(1)
