"""WebREPL over lwIP, end to end, as on a board: the PyPI `webrepl` client (run inside the
stage's network namespace) against the real webrepl.py on the lwIP unix build (board.py).

    python client.py --label NAME [--sizes 0,1,...] INSTANCE WEBREPL_DIR

INSTANCE is the stage's instance script of the lwIP build (the TAP interface configured);
it is started as `INSTANCE -i board.py WEBREPL_DIR PORT PASSWORD` in a temporary directory
with stdin an open pipe. Checks, each printed "pass  <name>: ..." or "FAIL  <name>: ...": login and a
command at the REPL; PUT and GET of each size byte-identical (the PUT file compared on the
board's disk too); a client dropping in the middle of a PUT (FIN, then RST), after which
the board serves the next client (login, GET_VER). The last line is
"webrepl over lwip (NAME): N passed, M failed"; exit status 1 on a failure.

The VM handling, the client's tuning and the constants are test_client.py's (the in-VM
WebREPL test of tests/micropython/webrepl/).
"""
import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "micropython", "webrepl"))
import test_client as tc  # noqa: E402  VM, tune, PASSWORD, IO_TIMEOUT, SIZES
import webrepl  # noqa: E402  the PyPI client

BOARD = os.path.join(HERE, "board.py")
LWIP_IP, PORT = "192.0.2.1", 8266
WATCHDOG = 170.0  # the whole run; then the board is killed and the rest fails fast


class Board(tc.VM):
    """test_client.VM, started on board.py: output collected by a thread, stdin a pipe."""

    def __init__(self, instance, webrepl_dir, root):
        self.port = PORT
        self.proc = subprocess.Popen(
            [instance, "-i", BOARD, webrepl_dir, str(PORT), tc.PASSWORD],
            cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = bytearray()
        self.eof = False
        self.cond = threading.Condition()
        self.broken = None
        threading.Thread(target=self._reader, daemon=True).start()


class Session:
    """One client: connected, the board's accept seen, logged in; on leaving, disconnected
    and the board's dupterm detached (else the next client would be refused as concurrent)."""

    def __init__(self, board, login=True):
        self.board, self.login = board, login

    def __enter__(self):
        self.start = self.board.mark()
        self.c = c = webrepl.Webrepl(host=LWIP_IP, port=PORT, noauto=True)
        c.connect(LWIP_IP, PORT)
        tc.tune(c.s)
        if not self.board.wait_for(rb"WebREPL connection from", self.start):
            raise AssertionError("board did not accept; output: %r" % self.board.tail(self.start))
        if self.login:
            c.login(tc.PASSWORD)
            assert c.connected, "not logged in"
        return c

    def __exit__(self, *exc):
        self.c.disconnect()
        if not self.board.wait_for(rb"dupterm: .*deactivating", self.start):
            if exc[0] is None:
                raise AssertionError("board did not detach; output: %r" % self.board.tail(self.start))
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instance")
    ap.add_argument("webrepl_dir")
    ap.add_argument("--label", required=True)
    ap.add_argument("--sizes", default=",".join(map(str, tc.SIZES)))
    ap.add_argument("--verbose", action="store_true", help="print the board's output at the end")
    args = ap.parse_args()
    socket.setdefaulttimeout(tc.IO_TIMEOUT)
    root = tempfile.mkdtemp(prefix="mprs-webrepl-lwip-")
    board = Board(os.path.abspath(args.instance), args.webrepl_dir, root)
    results = []

    def check(name, fn):
        t0 = time.perf_counter()
        try:
            note = fn()
            results.append(True)
            print("pass  %s: %.2f s %s" % (name, time.perf_counter() - t0, note or ""), flush=True)
        except Exception as e:
            results.append(False)
            print("FAIL  %s: %r" % (name, e), flush=True)

    def started():
        if not board.wait_for(rb"board: webrepl listening", 0, timeout=30):
            raise AssertionError("board did not start: %r" % board.tail())

    def command():
        with Session(board) as c:
            out = c.sendcmd("print(6*7)")
            assert b"42" in out, "output not seen: %r" % out

    def put_and_get(size):
        def run():
            data = os.urandom(size)
            local, remote = os.path.join(root, "local-%d" % size), "remote-%d.bin" % size
            with open(local, "wb") as f:
                f.write(data)
            with Session(board) as c:
                t0 = time.perf_counter()
                c.put_file(local, remote)
                t1 = time.perf_counter()
                with open(os.path.join(root, remote), "rb") as f:
                    assert f.read() == data, "the file the board wrote differs"
                got = c.get_file_content(remote)
                t2 = time.perf_counter()
                assert got == data, "GET differs (%d bytes)" % len(got)
            return "[PUT %.2f s, GET %.2f s]" % (t1 - t0, t2 - t1)
        return run

    def dropped(reset):
        def run():
            with Session(board) as c:
                c.send_req(webrepl.WEBREPL_PUT_FILE, 10000, b"dropped.bin")
                assert c.read_resp() == 0, "PUT refused"
                c.ws.write(b"x" * 500)
                if reset:
                    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with Session(board) as c:
                assert c.get_ver(), "next client: no GET_VER"
        return run

    checks = [("board started, webrepl.start() listening", started),
              ("login, a command at the REPL, output seen", command)]
    checks += [("PUT and GET of %d bytes" % n, put_and_get(n)) for n in map(int, filter(None, args.sizes.split(",")))]
    checks += [("client dropped (%s) in the middle of a PUT, next one served" % how, dropped(how == "RST"))
               for how in ("FIN", "RST")]
    # The whole run is bounded: past WATCHDOG the board is killed, and what is left fails fast.
    timer = threading.Timer(WATCHDOG, lambda: (print("FAIL  watchdog: over %d s, board killed" % WATCHDOG,
                                                     flush=True), board.stop()))
    timer.daemon = True
    timer.start()
    t_start = time.perf_counter()
    try:
        for name, fn in checks:
            check(name, fn)
        if board.proc.poll() is not None:
            check("board still running", lambda: (_ for _ in ()).throw(AssertionError(board.proc.returncode)))
    finally:
        timer.cancel()
        board.stop()
    failed = results.count(False)
    print("total %.1f s" % (time.perf_counter() - t_start))
    if args.verbose:
        print("board output:\n" + board.out.decode(errors="replace"))
    elif failed:
        print("board output (tail): %r" % board.tail())
    shutil.rmtree(root, ignore_errors=True)
    print("webrepl over lwip (%s): %d passed, %d failed" % (args.label, results.count(True), failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
