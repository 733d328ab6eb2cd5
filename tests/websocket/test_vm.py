# The websocket and WebREPL inside MicroPython's unix port, C originals and mprs built from
# the same tree, against real clients over 127.0.0.1:
#
# - framing: what extmod/modwebsocket.c gets wrong beyond speed, each scenario run against
#   both builds; the test checks the C build still shows the fault (so it documents it) and
#   the mprs build does the right thing;
# - transfers: the PyPI `webrepl` client logs in, PUTs and GETs files byte-identical (0 B to
#   100 KB on both builds, and 1 MB on mprs), with TCP_NODELAY on both ends so that the C
#   build's 256-byte round trips take milliseconds (the timings as a user sees them are
#   `make bench`).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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


def socket_writes(mp, args, drive):
    """The sizes of the write(2) calls the server makes on its connection, under strace,
    while `drive(port)` talks to it."""
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "strace.log")
        port = client.free_port()
        p = subprocess.Popen(["strace", "-f", "-e", "trace=accept,accept4,write", "-o", log, mp,
                              client.SERVER, str(port)] + [str(a) for a in args],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        p.stdout.readline()
        drive(port)
        p.communicate(timeout=60)
        text = open(log).read()
    fd = re.findall(r"accept4?\(.*\)\s+=\s+(\d+)", text)[-1]
    return [int(n) for n in re.findall(r"write\(%s, .*\)\s+=\s+(\d+)" % fd, text)]


def one_write_per_frame(builds):
    print("socket writes per frame (strace)")
    if shutil.which("strace") is None:
        print("  skipped: no strace")
        return

    def read_all(port):
        s = client.connect(port)
        client.read_frames(s)
        s.close()

    def get(port):
        import webrepl

        w = webrepl.Webrepl(host="127.0.0.1", port=port, password="pw")
        w.get_file_content("f.bin")
        w.disconnect()

    for build, mp in builds:
        writes = socket_writes(mp, ["probe", "write", 1000], read_all)[1:]  # after the upgrade
        if build == "C":
            check(build, "a 1,000-byte write: header and payload apart", writes == [4, 1000], repr(writes))
        else:
            check(build, "a 1,000-byte write: one write, then the close frame", writes == [1004, 4], repr(writes))
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "f.bin"), "wb") as f:
                f.write(os.urandom(40_000))
            writes = socket_writes(mp, ["webrepl", "pw", d, "nodelay"], get)[1:]
        chunks = [n for n in writes if n > 100]
        if build == "C":
            # A full chunk is a 4-byte header, then 258 bytes of length and data.
            full = [i for i, n in enumerate(writes) if n == 258]
            check(build, "GET of 40,000 bytes: 157 chunks of 256 B, 2 writes each",
                  len(full) == 156 and all(writes[i - 1] == 4 for i in full), "%d writes" % len(writes))
        else:
            check(build, "GET of 40,000 bytes: 3 chunks of 16 KiB, 1 write each",
                  chunks == [4 + 2 + 16384, 4 + 2 + 16384, 4 + 2 + 40_000 - 32768],
                  "%d writes" % len(writes))


def transfers(builds):
    import webrepl

    print("WebREPL with the PyPI client: login, PUT and GET byte-identical")
    sizes = [0, 1, 255, 256, 257, 300, 4096, 16384, 16385, 70_000, 100_000]
    for build, mp in builds:
        with tempfile.TemporaryDirectory() as d:
            p, port = client.start(mp, "webrepl", "pw", d)
            w = webrepl.Webrepl(host="127.0.0.1", port=port, password="bad")
            check(build, "wrong password refused", not w.connected)
            w.disconnect()
            client.finish(p)
            ok = True
            build_sizes = sizes + ([1_000_000] if build == "mprs" else [])
            t = time.monotonic()
            for size in build_sizes:
                data = os.urandom(size)
                local = os.path.join(d, "local.bin")
                with open(local, "wb") as f:
                    f.write(data)
                p, port = client.start(mp, "webrepl", "pw", d, "nodelay")
                w = webrepl.Webrepl(host="127.0.0.1", port=port, password="pw", noauto=True)
                w.connect("127.0.0.1", port)
                w.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                w.login("pw")
                w.put_file(local, "put.bin")
                with open(os.path.join(d, "put.bin"), "rb") as f:
                    put_ok = f.read() == data
                got = w.get_file_content("put.bin")
                w.disconnect()
                client.finish(p)
                if not (put_ok and got == data):
                    ok = False
                    print("    %d bytes: PUT %s, GET %s" % (size, put_ok, got == data))
            check(build, "PUT and GET of %s bytes" % ", ".join(map(str, build_sizes)), ok,
                  "(%.1f s)" % (time.monotonic() - t))


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
