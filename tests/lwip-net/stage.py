#!/usr/bin/env python3
"""lwIP's `socket` module in MicroPython over a real network: MicroPython's unix port built as
an lwIP board builds it (our variant in unix-lwip/: lwIP 2.2.1 from the tree, NO_SYS, polled
from the VM's event hook, our TAP netif, strict lock and assertion checks), in a network
namespace made here, against the stock unix MicroPython (POSIX sockets) of the same tree.

Per build of the socket module (C: extmod/modlwip.c; mprs: c-glue/socket.c, MPRS_SUBSYSTEMS with socket):
  - MicroPython's tests/multi_net with run-multitests.py, the lwIP build as instance0 and as
    instance1, the stock build as the other;
  - tests/net_hosted's offline tests with run-tests.py -j 1 (lwIP's loopback);
  - our fault tests (faults/*.py), whose outcome on the C build faults/expected-on-c.txt gives;
  - the soak: faults/accept_cycles.py with 10,000 connect/send/accept/recv/close cycles, lwIP's
    pools, heap and pcbs back where they began but for TIME-WAIT pcbs, which it counts;
  - the soak (mprs only) and the fault tests again on the build made with AddressSanitizer
    (in ports/unix/build-unix-lwip-asan), its reports counted; on C they are reported, not failed;
  - the lwIP calls made without the lwIP lock and lwIP's failed assertions, counted (the
    checks run in "log" mode here, so that a faulty build runs to the end of each test);
  - figures: TCP throughput both ways and accepts per second over the TAP link, and the
    instructions per received TCP segment (callgrind; bench/segments.py);
  - WebREPL over lwIP (webrepl/): the tree's webrepl.py on the lwIP build, the PyPI client
    in the namespace, printing "webrepl over lwip (<build>): <n> passed, <m> failed";
  - the 64-bit build: extmod/modlwip.c must still fail to compile with the port's -Werror as it
    is (sign-compare), where mprs's glue builds;
  - IPv6: each module built again with lwIP dual-stack (in ports/unix/build-unix-lwip-ipv6)
    runs ipv6/loopback.py over lwIP's ::1; mprs must print its .exp, which is what C prints.
Prints, per build and role:
    multi_net (C, lwip as instance0): <n> passed, <m> failed, <k> skipped
per build:
    figures (mprs): <n> instructions per received segment (callgrind: ...)
    soak (mprs): 10000 cycles, echoes intact 10000, lwIP pools and pcbs back (<n> pcbs in TIME-WAIT)
    soak under ASan (mprs): <the same>; fault tests <n> passed, <m> failed; <k> reports from <r> instrumented runs
and with both builds:
    compare multi_net: C <n> passed, <m> failed; mprs <n> passed, <m> failed; <k> differ
where <k> leaves out the deliberate differences tests/micropython/differences.txt lists (a
'multi_net <test file name> <reason>' line: the C original's fault, which mprs fixes), shown
apart as "(<j> listed: <test>)".
Fails if a build or run breaks, if a fault test ends on the C build otherwise than listed,
if a test (or WebREPL check) passes on the C build and fails on the mprs build, if a listed
difference is stale (no run fails on C and passes on mprs), if the soak fails, or if under ASan
the mprs build fails the soak or a fault test or has a report. Skips, saying why, where
MicroPython is absent or network namespaces cannot be made.

Usage: stage.py [--build-dir DIR]   Environment: MICROPYTHON_DIR.
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))
import stage as mp  # noqa: E402  the MicroPython stage: tree copies, builds, runs

VARIANT_DIR = os.path.join(HERE, "unix-lwip")
FAULTS = os.path.join(HERE, "faults")
BENCH = os.path.join(HERE, "bench", "throughput.py")
# Instructions per received TCP segment, under callgrind: bench/segments.py's lwIP side
# fetching this much from its kernel side, and nothing.
SEGMENTS = os.path.join(HERE, "bench", "segments.py")
SEGMENTS_BYTES = 1024 * 1024
SEGMENTS_PORT = 8011
# The soak: the accept_cycles fault test, 10,000 cycles, on each build and under ASan.
SOAK = os.path.join(FAULTS, "accept_cycles.py")
SOAK_CYCLES = 10000
# The lwIP builds again, with AddressSanitizer (unix-lwip/mpconfigvariant.mk, MPRS_LWIP_ASAN).
ASAN_BUILD = "build-" + os.path.basename(VARIANT_DIR) + "-asan"
# STRIP empty: not stripped, and with debug information (ports/unix/Makefile), so that a
# report names functions and lines.
ASAN_ARGS = ["BUILD=" + ASAN_BUILD, "MPRS_LWIP_ASAN=1", "STRIP="]
# The lwIP builds again, dual-stack (unix-lwip/lwipopts.h, MPRS_LWIP_IPV6), as some boards
# build lwIP: ipv6/loopback.py on each, the outputs compared.
IPV6_BUILD = "build-" + os.path.basename(VARIANT_DIR) + "-ipv6"
IPV6_ARGS = ["BUILD=" + IPV6_BUILD, "MPRS_LWIP_IPV6=1"]
IPV6_SCRIPT = os.path.join(HERE, "ipv6", "loopback.py")
WEBREPL_CLIENT = os.path.join(HERE, "webrepl", "client.py")
WEBREPL_PY = os.path.join("lib", "micropython-lib", "micropython", "net", "webrepl")
LWIP_BIN = os.path.join("ports", "unix", "build-" + os.path.basename(VARIANT_DIR), "micropython")
STOCK_BIN = os.path.join("ports", "unix", "build-standard", "micropython")
# The stock peer: the unix port's standard variant, less what this copy of the tree lacks.
COMMON_FLAGS = ["MICROPY_PY_BTREE=0", "MICROPY_PY_SSL=0", "MICROPY_PY_FFI=0"]
# The socket module builds: (name, tree, extra make arguments). The mprs build is there once
# c-glue/mprs.mk replaces extmod/modlwip.c.
MPRS_SOCKET_SUBSYSTEMS = "stream dupterm virtpin webrepl websocket lwip socket"
TAP, LWIP_IP, NETMASK, HOST_IP = "mprstap0", "192.0.2.1", "255.255.255.0", "192.0.2.2"
NS_PREFIX = "mprs-lwipnet-"
# tests/net_hosted without the internet or SSL (lwIP's loopback serves 127.0.0.1).
NET_HOSTED = ("accept_nonblock.py", "accept_timeout.py", "asyncio_loopback.py", "asyncio_start_server.py")
ROLES = (0, 1)
# Runs in all of a listed difference (tests/micropython/differences.txt) before it is stale:
# the C fault it stands for may hang on timing (tcp_accept_recv.py passed on C in 1 run of
# 14 here, the server's FIN coming after connect's wait).
LISTED_RUNS = 5

log = mp.log


# ---- the network namespace ----------------------------------------------------------------


def ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), capture_output=True, text=True, check=check)


def netns_unavailable():
    """Why namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "not root (ip netns and TAP devices need root)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if shutil.which("ip") is None:
        return "no 'ip' command (Debian package iproute2)"
    return None


class Netns:
    """A namespace with a TAP device (HOST_IP, the kernel's side; LWIP_IP is lwIP's) and a
    default route through lwIP, so that CPython's get_host_ip() finds HOST_IP. Removed on
    exit, whatever happens (SIGTERM and SIGINT included)."""

    def __init__(self):
        self.name = NS_PREFIX + str(os.getpid())
        self.made = False

    def __enter__(self):
        self.remove_stale()
        r = ip("netns", "add", self.name, check=False)
        if r.returncode != 0:
            raise NetnsUnavailable("cannot create a network namespace: " + r.stderr.strip())
        self.made = True
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(1))
        steps = [
            ["link", "set", "lo", "up"],
            ["tuntap", "add", "dev", TAP, "mode", "tap"],
            ["addr", "add", HOST_IP + "/24", "dev", TAP],
            ["link", "set", TAP, "up"],
            ["route", "add", "default", "via", LWIP_IP, "dev", TAP],
        ]
        for step in steps:
            r = ip("netns", "exec", self.name, "ip", *step, check=False)
            if r.returncode != 0:
                raise NetnsUnavailable("'ip %s' in the namespace: %s" % (" ".join(step), r.stderr.strip()))
        return self

    def __exit__(self, *exc):
        if self.made:
            self.kill_leftovers()
            ip("netns", "del", self.name, check=False)
            self.made = False

    def remove_stale(self):
        """Namespaces left by a run that was killed (its process is gone)."""
        for line in ip("netns", "list", check=False).stdout.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith(NS_PREFIX):
                pid = name[len(NS_PREFIX):]
                if pid.isdigit() and not os.path.exists("/proc/" + pid):
                    ip("netns", "del", name, check=False)

    def cmd(self, argv):
        return ["ip", "netns", "exec", self.name] + argv

    def kill_leftovers(self):
        """Ends what a run left in the namespace (run-multitests.py leaves its instances
        running when it fails itself): one lwIP process holding the TAP device would make
        every later test fail with EBUSY."""
        pids = [int(p) for p in ip("netns", "pids", self.name, check=False).stdout.split() if p.isdigit()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if pids:
            log("  ended %d process(es) the run left in the namespace: %s" % (len(pids), " ".join(map(str, pids))))


class NetnsUnavailable(Exception):
    pass


# ---- builds -------------------------------------------------------------------------------


def mprs_has_socket():
    with open(os.path.join(ROOT, "c-glue", "mprs.mk")) as f:
        return "extmod/modlwip.c" in f.read()


def build_unix(tree, args, name, mpy_cross):
    logfile = os.path.join(mp.logdir(), "lwip-net-build-%s.log" % re.sub(r"\W+", "-", name).strip("-"))
    secs = mp.must(mp.run(["make", mp.JOBS, "MICROPY_MPYCROSS=" + mpy_cross] + COMMON_FLAGS + args,
                          os.path.join(tree, "ports", "unix"), logfile), "build of " + name, logfile)
    log("build %s: %.0f s" % (name, secs))


def strict_warnings(tree, make_args, mpy_cross):
    """modlwip.c's fault on a 64-bit host: with the unix port's -Werror as it is (no
    -Wno-error=sign-compare, MPRS_STRICT_MODLWIP=1) extmod/modlwip.o must fail to compile, on
    sign-compare; mprs's glue (c-glue/socket.c, lwip.c) is built with those flags by the mprs
    build itself. make -W recompiles only that object; on failure the object the build made
    stays in place. Returns the problems."""
    obj = os.path.join("build-" + os.path.basename(VARIANT_DIR), "extmod", "modlwip.o")
    logfile = os.path.join(mp.logdir(), "lwip-net-build-C-strict-modlwip.log")
    rc, _ = mp.run(["make", "MICROPY_MPYCROSS=" + mpy_cross] + COMMON_FLAGS + make_args
                   + ["MPRS_STRICT_MODLWIP=1", "-W", "../../extmod/modlwip.c", obj],
                   os.path.join(tree, "ports", "unix"), logfile)
    errors = [l for l in open(logfile, errors="replace") if "error:" in l]
    sign = [l for l in errors if "Werror=sign-compare" in l]
    ok = rc != 0 and len(sign) > 0
    log("64-bit build with the port's -Werror (C): extmod/modlwip.c %s; mprs's glue builds with "
        "the same flags" % ("fails, as expected: %d sign-compare errors" % len(sign) if ok else
                            "did not fail on sign-compare as expected (exit %d, %d errors)" % (rc, len(errors))))
    return [] if ok else ["64-bit -Werror check (C)"]


def write_instance(path, binary):
    """run-multitests.py's instance for an lwIP build: the TAP interface up, and `nic` (our
    lwip_tap module, whose ifconfig() get_network_ip() reads) defined before the script."""
    with open(path, "w") as f:
        f.write(
            "#!/bin/sh\n"
            "# run-multitests.py instance (made by tests/lwip-net/stage.py): the lwIP build on %s.\n"
            '# MPRS_LWIP_TAP set empty: lwIP\'s loopback only.\n'
            'export MPRS_LWIP_TAP="${MPRS_LWIP_TAP-%s %s %s %s}"\n'
            'if [ "$1" = -c ]; then exec %s -c "import lwip_tap as nic\n$2"; fi\n'
            'exec %s "$@"\n' % (TAP, TAP, LWIP_IP, NETMASK, HOST_IP, binary, binary)
        )
    os.chmod(path, 0o755)
    return path


# ---- runs ---------------------------------------------------------------------------------


def checks_env(logfile):
    """lwIP's checks in "log" mode: recorded in logfile, so that a faulty build goes on."""
    if os.path.exists(logfile):
        os.remove(logfile)
    return {"MPRS_LWIP_LOCK_CHECK": "log", "MPRS_LWIP_ASSERT": "log", "MPRS_LWIP_CHECKS_LOG": logfile}


def run_multitests(netns, tree, instances, files, tag, env_extra):
    result_dir = os.path.join(mp.BUILD, "results", "lwip-net-" + tag)
    shutil.rmtree(result_dir, ignore_errors=True)
    logfile = os.path.join(mp.logdir(), "lwip-net-%s.log" % tag)
    env = dict(os.environ, **env_extra)
    env["PATH"] = mp.VENV_BIN + os.pathsep + env["PATH"]
    argv = [sys.executable, "run-multitests.py", "-r", result_dir]
    for inst in instances:
        # "cpython": run-multitests.py's own CPython instance (python3, the venv's on PATH).
        argv += ["-t", inst if inst == "cpython" else "exec:" + inst]
    rc, secs = mp.run(netns.cmd(argv + files), os.path.join(tree, "tests"), logfile, env=env, timeout=900)
    netns.kill_leftovers()
    results_json = os.path.join(result_dir, "_results.json")
    if os.path.exists(results_json):
        return mp.load_results(result_dir), logfile, secs
    # run-multitests.py writes its results at the end, and dies with the run when an
    # instance does (BrokenPipeError on its stdin): each test then runs alone, and one
    # whose run dies counts as failed on this build.
    log("run-multitests.py (%s) gave no results (an instance died); last lines of %s:\n%s"
        % (tag, os.path.relpath(logfile, ROOT), mp.tail(logfile, 6)))
    if len(files) == 1:
        return {files[0]: "fail"}, logfile, secs
    results = {}
    for i, f in enumerate(files):
        one, _, took = run_multitests(netns, tree, instances, [f], "%s-alone%d" % (tag, i), env_extra)
        results.update(one)
        secs += took
    return results, logfile, secs


def summary(results):
    n = {s: sum(1 for v in results.values() if v == s) for s in ("pass", "fail", "skip")}
    return "%d passed, %d failed, %d skipped" % (n["pass"], n["fail"], n["skip"])


def failed(results):
    return sorted(t for t, s in results.items() if s == "fail")


def multi_files(tree):
    return sorted(os.path.relpath(f, os.path.join(tree, "tests"))
                  for f in glob.glob(os.path.join(tree, "tests", "multi_net", "*.py")))


def multi_net(netns, tree, lwip_inst, stock, build, check_log, files=None, tag=""):
    """Both roles (or those of `files`, {role: [file]}); results keyed 'instance<role>:<test>'."""
    files = files or {role: multi_files(tree) for role in ROLES}
    out = {}
    for role, role_files in sorted(files.items()):
        instances = [lwip_inst, stock] if role == 0 else [stock, lwip_inst]
        results, logfile, secs = run_multitests(netns, tree, instances, role_files, "multi_net-%s-%d%s" % (build, role, tag),
                                                checks_env(check_log + ".role%d%s" % (role, tag)))
        log("multi_net (%s, lwip as instance%d)%s: %s (%.0f s)" % (build, role, tag, summary(results), secs))
        for t in failed(results):
            log("  failed: %s (output in %s)" % (t, os.path.relpath(logfile, ROOT)))
        out.update({"instance%d:%s" % (role, t): s for t, s in results.items()})
    return out


def net_hosted(tree, lwip_inst, build, check_log, files=None, tag=""):
    """run-tests.py, one test at a time (one TAP device, one process): lwIP's loopback only."""
    result_dir = os.path.join(mp.BUILD, "results", "lwip-net-net_hosted-%s%s" % (build, tag))
    logfile = os.path.join(mp.logdir(), "lwip-net-net_hosted-%s%s.log" % (build, tag))
    env = dict(checks_env(check_log + tag), MICROPY_MICROPYTHON=lwip_inst, MPRS_LWIP_TAP="")
    files = files or ["net_hosted/" + t for t in NET_HOSTED]
    rc, secs = mp.run_tests_py(tree, result_dir, ["-j", "1"] + files, env, logfile)
    if not os.path.exists(os.path.join(result_dir, "_results.json")):
        raise mp.StageError("net_hosted on %s gave no results; last lines of %s:\n%s" % (build, logfile, mp.tail(logfile)))
    results = mp.load_results(result_dir)
    log("net_hosted (%s)%s: %s (%.0f s)" % (build, tag, summary(results), secs))
    for t in failed(results):
        log("  failed: %s (output in %s)" % (t, os.path.relpath(result_dir, ROOT)))
    return results


def test_header(path, key):
    """'# lwip <key>: <value>' lines of a fault test."""
    values = []
    for line in open(path):
        m = re.match(r"#\s*lwip %s:\s*(.*\S)" % re.escape(key), line)
        if m:
            values.append(m.group(1))
    return values


def load_expected():
    expected = {}
    for line in open(os.path.join(FAULTS, "expected-on-c.txt")):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if parts[1] not in ("pass", "fail") or (parts[1] == "fail") != (len(parts) == 3):
            raise mp.StageError("expected-on-c.txt: '%s' needs '<test> pass' or '<test> fail <regex>'" % line)
        expected[parts[0]] = (parts[1], re.compile(parts[2], re.M) if len(parts) == 3 else None)
    return expected


def instance_output(logfile, role):
    """The lwIP instance's output of a failed test, from run-multitests.py's log."""
    text = open(logfile, errors="replace").read()
    m = re.search(r"### TEST ###\n(.*?)### TRUTH ###", text, re.S)
    if not m:
        return ""
    parts = re.split(r"^--- instance(\d) ---\n", m.group(1), flags=re.M)
    sections = dict(zip(parts[1::2], parts[2::2]))
    return sections.get(str(role), "")


def fault_tests(netns, tree, lwip_inst, stock, build, env_extra=None, label=None):
    """Our fault tests, one run each (a test names its lwIP role and environment). With a
    label (a run of another binary of the build, env_extra added to each test's environment),
    only the tests that end otherwise than they must are shown, under that label."""
    expected = load_expected() if build == "C" else {}
    results, problems = {}, []
    tests = sorted(os.path.basename(f) for f in glob.glob(os.path.join(FAULTS, "*.py")))
    missing = sorted(set(expected) - set(tests)) if expected else []
    if missing:
        raise mp.StageError("expected-on-c.txt lists missing tests: %s" % " ".join(missing))
    for test in tests:
        path = os.path.join(FAULTS, test)
        role = int((test_header(path, "instance") or ["0"])[0])
        env = checks_env(os.path.join(mp.BUILD, "lwip-net-checks-fault.log"))
        env.update(kv.split("=", 1) for kv in test_header(path, "env"))
        env.update(env_extra or {})
        # The other side: the stock unix build, or CPython where the test needs what
        # MicroPython's sockets lack ("# lwip peer: cpython", e.g. shutdown()).
        peer = (test_header(path, "peer") or [stock])[0]
        instances = [lwip_inst, peer] if role == 0 else [peer, lwip_inst]
        tag = re.sub(r"\W+", "-", label or build)
        res, logfile, _ = run_multitests(netns, tree, instances, [path], "fault-%s-%s" % (tag, test[:-3]), env)
        status = res.get(path, "not run")
        results[test] = status
        output = instance_output(logfile, role) if status == "fail" else ""
        if build != "C":
            ok = status == "pass"
            note = "passes" if ok else "FAILS (must pass on mprs)"
        elif test not in expected:
            ok, note = False, "%s on C, but expected-on-c.txt does not list it" % status
        else:
            want, pattern = expected[test]
            if want == "pass":
                ok = status == "pass"
                note = "passes on C, as expected" if ok else "%s on C, expected to pass" % status
            else:
                ok = status == "fail" and pattern.search(output) is not None
                note = ("fails on C, as expected; must pass on mprs" if ok else
                        "%s on C, expected to fail matching /%s/" % (status, pattern.pattern))
        if label and ok:
            continue
        log("fault %s (%s): %s" % (test, label or build, note))
        if status == "fail":
            for line in output.strip().splitlines()[:12]:
                log("    | " + line)
        if not ok:
            problems.append("fault %s (%s)" % (test, label or build))
    return results, problems


def metrics(logfile, test):
    """What a test reported with multitest.output_metric(), from run-multitests.py's log."""
    prefix = test + ": "
    return [l[len(prefix):].strip() for l in open(logfile, errors="replace") if l.startswith(prefix)]


def soak(netns, tree, lwip_inst, stock, tag, env_extra=None):
    """faults/accept_cycles.py, lwIP the server, with MPRS_CYCLES=SOAK_CYCLES (the test
    checks lwIP's pools, heap and pcbs against where they began): (passed, what it showed,
    the instances' output where it failed, seconds)."""
    env = checks_env(os.path.join(mp.BUILD, "lwip-net-checks-soak-%s.log" % tag))
    env.update(env_extra or {}, MPRS_CYCLES=str(SOAK_CYCLES))
    res, logfile, secs = run_multitests(netns, tree, [lwip_inst, stock], [SOAK], "soak-" + tag, env)
    status = res.get(SOAK, "not run")
    found = {}
    for metric in metrics(logfile, SOAK):
        for side, pattern in (("server", r"server: (\d+) cycles(?:, (\d+) pcbs in TIME-WAIT)?$"),
                              ("client", r"client: (\d+) cycles(?:, echoes intact (\d+))?$")):
            m = re.match(pattern, metric)
            if m:
                found[side] = m.groups()
    server, client = found.get("server", ("0", None)), found.get("client", ("0", None))
    if status == "pass" and server[1] is not None and client == (str(SOAK_CYCLES), str(SOAK_CYCLES)):
        return True, ("%d cycles, echoes intact %s, lwIP pools and pcbs back (%s pcbs in TIME-WAIT)"
                      % (SOAK_CYCLES, client[1], server[1])), [], secs
    output = ["instance%d: %s" % (role, line) for role in ROLES
              for line in instance_output(logfile, role).strip().splitlines()[:6]]
    return False, ("FAILS (%s; the server got through %s cycles, the client %s; see %s)"
                   % (status, server[0], client[0], os.path.relpath(logfile, ROOT))), output, secs


def sanitizer_reports(report_dir):
    """The files ASan wrote in report_dir, one an instrumented process, and its reports
    there, {'<sanitizer>: <kind> in <frame> <- <frame>': count}."""
    runs = sorted(glob.glob(os.path.join(report_dir, "report.*")))
    reports = {}
    for path in runs:
        lines = open(path, errors="replace").read().splitlines()
        for i, line in enumerate(lines):
            m = re.search(r"ERROR: (\w+Sanitizer: [\w-]+)", line)
            if m:
                frames = [re.sub(r"^#\d+ 0x[0-9a-f]+ in ", "", f.strip()) for f in lines[i + 1:i + 8]
                          if re.match(r"\s*#\d+ ", f)]
                what = "%s in %s" % (m.group(1), " <- ".join(frames[:2]))
                reports[what] = reports.get(what, 0) + 1
    return runs, reports


def sanitizer_run(netns, tree, asan_inst, stock, build):
    """The soak (mprs only) and the fault tests on the build's ASan binary, the sanitizer's
    reports in files of their own (log_path; verbosity=1 makes every instrumented process
    write one, so their count shows the sanitizer ran). Prints one line; returns the
    problems: on mprs any report, a failed soak or fault test; on C none (what C does is
    reported). C's soak is left out: under ASan C serves some 50 cycles a second here
    (data sent before accept() waits for the kernel's retransmission, as
    faults/data_before_accept.py shows), 10,000 would take minutes, and its fault tests
    show what ASan finds."""
    report_dir = os.path.join(mp.BUILD, "lwip-net", "asan-" + build)
    shutil.rmtree(report_dir, ignore_errors=True)
    os.makedirs(report_dir)
    env = {"ASAN_OPTIONS": "log_path=%s/report:verbosity=1" % report_dir}
    if build == "C":
        ok, what, output, secs = True, "not run (C is too slow under ASan)", [], 0.0
    else:
        ok, what, output, secs = soak(netns, tree, asan_inst, stock, build + "-asan", env)
    t0 = time.monotonic()
    results, fault_problems = fault_tests(netns, tree, asan_inst, stock, build, env, "%s, ASan" % build)
    secs += time.monotonic() - t0
    runs, reports = sanitizer_reports(report_dir)
    n_reports = sum(reports.values())
    passed = sum(1 for st in results.values() if st == "pass")
    faults = "fault tests %d passed, %d failed" % (passed, len(results) - passed)
    if build == "C":
        faults += ", as expected-on-c.txt lists" if not fault_problems else ", %d otherwise than expected-on-c.txt lists" % len(fault_problems)
    log("soak under ASan (%s): %s; %s; %d reports from %d instrumented runs (%.0f s)%s"
        % (build, what, faults, n_reports, len(runs), secs, "" if build != "C" else "; the C original: reported, not failed"))
    for line in output + ["%dx %s" % (n, r) for r, n in sorted(reports.items())]:
        log("    | " + line)
    if build == "C":
        return []
    problems = [] if ok else ["soak under ASan (%s)" % build]
    problems += fault_problems
    if n_reports or not runs:
        problems.append("ASan (%s): %d reports from %d instrumented runs (%s)" % (build, n_reports, len(runs), report_dir))
    return problems


def figures(netns, tree, lwip_inst, stock, build):
    """Throughput both ways and accepts per second over the TAP link (bench/throughput.py):
    printed, neither compared nor failing the stage."""
    res, logfile, _ = run_multitests(netns, tree, [lwip_inst, stock], [BENCH], "bench-" + build,
                                     checks_env(os.path.join(mp.BUILD, "lwip-net-checks-bench.log")))
    values = metrics(logfile, BENCH)
    if res.get(BENCH) == "pass" and len(values) == 3:
        log("figures (%s): %s" % (build, "; ".join(values)))
    else:
        log("figures (%s): not measured (%s; see %s)" % (build, res.get(BENCH, "not run"), os.path.relpath(logfile, ROOT)))


def callgrind_fetch(netns, binary, size, tag):
    """bench/segments.py: the lwIP build under callgrind fetching `size` bytes from the kernel
    side: (instructions, bytes, segments), or a string saying what went wrong."""
    out_file = os.path.join(mp.BUILD, "lwip-net", "callgrind-%s.out" % tag)
    if os.path.exists(out_file):
        os.remove(out_file)
    peer = subprocess.Popen(netns.cmd([sys.executable, SEGMENTS, "serve", HOST_IP, str(SEGMENTS_PORT)]),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        ready = peer.stdout.readline().strip()
        if ready != "ready":
            return "the kernel side did not start: %s" % ready
        env = dict(os.environ, MPRS_LWIP_TAP=" ".join((TAP, LWIP_IP, NETMASK, HOST_IP)),
                   **checks_env(os.path.join(mp.BUILD, "lwip-net-checks-callgrind.log")))
        argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file,
                binary, SEGMENTS, "fetch", HOST_IP, str(SEGMENTS_PORT), str(size)]
        p = subprocess.run(netns.cmd(argv), capture_output=True, text=True, env=env, timeout=300)
    except subprocess.TimeoutExpired:
        return "callgrind run timed out"
    finally:
        peer.kill()
        peer.wait()
        netns.kill_leftovers()
    got = re.search(r"^received (\d+) bytes, (\d+) segments$", p.stdout, re.M)
    total = re.search(r"^(?:summary|totals): (\d+)", open(out_file).read(), re.M) if os.path.exists(out_file) else None
    if p.returncode != 0 or not got or not total:
        return "exit %d: %s" % (p.returncode, (p.stdout + p.stderr).strip().splitlines()[-1:])
    return int(total.group(1)), int(got.group(1)), int(got.group(2))


def segment_cost(netns, binary, build):
    """Instructions per received segment (callgrind counts, repeatable): a run fetching
    SEGMENTS_BYTES less one fetching nothing, over the segments lwIP took in more. Printed,
    neither compared nor failing the stage."""
    if shutil.which("valgrind") is None:
        log("figures (%s): instructions per received segment not measured: no valgrind (Debian package valgrind)" % build)
        return
    full = callgrind_fetch(netns, binary, SEGMENTS_BYTES, build + "-full")
    empty = callgrind_fetch(netns, binary, 0, build + "-empty")
    why = None
    for what, run, size in (("full", full, SEGMENTS_BYTES), ("empty", empty, 0)):
        if isinstance(run, str):
            why = why or "the %s run: %s" % (what, run)
        elif run[1] != size:
            why = why or "the %s run received %d of %d bytes" % (what, run[1], size)
    segments = 0 if why else full[2] - empty[2]
    if why or segments <= 0:
        log("figures (%s): instructions per received segment not measured (%s)" % (build, why or "no more segments"))
        return
    log("figures (%s): %.0f instructions per received segment (callgrind: %d bytes from the kernel in %d more TCP "
        "segments, %d more instructions, than a run receiving nothing)"
        % (build, (full[0] - empty[0]) / segments, SEGMENTS_BYTES, segments, full[0] - empty[0]))


def webrepl_over_lwip(netns, tree, lwip_inst, build):
    """The real webrepl.py on the lwIP build, the PyPI client in the namespace (webrepl/):
    ({check: "pass" | "fail"}, or None where the tree has no webrepl.py; the lwIP checks
    let through)."""
    webrepl_dir = os.path.join(tree, WEBREPL_PY)
    if not os.path.isfile(os.path.join(webrepl_dir, "webrepl.py")):
        log("webrepl over lwip (%s): not run: %s has no webrepl.py" % (build, webrepl_dir))
        return None, 0
    logfile = os.path.join(mp.logdir(), "lwip-net-webrepl-%s.log" % build)
    check_log = os.path.join(mp.BUILD, "lwip-net-checks-webrepl-%s.log" % build)
    env = dict(os.environ, **checks_env(check_log))
    argv = [os.path.join(mp.VENV_BIN, "python"), WEBREPL_CLIENT, "--label", build, lwip_inst, webrepl_dir]
    rc, secs = mp.run(netns.cmd(argv), HERE, logfile, env=env, timeout=240)
    netns.kill_leftovers()
    results = {}
    line = "webrepl over lwip (%s): no result, exit %s (see %s)" % (build, rc, os.path.relpath(logfile, ROOT))
    for l in open(logfile, errors="replace"):
        m = re.match(r"(pass|FAIL)  ([^:]+):", l)
        if m:
            results[m.group(2)] = "pass" if m.group(1) == "pass" else "fail"
        if l.startswith("webrepl over lwip"):
            line = l.strip()
    log("%s (%.0f s)" % (line, secs))
    for l in open(logfile, errors="replace"):
        if l.startswith(("FAIL", "pass  PUT and GET of 1048576")):
            log("  " + l.strip())
    if not results:
        results["run"] = "fail"
    return results, report_checks(build, "webrepl", [check_log])


STRICT_PROBE = "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 8005))\ns.listen(1)\ns.close()\nprint('ok')"
STRICT_ABORT = re.compile(r"^lwIP: (\w+) called without the lwIP lock|^lwIP: assertion .* failed", re.M)


def ipv6_loopback(binaries):
    """ipv6/loopback.py on the dual-stack build of each ({build: binary}), lwIP's loopback
    only: the mprs build must print ipv6/loopback.py.exp (what the C build prints, with
    modlwip.c's EINVAL for UDP on AF_INET6), with no lwIP call outside the lock and no failed
    lwIP assertion; the C build's output is shown beside it. Returns the problems."""
    expected = open(IPV6_SCRIPT + ".exp").read().strip().splitlines()
    problems = []
    for build, binary in binaries.items():
        check_log = os.path.join(mp.BUILD, "lwip-net-checks-ipv6-%s.log" % build)
        if os.path.exists(check_log):
            os.remove(check_log)
        env = dict(os.environ, MPRS_LWIP_TAP="", **checks_env(check_log))
        p = subprocess.run([binary, IPV6_SCRIPT], capture_output=True, text=True, env=env, timeout=60)
        output = (p.stdout + p.stderr).strip().splitlines() + ([] if p.returncode == 0 else ["exit %d" % p.returncode])
        n_checks = report_checks(build, "ipv6", [check_log])
        same = output == expected
        log("ipv6 (%s, dual-stack, over ::1): %s" % (build, "as ipv6/loopback.py.exp" if same else "otherwise:"))
        if not same:
            for line in output:
                log("    | " + line)
        if build != "C" and (n_checks or not same):
            problems.append("ipv6 (%s)" % build)
    return problems


def strict_probe(lwip_inst, build):
    """The checks as lwipopts.h makes them by default, aborting: a socket made, bound,
    listening and closed. The C build must abort at its first unlocked call (the stage
    fails if it does not: the check itself would be broken); the mprs build must print ok."""
    env = dict(os.environ, MPRS_LWIP_TAP="")
    for name in ("MPRS_LWIP_LOCK_CHECK", "MPRS_LWIP_ASSERT"):
        env.pop(name, None)
    p = subprocess.run([lwip_inst, "-c", STRICT_PROBE], capture_output=True, text=True, env=env, timeout=60)
    out = (p.stdout + p.stderr).strip()
    m = STRICT_ABORT.search(out)
    if build == "C":
        ok = p.returncode == -signal.SIGABRT and m is not None
        note = "aborts, as expected: %s" % m.group(0) if ok else "did not abort as expected (exit %d): %s" % (p.returncode, out)
    else:
        ok = p.returncode == 0 and out == "ok"
        note = "runs to the end" if ok else "exit %d: %s" % (p.returncode, out)
    log("strict checks (%s): socket, bind, listen, close with the checks aborting: %s" % (build, note))
    return [] if ok else ["strict checks (%s)" % build]


def report_checks(build, what, paths):
    """The lwIP calls made without the lock and the failed assertions seen in a run."""
    lock, asserts = {}, {}
    for path in paths:
        if not os.path.exists(path):
            continue
        for line in open(path, errors="replace"):
            kind, _, what_ = line.strip().partition(" ")
            seen = lock if kind == "lock" else asserts
            seen[what_] = seen.get(what_, 0) + 1
    log("lwip checks (%s, %s): %d calls without the lwIP lock%s; %d failed lwIP assertions%s"
        % (build, what, sum(lock.values()), " (%s)" % ", ".join(sorted(lock)) if lock else "",
           sum(asserts.values()), " (%s)" % "; ".join(sorted(asserts)) if asserts else ""))
    return sum(lock.values()) + sum(asserts.values())


def compare(what, results, rerun, listed):
    """results: {build: {test: status}}, tests keyed as the runs key them ('instance<role>:
    <path>' for multi_net, '<path>' for net_hosted). A test whose status differs is run again
    on both builds, twice at most (rerun(tests) -> {build: {test: status}}), before it counts:
    a few of MicroPython's network tests are timing-sensitive; a listed test that does not
    show its difference, up to LISTED_RUNS runs in all. listed: the deliberate
    differences of tests/micropython/differences.txt (mp.load_differences()), where
    '<what> <test file name>' names a test in any role; such a test that fails on C and passes
    on mprs is counted apart, and one that does not (in no role, or not run) is a stale
    listing. Returns (the tests that pass on C and fail on mprs, problems)."""
    c, m = results["C"], results["mprs"]

    def listing(t):
        path = t.split(":", 1)[-1]
        return next((name for name in (t, path, os.path.basename(path)) if (what, name) in listed), None)

    def as_listed(t):
        return listing(t) is not None and c.get(t) == "fail" and m.get(t) == "pass"

    def differing():
        return sorted(t for t in set(c) | set(m) if c.get(t) != m.get(t) and not as_listed(t))

    def stale():
        names = {name for (w, name) in listed if w == what}
        return sorted(names - {listing(t) for t in set(c) | set(m) if as_listed(t)})

    def stale_tests():
        return sorted(t for t in set(c) | set(m) if listing(t) in stale())

    for attempt in range(LISTED_RUNS - 1):
        again_tests = sorted(set(differing() if attempt < 2 else ()) | set(stale_tests()))
        if not again_tests:
            break
        log("compare %s: running again on both builds: %s" % (what, " ".join(again_tests)))
        again = rerun(again_tests)
        c.update(again["C"])
        m.update(again["mprs"])

    def counts(r):
        return sum(1 for s in r.values() if s == "pass"), sum(1 for s in r.values() if s == "fail")

    differ = differing()
    shown = sorted(t for t in set(c) | set(m) if as_listed(t))
    names = sorted({listing(t) for t in shown})
    (cp, cf), (mp_, mf) = counts(c), counts(m)
    log("compare %s: C %d passed, %d failed; mprs %d passed, %d failed; %d differ%s"
        % (what, cp, cf, mp_, mf, len(differ), " (%d listed: %s)" % (len(shown), ", ".join(names)) if shown else ""))
    for t in differ:
        log("  differs: %s: C %s, mprs %s" % (t, c.get(t, "not run"), m.get(t, "not run")))
    for t in shown:
        log("  listed difference: %s: C fail, mprs pass (%s)" % (t, listed[(what, listing(t))]))
    problems = []
    for name in stale():
        runs = ["%s: C %s, mprs %s" % (t, c.get(t), m.get(t)) for t in sorted(set(c) | set(m)) if listing(t) == name]
        log("  stale listing: %s %s in tests/micropython/differences.txt, but no run fails on C and passes on mprs (%s)"
            % (what, name, "; ".join(runs) or "not run"))
        problems.append("stale listing %s %s" % (what, name))
    return [t for t in differ if c.get(t) == "pass" and m.get(t) != "pass"], problems


# ---- main ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"), help="the project's build folder")
    args = parser.parse_args()
    mp.BUILD = os.path.join(os.path.abspath(args.build_dir), "micropython")

    src = mp.find_micropython()
    if src is None:
        log("lwip-net stage: skipped: MicroPython not found at ../shared/micropython or $MICROPYTHON_DIR")
        log("  (see 'make test-micropython' for how to get it)")
        return 0
    if not os.path.isfile(os.path.join(src, "lib", "lwip", "src", "core", "tcp.c")):
        log("lwip-net stage: skipped: %s has no lib/lwip (git submodule update --init lib/lwip)" % src)
        return 0
    why = netns_unavailable()
    if why:
        log("lwip-net stage: skipped: cannot make a network namespace here: %s" % why)
        return 0
    t0 = time.monotonic()
    log("lwip-net stage: MicroPython from %s, builds in %s" % (src, mp.BUILD))
    builds = [("C", "c", ["VARIANT_DIR=" + VARIANT_DIR])]
    if mprs_has_socket():
        builds.append(("mprs", "mprs", ["VARIANT_DIR=" + VARIANT_DIR, "MPRS_SUBSYSTEMS=" + MPRS_SOCKET_SUBSYSTEMS]))
    else:
        log("mprs build: not there yet: mprs has no socket module (c-glue/mprs.mk does not replace "
            "extmod/modlwip.c); only the C build runs")
    trees = {tree: mp.prepare_tree(src, tree) for _, tree, _ in builds}
    mpy_cross = mp.build_mpy_cross(trees["c"])
    build_unix(trees["c"], ["VARIANT=standard"], "unix standard (the POSIX-sockets peer)", mpy_cross)
    for name, tree, make_args in builds:
        build_unix(trees[tree], make_args, "unix lwIP (%s)" % name, mpy_cross)
    asan = {}
    for name, tree, make_args in builds:
        try:
            build_unix(trees[tree], make_args + ASAN_ARGS, "unix lwIP (%s) under ASan" % name, mpy_cross)
            asan[name] = os.path.join(trees[tree], "ports", "unix", ASAN_BUILD, "micropython")
        except mp.StageError as e:
            if name != "C":
                raise
            log("build unix lwIP (C) under ASan: failed, so not run (the C original: reported, not failed): %s" % e)
    dual = {}
    for name, tree, make_args in builds:
        build_unix(trees[tree], make_args + IPV6_ARGS, "unix lwIP (%s), dual-stack" % name, mpy_cross)
        dual[name] = os.path.join(trees[tree], "ports", "unix", IPV6_BUILD, "micropython")
    stock = os.path.join(trees["c"], STOCK_BIN)
    out_dir = os.path.join(mp.BUILD, "lwip-net")
    os.makedirs(out_dir, exist_ok=True)

    problems = ipv6_loopback(dual)
    problems += strict_warnings(trees["c"], builds[0][2], mpy_cross)
    results = {}
    try:
        with Netns() as netns:
            log("namespace %s: %s %s/24 (kernel) <-> %s (lwIP)" % (netns.name, TAP, HOST_IP, LWIP_IP))
            runs = {}
            for name, tree, _ in builds:
                inst = write_instance(os.path.join(out_dir, "instance-%s.sh" % name), os.path.join(trees[tree], LWIP_BIN))
                checks = os.path.join(out_dir, "checks-%s" % name)
                runs[name] = (trees[tree], inst, checks)
                problems += strict_probe(inst, name)
                r = {"multi_net": multi_net(netns, trees[tree], inst, stock, name, checks + "-multi_net")}
                n_checks = report_checks(name, "multi_net", [checks + "-multi_net.role%d" % role for role in ROLES])
                r["net_hosted"] = net_hosted(trees[tree], inst, name, checks + "-net_hosted")
                n_checks += report_checks(name, "net_hosted", [checks + "-net_hosted"])
                r["faults"], fault_problems = fault_tests(netns, trees[tree], inst, stock, name)
                problems += fault_problems
                ok, what, output, secs = soak(netns, trees[tree], inst, stock, name)
                log("soak (%s): %s (%.0f s)" % (name, what, secs))
                for line in output:
                    log("    | " + line)
                if not ok:
                    problems.append("soak (%s)" % name)
                if name in asan:
                    asan_inst = write_instance(os.path.join(out_dir, "instance-%s-asan.sh" % name), asan[name])
                    problems += sanitizer_run(netns, trees[tree], asan_inst, stock, name)
                figures(netns, trees[tree], inst, stock, name)
                segment_cost(netns, os.path.join(trees[tree], LWIP_BIN), name)
                r["webrepl"], web_checks = webrepl_over_lwip(netns, trees[tree], inst, name)
                n_checks += web_checks
                if name == "mprs" and n_checks:
                    problems.append("lwIP checks on the mprs build")
                results[name] = r

            def rerun_multi(tests):
                files = {}
                for key in tests:
                    role, test = key.split(":", 1)
                    files.setdefault(int(role[len("instance"):]), []).append(test)
                return {b: multi_net(netns, runs[b][0], runs[b][1], stock, b, runs[b][2] + "-again", files, "-again")
                        for b in runs}

            def rerun_hosted(tests):
                return {b: net_hosted(runs[b][0], runs[b][1], b, runs[b][2] + "-net_hosted", tests, "-again") for b in runs}

            if "mprs" in results:
                listed = mp.load_differences()
                for what, rerun in (("multi_net", rerun_multi), ("net_hosted", rerun_hosted)):
                    only_mprs, stale = compare(what, {b: results[b][what] for b in results}, rerun, listed)
                    problems += ["%s %s passes on C, fails on mprs" % (what, t) for t in only_mprs] + stale
                c_web, m_web = results["C"]["webrepl"], results["mprs"]["webrepl"]
                if c_web is not None:
                    worse = sorted(t for t, st in c_web.items() if st == "pass" and m_web.get(t) != "pass")
                    if worse:  # once more, as compare() does, before it counts
                        log("webrepl over lwip: running again on mprs: %s" % "; ".join(worse))
                        m_web = webrepl_over_lwip(netns, runs["mprs"][0], runs["mprs"][1], "mprs")[0]
                        worse = sorted(t for t, st in c_web.items() if st == "pass" and m_web.get(t) != "pass")
                    problems += ["webrepl over lwip: %s passes on C, fails on mprs" % t for t in worse]
            else:
                log("compare multi_net: C %s; mprs: no build yet" % summary(results["C"]["multi_net"]))
    except NetnsUnavailable as e:
        log("lwip-net stage: skipped: %s" % e)
        return 0

    log("lwip-net stage: %.0f s" % (time.monotonic() - t0))
    if problems:
        log("FAIL: %s" % "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except mp.StageError as e:
        log("FAIL: %s" % e)
        sys.exit(1)
