#!/usr/bin/env python3
"""MicroPython itself, built twice in one run: the C build (unmodified) and the mprs build (the
port Makefile gets the README's include line of c-glue/mprs.mk), with the same flags; then
MicroPython's own test suites and the project's VM tests on both, compared test by test.

Prints, per comparison:
    compare <what>: C <n> passed, <m> failed; mprs <n> passed, <m> failed; <k> differ
and per firmware:
    firmware <board>: C <text> <data> <bss>, mprs <text> <data> <bss>, text delta <+-bytes>
and fails if a test passes on the C build and fails on the mprs build, or if any result differs
without an entry in tests/micropython/differences.txt.

Usage: stage.py [--only NAME[,NAME...]] [--build-dir DIR]
(names: unix, vm, webrepl, and the qemu boards)
Environment: MICROPYTHON_DIR (default ../shared/micropython beside the project).
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.join(ROOT, "tests", "micropython")
BUILD = os.path.join(ROOT, "build", "micropython")  # --build-dir changes it
VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))
MICROPYTHON_COMMIT = "1c3c201149"
BUILDS = ("c", "mprs")
# The C files mprs replaces (MPRS_SUBSYSTEMS default): none may be linked into the mprs build.
REPLACED_C = ("py/stream.c", "extmod/os_dupterm.c", "extmod/virtpin.c", "extmod/modwebrepl.c", "extmod/modwebsocket.c")
JOBS = "-j2"

UNIX_FLAGS = [
    "VARIANT=coverage",
    "MICROPY_PY_BTREE=0",
    "MICROPY_PY_SSL=0",
    "MICROPY_PY_FFI=0",
    "USER_C_MODULES=" + os.path.join(HERE, "usermod"),
    "CFLAGS_EXTRA=-DMICROPY_PY_OS_DUPTERM=2 -DMICROPY_PY_WEBREPL=1 -Wno-error",
]
QEMU_CFLAGS = "-DMICROPY_PY_OS_DUPTERM=1 -DMICROPY_PY_WEBSOCKET=1 -DMICROPY_PY_WEBREPL=1"
# board: (Rust target, toolchain prefix, extra make arguments)
QEMU_BOARDS = {
    "MPS2_AN385": ("thumbv7m-none-eabi", "arm-none-eabi-", []),
    "MPS2_AN500": ("thumbv7em-none-eabihf", "arm-none-eabi-", []),
    "MICROBIT": ("thumbv6m-none-eabi", "arm-none-eabi-", []),
    # Debian's riscv64-unknown-elf gcc 12 has the rv32imac multilib only for -march=rv32imac;
    # with ISA spec 2.2 that name includes Zicsr, which the port's startup code needs.
    "VIRT_RV32": (
        "riscv32imac-unknown-none-elf",
        "riscv64-unknown-elf-",
        ["RV32_ARCH=rv32imac", "AFLAGS=-mabi=ilp32 -march=rv32imac -misa-spec=2.2"],
    ),
}


def log(msg):
    print(msg, flush=True)


# What a calling make exports would leak into MicroPython's own makes (BUILD=... would put every
# board in one folder).
MAKE_ENV = ("BUILD", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def clean_env(env=None):
    env = dict(os.environ if env is None else env)
    for name in MAKE_ENV:
        env.pop(name, None)
    return env


STALLED = -2


def run(cmd, cwd, logfile, env=None, timeout=1800, stall=None):
    """Runs cmd with its output in logfile; returns (exit code, seconds). With `stall`, a run
    whose log has not grown for that many seconds is ended (with everything it started) and
    reported as STALLED."""
    env = clean_env(env)
    t0 = time.monotonic()
    with open(logfile, "w") as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        size, grew = 0, time.monotonic()
        while True:
            try:
                rc = p.wait(timeout=2)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            new_size = os.path.getsize(logfile)
            if new_size != size:
                size, grew = new_size, now
            why = None
            if now - t0 > timeout:
                why, rc = "timed out after %d s" % timeout, -1
            elif stall is not None and now - grew > stall:
                why, rc = "no output for %d s: stopped" % stall, STALLED
            if why:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                out.write("\nstage.py: %s\n" % why)
                break
    return rc, time.monotonic() - t0


def tail(path, n=30):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-n:])


class StageError(Exception):
    pass


def must(rc_secs, what, logfile):
    rc, secs = rc_secs
    if rc != 0:
        raise StageError("%s failed (exit %d); last lines of %s:\n%s" % (what, rc, logfile, tail(logfile)))
    return secs


# ---- the trees ----------------------------------------------------------------------------


def find_micropython():
    src = os.environ.get("MICROPYTHON_DIR") or os.path.join(ROOT, "..", "shared", "micropython")
    src = os.path.abspath(src)
    if not os.path.isfile(os.path.join(src, "py", "mpconfig.h")):
        return None
    return src


def include_line():
    return "include %s" % os.path.join(ROOT, "c-glue", "mprs.mk")


def prepare_tree(src, variant):
    """A writable copy of MicroPython; the mprs copy gets the README's include line in each port
    Makefile, after `include $(TOP)/extmod/extmod.mk`, as a maintainer adds it."""
    dest = os.path.join(BUILD, variant)
    stamp = os.path.join(dest, ".mprs-stage-source")
    if not (os.path.exists(stamp) and open(stamp).read() == src):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(src, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        for dirpath, dirnames, filenames in os.walk(dest):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                if not os.path.islink(path):
                    os.chmod(path, os.stat(path).st_mode | 0o200)
        with open(stamp, "w") as f:
            f.write(src)
    if variant == "mprs":
        for port in ("unix", "qemu"):
            mk = os.path.join(dest, "ports", port, "Makefile")
            text = open(mk).read()
            line = include_line()
            if line not in text:
                anchor = "include $(TOP)/extmod/extmod.mk\n"
                if anchor not in text:
                    raise StageError("%s has no line '%s'" % (mk, anchor.strip()))
                text = text.replace(anchor, anchor + line + "\n", 1)
                with open(mk, "w") as f:
                    f.write(text)
    return dest


# ---- builds -------------------------------------------------------------------------------


def logdir():
    d = os.path.join(BUILD, "logs")
    os.makedirs(d, exist_ok=True)
    return d


def build_mpy_cross(tree):
    logfile = os.path.join(logdir(), "mpy-cross.log")
    secs = must(run(["make", JOBS], os.path.join(tree, "mpy-cross"), logfile), "mpy-cross build", logfile)
    log("build mpy-cross: %.0f s" % secs)
    return os.path.join(tree, "mpy-cross", "build", "mpy-cross")


def make_args_unix(mpy_cross):
    return UNIX_FLAGS + ["MICROPY_MPYCROSS=" + mpy_cross]


def make_args_qemu(board, mpy_cross, extra_cflags=""):
    target, _, extra = QEMU_BOARDS[board]
    cflags = QEMU_CFLAGS + (" -misa-spec=2.2" if board == "VIRT_RV32" else "") + extra_cflags
    return ["BOARD=" + board, "MPRS_TARGET=" + target, "MICROPY_MPYCROSS=" + mpy_cross, "CFLAGS_EXTRA=" + cflags] + extra


def build(trees, port, args, name):
    """Builds one port in both trees, one after the other (each with -j2)."""
    for variant in BUILDS:
        logfile = os.path.join(logdir(), "build-%s-%s.log" % (name, variant))
        secs = must(run(["make", JOBS] + args, os.path.join(trees[variant], "ports", port), logfile),
                    "%s build of %s" % (variant, name), logfile)
        log("build %s (%s): %.0f s" % (name, "C" if variant == "c" else variant, secs))
        if variant == "mprs":
            check_glue_warnings(logfile, name)
        if port == "unix":
            drop_stale_profiles(trees[variant])


def drop_stale_profiles(tree):
    """The coverage variant's gcov data from an earlier binary: the first run of a rebuilt
    binary would print a merge warning into run-tests.py's platform detection."""
    for dirpath, _, filenames in os.walk(os.path.join(tree, "ports", "unix")):
        for name in filenames:
            if name.endswith(".gcda"):
                os.remove(os.path.join(dirpath, name))


def check_glue_warnings(logfile, name):
    """The glue compiles cleanly under the port's own warnings (the C build needs -Wno-error for
    extmod/modwebrepl.c; the glue must not)."""
    warnings = [l for l in open(logfile, errors="replace") if "c-glue/" in l and "warning:" in l]
    if warnings:
        raise StageError("the glue warns in the %s build:\n%s" % (name, "".join(warnings)))


# ---- test runs and comparison -------------------------------------------------------------


def load_results(result_dir):
    path = os.path.join(result_dir, "_results.json")
    if not os.path.exists(path):
        raise StageError("no results in %s" % result_dir)
    with open(path) as f:
        data = json.load(f)
    return {name: status for name, status, _ in data["results"]}


def load_differences():
    """Deliberate differences: '<comparison> <test> <reason...>' lines."""
    listed = {}
    path = os.path.join(HERE, "differences.txt")
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise StageError("differences.txt: '%s' needs <comparison> <test> <reason>" % line)
            listed[(parts[0], parts[1])] = parts[2]
    return listed


def output_of(result_dir, test):
    """A failed test's output, with the build's own tree (in tracebacks) named alike."""
    path = os.path.join(result_dir, test.replace("/", "_") + ".out")
    if os.path.exists(path):
        with open(path, "rb") as f:
            out = f.read()
        for variant in BUILDS:
            out = out.replace(os.path.join(BUILD, variant).encode() + b"/", b"<tree>/")
        return out
    return None


def compare(what, results, result_dirs, rerun, listed):
    """results: {build: {test: status}}. A test differs when its status differs, or when it
    fails on both builds with different output. Such tests are run again on both builds
    (rerun(tests) -> {build: ({test: status}, result_dir)}) before they count: some of
    MicroPython's tests are timing-sensitive under load, or bind a fixed port."""
    c, m = results["c"], results["mprs"]
    out_dir = {b: {t: result_dirs[b] for t in results[b]} for b in BUILDS}

    def is_listed(t):
        return (what, t) in listed or (what, os.path.basename(t)) in listed

    def shown(t):  # our own tests run by absolute path
        return os.path.relpath(t, ROOT) if os.path.isabs(t) else t

    def differs(t):
        if c.get(t) != m.get(t):
            return True
        return c[t] == "fail" and output_of(out_dir["c"][t], t) != output_of(out_dir["mprs"][t], t)

    differ = sorted(t for t in set(c) | set(m) if not is_listed(t) and differs(t))
    for attempt in range(2):
        if not differ:
            break
        log("compare %s: running again on both builds: %s" % (what, " ".join(map(shown, differ))))
        again = rerun(differ)
        for b in BUILDS:
            results[b].update(again[b][0])
            out_dir[b].update({t: again[b][1] for t in again[b][0]})
        differ = [t for t in differ if differs(t)]

    def counts(r):
        return sum(1 for s in r.values() if s == "pass"), sum(1 for s in r.values() if s == "fail")

    (cp, cf), (mp, mf) = counts(c), counts(m)
    problems = list(differ)
    log("compare %s: C %d passed, %d failed; mprs %d passed, %d failed; %d differ"
        % (what, cp, cf, mp, mf, len(problems)))
    for t in differ:
        if c.get(t) != m.get(t):
            log("  differs: %s: C %s, mprs %s" % (shown(t), c.get(t, "not run"), m.get(t, "not run")))
        else:
            log("  differs: %s: fails on both with different output" % shown(t))
    for t in sorted(t for t in set(c) | set(m) if is_listed(t)):
        reason = listed.get((what, t)) or listed.get((what, os.path.basename(t)))
        log("  listed difference: %s: C %s, mprs %s (%s)" % (shown(t), c.get(t, "not run"), m.get(t, "not run"), reason))
        if m.get(t) != "pass":
            problems.append(t)
            log("  but the mprs build does not pass it")
    both = sorted(t for t in c if c[t] == "fail" and m.get(t) == "fail")
    if both:
        log("  failing on both, with the same output: %s" % " ".join(map(shown, both)))
    only_mprs = [t for t in differ if c.get(t) == "pass" and m.get(t) != "pass"]
    return problems, only_mprs


def run_tests_py(tree, result_dir, args, env_extra, logfile):
    env = dict(os.environ, **env_extra)
    env["PATH"] = VENV_BIN + os.pathsep + env["PATH"]
    shutil.rmtree(result_dir, ignore_errors=True)
    return run([sys.executable, "run-tests.py", "-r", result_dir] + args,
               os.path.join(tree, "tests"), logfile, env=env)


def unix_binary(tree):
    return os.path.join(tree, "ports", "unix", "build-coverage", "micropython")


def suite_unix(trees, name, files, jobs):
    """MicroPython's run-tests.py (default set, or the given files) on both unix builds, side by
    side."""
    def one(variant, test_files, tag):
        result_dir = os.path.join(BUILD, "results", "%s-%s%s" % (name, variant, tag))
        logfile = os.path.join(logdir(), "tests-%s-%s%s.log" % (name, variant, tag))
        env = {"MICROPY_MICROPYTHON": unix_binary(trees[variant])}
        rc, secs = run_tests_py(trees[variant], result_dir, ["-j", str(jobs)] + test_files, env, logfile)
        if not os.path.exists(os.path.join(result_dir, "_results.json")):
            raise StageError("%s tests on the %s build did not run; last lines of %s:\n%s"
                             % (name, variant, logfile, tail(logfile)))
        return load_results(result_dir), result_dir, secs

    with ThreadPoolExecutor(2) as pool:
        done = {v: pool.submit(one, v, files, "") for v in BUILDS}
        out = {v: done[v].result() for v in BUILDS}
    log("suite %s: C %.0f s, mprs %.0f s (side by side)" % (name, out["c"][2], out["mprs"][2]))

    def rerun(tests):
        # One build after the other: side by side, tests that bind a fixed port (e.g.
        # extmod/select_ipoll.py, UDP 8000) find it taken and skip.
        return {v: one(v, tests, "-again")[:2] for v in BUILDS}

    return {v: out[v][0] for v in BUILDS}, {v: out[v][1] for v in BUILDS}, rerun


# MICROBIT's emulated nRF51 UART drops bytes when the host is busy (the port's uart_tx_strn
# does not wait for TXDRDY): output lines go missing, and a lost byte can leave pyboard.py
# waiting forever. Its suites run one at a time; a suite whose output stalls is stopped and
# resumed without the tests it finished.
QEMU_ALONE = ("MICROBIT",)
# Tests left out on both builds of a board, each with its reason (printed by the stage).
QEMU_EXCLUDED = {
    "MICROBIT": (
        ("basics/int_big_div.py", "basics/int_big_mul.py", "extmod/framebuf_polygon.py"),
        "they print over 2,000 lines (framebuf_polygon 100 KB) faster than the emulated UART "
        "carries them; bytes are dropped, so the output is cut short or pyboard.py waits "
        "forever, on either build (all three still run on the other boards and unix)",
    ),
}
QEMU_STALL = 120
QEMU_ATTEMPTS = 3
LOG_RESULT = re.compile(r"^(pass|FAIL|skip)\s+(\S+)")


def finished_tests(logfile):
    status = {"pass": "pass", "FAIL": "fail", "skip": "skip"}
    done = {}
    for line in open(logfile, errors="replace"):
        m = LOG_RESULT.match(line)
        if m:
            done[m.group(2)] = status[m.group(1)]
    return done


def kill_strays(tree):
    """Ends the emulators a run left behind in `tree`: pyboard.py starts qemu in a session of
    its own, so when a stalled suite is killed its qemu goes on running (and taking a core)."""
    tree = os.path.realpath(tree) + os.sep
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            exe = os.path.basename(os.readlink("/proc/%s/exe" % pid))
            cwd = os.readlink("/proc/%s/cwd" % pid)
            if exe.startswith("qemu-system") and (cwd + os.sep).startswith(tree):
                os.kill(int(pid), signal.SIGKILL)
        except OSError:
            continue


def suite_qemu(trees, board, mpy_cross):
    """The qemu port's own `make test` on both builds of one board, side by side."""
    def one(variant, files, tag):
        done, done_dirs, secs = {}, {}, 0.0
        for attempt in range(QEMU_ATTEMPTS):
            name = "%s-%s%s%s" % (board, variant, tag, "-resumed%d" % attempt if attempt else "")
            result_dir = os.path.join(BUILD, "results", name)
            shutil.rmtree(result_dir, ignore_errors=True)
            logfile = os.path.join(logdir(), "tests-%s.log" % name)
            env = dict(os.environ)
            env["PATH"] = VENV_BIN + os.pathsep + env["PATH"]
            # Test names are letters, digits, '_', '/' and '.': as patterns they match themselves.
            left_out = set(done) | set(QEMU_EXCLUDED.get(board, ((), ""))[0])
            excluded = [arg for t in sorted(left_out) for arg in ("-e", t)]
            extra = " ".join(["-r", result_dir] + excluded + files)
            rc, took = run(["make", "test", "RUN_TESTS_EXTRA=" + extra] + make_args_qemu(board, mpy_cross),
                           os.path.join(trees[variant], "ports", "qemu"), logfile, env=env, stall=QEMU_STALL)
            kill_strays(trees[variant])
            secs += took
            if rc != STALLED:
                break
            finished = finished_tests(logfile)
            done.update(finished)
            done_dirs.update({t: result_dir for t in finished})
            log("suite %s (%s): output stalled after %d more tests; resuming without the %d finished"
                % (board, variant, len(finished), len(done)))
        if not os.path.exists(os.path.join(result_dir, "_results.json")):
            raise StageError("%s tests on the %s build did not run; last lines of %s:\n%s"
                             % (board, variant, logfile, tail(logfile)))
        results = load_results(result_dir)
        for t, status in done.items():
            results.setdefault(t, status)
            # A failure's output from an earlier attempt, where compare() looks for it.
            for ext in (".out", ".exp"):
                src = os.path.join(done_dirs[t], t.replace("/", "_") + ext)
                if os.path.exists(src):
                    shutil.copy(src, result_dir)
        return results, result_dir, secs

    if board in QEMU_EXCLUDED:
        tests, why = QEMU_EXCLUDED[board]
        log("suite %s: left out on both builds: %s: %s" % (board, " ".join(tests), why))
    if board in QEMU_ALONE:
        out = {v: one(v, [], "") for v in BUILDS}
        log("suite %s: C %.0f s, mprs %.0f s (one after the other)" % (board, out["c"][2], out["mprs"][2]))
    else:
        with ThreadPoolExecutor(2) as pool:
            done = {v: pool.submit(one, v, [], "") for v in BUILDS}
            out = {v: done[v].result() for v in BUILDS}
        log("suite %s: C %.0f s, mprs %.0f s (side by side)" % (board, out["c"][2], out["mprs"][2]))

    def rerun(tests):
        # One build after the other: side by side, tests that bind a fixed port (e.g.
        # extmod/select_ipoll.py, UDP 8000) find it taken and skip.
        return {v: one(v, tests, "-again")[:2] for v in BUILDS}

    return {v: out[v][0] for v in BUILDS}, {v: out[v][1] for v in BUILDS}, rerun


# ---- what the mprs build links --------------------------------------------------------------


def check_replaced_not_linked(trees):
    """nm -l names the source line of each symbol (the coverage build has debug info): no symbol
    of the mprs binary may come from a replaced C file. The same check on the C build must find
    them, so the check itself is shown to work."""
    pattern = re.compile(r"\s(\S*/)?(%s):\d+$" % "|".join(re.escape(f) for f in REPLACED_C))
    found = {}
    for variant in BUILDS:
        out = subprocess.run(["nm", "-l", "--defined-only", unix_binary(trees[variant])],
                             capture_output=True, text=True, check=True).stdout
        files = set()
        for line in out.splitlines():
            m = pattern.search(line)
            if m:
                files.add(m.group(2))
        found[variant] = files
    if found["mprs"]:
        raise StageError("the mprs unix build links code from %s" % ", ".join(sorted(found["mprs"])))
    if set(REPLACED_C) - found["c"]:
        raise StageError("nm check cannot see %s in the C build" % ", ".join(sorted(set(REPLACED_C) - found["c"])))
    log("nm unix: the mprs build links none of %s (the C build links all %d)" % (", ".join(REPLACED_C), len(REPLACED_C)))


def elf_size(prefix, elf):
    out = subprocess.run([prefix + "size", elf], capture_output=True, text=True, check=True).stdout
    text, data, bss = out.splitlines()[1].split()[:3]
    return int(text), int(data), int(bss)


MAP_SECTION = re.compile(r"^ (\.[\w.$-]+)?\s*(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$")


def map_sections(mapfile):
    """(input section, bytes, object) for each flash input section (.text*, .rodata*, and
    .data* which flash holds too) in the memory map part of a GNU ld map."""
    out = []
    section = None
    in_map = False
    for line in open(mapfile, errors="replace"):
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map:
            continue
        if re.match(r"^ \.[\w.$-]+\s*$", line):
            section = line.split()[0]
            continue
        m = MAP_SECTION.match(line.rstrip("\n"))
        if not m:
            if not line.startswith("  "):
                section = None
            continue
        name = m.group(1) or section
        size = int(m.group(3), 16)
        obj = m.group(4).strip()
        section = None
        if name and size and not obj.startswith("*fill*") and name.startswith((".text", ".rodata", ".data")):
            out.append((name, size, obj))
    return out


def map_bytes(mapfile):
    """Flash bytes per input object of a GNU ld map."""
    per_obj = {}
    for _, size, obj in map_sections(mapfile):
        per_obj[obj] = per_obj.get(obj, 0) + size
    return per_obj


def firmware_report(trees, board):
    _, prefix, _ = QEMU_BOARDS[board]
    elf = {v: os.path.join(trees[v], "ports", "qemu", "build-" + board, "firmware.elf") for v in BUILDS}
    size = {v: elf_size(prefix, elf[v]) for v in BUILDS}
    log("firmware %s: C %d %d %d, mprs %d %d %d, text delta %+d"
        % ((board,) + size["c"] + size["mprs"] + (size["mprs"][0] - size["c"][0],)))
    c_map = map_bytes(elf["c"][:-4] + ".map")
    m_map = map_bytes(elf["mprs"][:-4] + ".map")
    originals = {f: sum(n for o, n in c_map.items() if o.endswith("/" + f[:-2] + ".o")) for f in REPLACED_C}
    glue = {}
    for o, n in m_map.items():
        if "/c-glue/" in o:
            key = "glue " + os.path.basename(o)
        elif "libmprs.a(" in o:
            key = "libmprs.a"
        else:
            continue
        glue[key] = glue.get(key, 0) + n
    log("  map %s: C originals %d B (%s); mprs %d B (%s)" % (
        board, sum(originals.values()), ", ".join("%s %d" % (os.path.basename(f)[:-2] + ".o", n) for f, n in originals.items()),
        sum(glue.values()), ", ".join("%s %d" % kv for kv in sorted(glue.items()))))


# ---- main ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated: unix, vm, webrepl, " + ", ".join(QEMU_BOARDS))
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"), help="the project's build folder")
    args = parser.parse_args()
    global BUILD
    BUILD = os.path.join(os.path.abspath(args.build_dir), "micropython")
    only = set(filter(None, args.only.split(",")))
    wanted = lambda name: not only or name in only  # noqa: E731

    src = find_micropython()
    if src is None:
        log("micropython stage: skipped: MicroPython not found at ../shared/micropython or $MICROPYTHON_DIR.")
        log("  Get it with: git clone https://github.com/micropython/micropython && git -C micropython checkout %s"
            % MICROPYTHON_COMMIT)
        log("  && git -C micropython submodule update --init lib/micropython-lib lib/lwip,")
        log("  then: make test-micropython MICROPYTHON_DIR=$PWD/micropython")
        return 0
    log("micropython stage: MicroPython from %s (checked against %s), builds in %s" % (src, MICROPYTHON_COMMIT, BUILD))
    t0 = time.monotonic()
    trees = {v: prepare_tree(src, v) for v in BUILDS}
    log("mprs build: '%s' after 'include $(TOP)/extmod/extmod.mk' in ports/unix and ports/qemu" % include_line())
    mpy_cross = build_mpy_cross(trees["c"])
    listed = load_differences()
    problems = []
    only_mprs = []

    def record(result):
        problems.extend(result[0])
        only_mprs.extend(result[1])

    if wanted("unix") or wanted("vm") or wanted("webrepl"):
        build(trees, "unix", make_args_unix(mpy_cross), "unix")
        check_replaced_not_linked(trees)
    if wanted("unix"):
        results, dirs, rerun = suite_unix(trees, "unix", [], 2)
        record(compare("unix", results, dirs, rerun, listed))
    if wanted("vm"):
        vm_tests = sorted(os.path.join(HERE, "vm", f) for f in os.listdir(os.path.join(HERE, "vm")) if f.endswith(".py"))
        results, dirs, rerun = suite_unix(trees, "vm", vm_tests, 1)
        record(compare("vm", results, dirs, lambda tests: {b: ({}, dirs[b]) for b in BUILDS}, listed))
    if wanted("webrepl"):
        record(webrepl_in_vm(trees))

    boards = [b for b in QEMU_BOARDS if wanted(b)]
    for board in boards:
        build(trees, "qemu", make_args_qemu(board, mpy_cross), board)
    for board in boards:
        results, dirs, rerun = suite_qemu(trees, board, mpy_cross)
        record(compare(board, results, dirs, rerun, listed))
        firmware_report(trees, board)

    log("micropython stage: %.0f s" % (time.monotonic() - t0))
    if only_mprs:
        log("FAIL: passing on the C build, failing on the mprs build: %s" % " ".join(only_mprs))
    if problems:
        log("FAIL: %d unlisted difference(s) between the builds (see above)" % len(problems))
        return 1
    return 0


def webrepl_in_vm(trees):
    """The PyPI WebREPL client against `_webrepl` served by each unix build (see webrepl/)."""
    driver = os.path.join(HERE, "webrepl", "test_client.py")
    status = {}
    for variant in BUILDS:
        logfile = os.path.join(logdir(), "webrepl-%s.log" % variant)
        rc, secs = run([sys.executable, driver, "--build", variant, unix_binary(trees[variant])],
                       HERE, logfile, timeout=600)
        lines = [l.strip() for l in open(logfile) if l.startswith("webrepl in vm")]
        log("%s (%.0f s)" % (lines[-1] if lines else "webrepl in vm (%s): no result, exit %d" % (variant, rc), secs))
        status[variant] = rc
        if rc != 0:
            log(tail(logfile, 40))
    problems = [b for b in BUILDS if status[b] != 0]
    return problems, (["webrepl"] if status["c"] == 0 and status["mprs"] != 0 else [])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StageError as e:
        log("FAIL: %s" % e)
        sys.exit(1)
