# The websocket and WebREPL inside MicroPython's unix port, C originals and mprs built from
# the same tree, against real clients over 127.0.0.1:
#
# - framing: what extmod/modwebsocket.c gets wrong beyond speed, each scenario run against
#   both builds; the test checks the C build still shows the fault (so it documents it) and
#   the mprs build does the right thing;
# - socket writes per frame, counted with strace;
# - transfers: the PyPI `webrepl` client, through the in-VM WebREPL harness of
#   tests/micropython/webrepl/ (os.dupterm, the unix REPL), logs in, PUTs and GETs files
#   byte-identical (0 B to 100 KB on both builds, and 1 MB on mprs), with TCP_NODELAY on
#   both ends so that the C build's 256-byte round trips take milliseconds (the timings as a
#   user sees them are `make bench`).
#
# Usage: test_vm.py <C micropython> <mprs micropython>
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import client  # noqa: E402

EIO, ECONNRESET, ENOBUFS = 5, 104, 105  # Linux
failures = []


def check(build, what, ok, detail=""):
    print("  %-4s %-60s %s%s" % (build, what, "ok" if ok else "FAILED", " " + detail if detail else ""))
    if not ok:
        failures.append("%s: %s" % (build, what))


def probe(mp, scenario, send, *extra, nodelay=True):
    """Runs a probe scenario: `send(sock)` talks to the server; returns (server output,
    frames the server sent)."""
    p, port = client.start(mp, "probe", scenario, *extra)
    s = client.connect(port, nodelay=nodelay)
    try:
        send(s)
    except OSError:
        pass  # the server gave up on the connection first
    frames = client.read_frames(s)
    s.close()
    return client.finish(p), frames


def control_frames_with_small_reads(builds):
    print("control frames (ping, close) read with one-byte reads, inside a fragmented message")

    def send(s):
        s.sendall(client.frame(0x01, b"ab") + client.frame(0x89, b"xyz") + client.frame(0x80, b"cd")
                  + client.frame(0x88, (1001).to_bytes(2, "big") + b"bye"))

    for build, mp in builds:
        out, frames = probe(mp, "read1", send)
        data = out.splitlines()[-1]
        if build == "C":
            check(build, "control payloads leak into the data; no pong; close not echoed",
                  data == "data b'abxycd\\x03\\xe9by'" and frames == [(0x88, b"")], data)
        else:
            check(build, "data is the message alone; ping answered; close status echoed",
                  data == "data b'abcd'" and frames == [(0x8a, b"xyz"), (0x88, b"\x03\xe9")],
                  "%s %r" % (data, frames))


def frames_over_64k(builds):
    print("frames over 64 KiB (a 64-bit length), which neither build takes")
    big = os.urandom(100_000)

    def send(s):
        s.sendall(client.frame(0x82, big))
        s.shutdown(socket.SHUT_WR)

    for build, mp in builds:
        out, frames = probe(mp, "readall", send)
        eio = "read -> OSError %d" % EIO in out and "total 0" in out
        if build == "C":
            check(build, "EIO; the socket closed under its owner, no close frame", eio and frames == [],
                  repr(frames))
        else:
            check(build, "EIO; the peer gets close status 1009 (too big)",
                  eio and frames == [(0x88, b"\x03\xf1")], repr(frames))
        out, _ = probe(mp, "write", lambda s: None, 70_000)
        check(build, "writing 70,000 bytes: ENOBUFS", "write -> OSError %d" % ENOBUFS in out,
              out.strip().splitlines()[-1])


def peer_stops_mid_frame(builds):
    print("a peer that stops in the middle of a frame")

    def send(s):
        s.sendall(client.frame(0x82, b"0123456789" * 10)[:6 + 10])
        s.shutdown(socket.SHUT_WR)

    for build, mp in builds:
        out, _ = probe(mp, "readall", send)
        if build == "C":
            check(build, "truncation looks like a clean end of file", "read -> b''" in out and "total 10" in out)
        else:
            check(build, "truncation is ECONNRESET after the data",
                  "read -> OSError %d" % ECONNRESET in out and "total 10" in out)

    def send_split(s):
        f = client.frame(0x81, b"hello")
        s.sendall(f[:1])
        time.sleep(0.3)
        s.sendall(f[1:])

    for build, mp in builds:
        out, _ = probe(mp, "read10", send_split)
        if build == "C":
            check(build, "a header split across segments: None on a blocking socket", "read -> None" in out)
        else:
            check(build, "a header split across segments is completed", "read -> b'hello'" in out)


def length_that_lies(builds):
    print("a length field that lies: a ping that says 200 bytes (control frames carry 125 at most)")

    def send(s):
        s.sendall(client.frame(0x89, b"p" * 200) + client.frame(0x81, b"after"))

    for build, mp in builds:
        out, frames = probe(mp, "readall", send)
        if build == "C":
            check(build, "taken silently (no error, no pong), the frame after it read",
                  "total 5" in out and frames == [], "%s %r" % (out.split("\n")[-2], frames))
        else:
            check(build, "EIO; the peer gets close status 1002 (protocol error)",
                  "read -> OSError %d" % EIO in out and frames == [(0x88, b"\x03\xea")],
                  "%s %r" % (out.split("\n")[-2], frames))


def strace_writes(log):
    """The sizes of the write(2) calls made on the last accepted connection in an strace log,
    until it is closed (its number is reused afterwards)."""
    lines = open(log).read().splitlines()
    accepts = [i for i, l in enumerate(lines) if re.search(r"accept4?\(.*\)\s+=\s+\d+", l)]
    at = accepts[-1]
    fd = re.search(r"=\s+(\d+)", lines[at]).group(1)
    sizes = []
    for line in lines[at + 1:]:
        if re.search(r"close\(%s\)" % fd, line):
            break
        m = re.search(r"write\(%s, .*\)\s+=\s+(\d+)" % fd, line)
        if m:
            sizes.append(int(m.group(1)))
    return sizes


def strace_cmd(log):
    return ["strace", "-f", "-e", "trace=accept,accept4,write,close", "-o", log]


def probe_writes(mp, args, drive):
    """The server's socket writes (after the upgrade) while `drive(port)` talks to it."""
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "strace.log")
        port = client.free_port()
        p = subprocess.Popen(strace_cmd(log) + [mp, client.SERVER, str(port)] + [str(a) for a in args],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        p.stdout.readline()
        drive(port)
        p.communicate(timeout=60)
        return strace_writes(log)[1:]


def get_writes(mp, size):
    """The VM's socket writes during a WebREPL session (the in-VM harness, os.dupterm) that
    GETs a file of `size` bytes."""
    sys.path.insert(0, os.path.join(HERE, "..", "micropython", "webrepl"))
    import test_client

    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "strace.log")
        wrapper = os.path.join(d, "micropython")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (" ".join(strace_cmd(log)), os.path.abspath(mp)))
        os.chmod(wrapper, 0o755)
        root = os.path.join(d, "root")
        os.makedirs(root)
        with open(os.path.join(root, "f.bin"), "wb") as f:
            f.write(os.urandom(size))
        vm = test_client.VM(wrapper, root, client.free_port())
        try:
            assert vm.wait_for(rb"serve: listening"), vm.tail()
            with test_client.Session(vm) as c:
                c.get_file_content("f.bin")
            vm.type("raise SystemExit\n")
            vm.proc.wait(timeout=30)
        finally:
            vm.stop()
        return strace_writes(log)


def one_write_per_frame(builds):
    print("socket writes per frame (strace)")
    if shutil.which("strace") is None:
        print("  skipped: no strace")
        return

    def read_all(port):
        s = client.connect(port)
        client.read_frames(s)
        s.close()

    for build, mp in builds:
        writes = probe_writes(mp, ["probe", "write", 1000], read_all)
        if build == "C":
            check(build, "a 1,000-byte write: header and payload apart", writes == [4, 1000], repr(writes))
        else:
            check(build, "a 1,000-byte write: one write, then the close frame", writes == [1004, 4], repr(writes))
        writes = get_writes(mp, 40_000)
        if build == "C":
            # A full chunk is a 4-byte header, then 258 bytes of length and data.
            full = [i for i, n in enumerate(writes) if n == 258]
            check(build, "GET of 40,000 bytes: 157 chunks of 256 B, 2 writes each",
                  len(full) == 156 and all(writes[i - 1] == 4 for i in full), "%d writes" % len(writes))
        else:
            chunks = [n for n in writes if n > 1000]
            check(build, "GET of 40,000 bytes: 3 chunks of 16 KiB, 1 write each",
                  chunks == [4 + 2 + 16384, 4 + 2 + 16384, 4 + 2 + 40_000 - 32768],
                  "%d writes" % len(writes))


def transfers(builds):
    """Through the in-VM WebREPL harness (tests/micropython/webrepl/: _webrepl attached with
    os.dupterm and read by the unix REPL), sizes around the GET chunks of both builds."""
    sys.path.insert(0, os.path.join(HERE, "..", "micropython", "webrepl"))
    import test_client
    import bench

    print("WebREPL with the PyPI client (os.dupterm): PUT and GET byte-identical")
    sizes = [0, 1, 255, 256, 257, 300, 4096, 16383, 16384, 16385, 70_000, 100_000]
    socket.setdefaulttimeout(test_client.IO_TIMEOUT)
    for build, mp in builds:
        build_sizes = sizes + ([1_000_000] if build == "mprs" else [])
        with tempfile.TemporaryDirectory() as d:
            server = bench.Server(mp, d)
            bad = []
            t = time.monotonic()
            try:
                for size in build_sizes:
                    data = os.urandom(size)
                    local = os.path.join(d, "..", "local-%d.bin" % os.getpid())
                    with open(local, "wb") as f:
                        f.write(data)
                    with test_client.Session(server.vm) as c:  # TCP_NODELAY on both ends
                        c.put_file(local, "put.bin")
                        with open(os.path.join(d, "put.bin"), "rb") as f:
                            put_ok = f.read() == data
                        got = c.get_file_content("put.bin")
                    os.unlink(local)
                    if not (put_ok and got == data):
                        bad.append("%d (PUT %s, GET %s)" % (size, put_ok, got == data))
            finally:
                server.stop()
            check(build, "PUT and GET of %s bytes" % ", ".join(map(str, build_sizes)), not bad,
                  "(%.1f s) %s" % (time.monotonic() - t, " ".join(bad)))


def main():
    builds = [("C", sys.argv[1]), ("mprs", sys.argv[2])]
    control_frames_with_small_reads(builds)
    frames_over_64k(builds)
    peer_stops_mid_frame(builds)
    length_that_lies(builds)
    one_write_per_frame(builds)
    transfers(builds)
    if failures:
        print("websocket VM tests: %d FAILED: %s" % (len(failures), "; ".join(failures)))
        sys.exit(1)
    print("websocket VM tests: all passed")


if __name__ == "__main__":
    main()
