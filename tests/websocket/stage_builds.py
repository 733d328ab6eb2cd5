#!/usr/bin/env python3
"""Builds the MicroPython binaries the websocket tests and benchmarks use, with the
MicroPython stage's own code (tests/micropython/stage.py): the same two trees
(<build>/micropython/c and .../mprs, the mprs one with the README's include line), the same
flags, so `make test-micropython` and these targets share one incremental build.

    stage_builds.py --build-dir DIR unix          the unix coverage builds
    stage_builds.py --build-dir DIR MPS2_AN385    a qemu board (websocket and WebREPL on)

Prints the C and the mprs binary (unix) or firmware folder (qemu), one a line.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "micropython"))
import stage  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("what", choices=["unix"] + list(stage.QEMU_BOARDS))
    args = ap.parse_args()
    stage.BUILD = os.path.join(os.path.abspath(args.build_dir), "micropython")
    src = stage.find_micropython()
    if src is None:
        sys.exit("websocket: MicroPython not found at ../shared/micropython or $MICROPYTHON_DIR")
    trees = {v: stage.prepare_tree(src, v) for v in stage.BUILDS}
    mpy_cross = stage.build_mpy_cross(trees["c"])
    if args.what == "unix":
        stage.build(trees, "unix", stage.make_args_unix(mpy_cross), "unix")
        for v in stage.BUILDS:
            print(stage.unix_binary(trees[v]))
    else:
        stage.build(trees, "qemu", stage.make_args_qemu(args.what, mpy_cross), args.what)
        for v in stage.BUILDS:
            print(os.path.join(trees[v], "ports", "qemu", "build-" + args.what))


if __name__ == "__main__":
    try:
        main()
    except stage.StageError as e:
        sys.exit("websocket: %s" % e)
