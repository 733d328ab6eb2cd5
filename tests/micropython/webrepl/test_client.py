"""WebREPL end to end inside a real MicroPython VM (the unix port), with the PyPI `webrepl`
0.2.0 client.

    python test_client.py --build c|mprs [--label NAME] [--skip-1mb] [--verbose] MICROPYTHON

MICROPYTHON is a unix build with `_webrepl`, `websocket` and os.dupterm (e.g. the coverage
variant built with -DMICROPY_PY_OS_DUPTERM=2 -DMICROPY_PY_WEBREPL=1). It is started as
`MICROPYTHON -i serve.py PORT PASSWORD` in a temporary directory with stdin a pipe; each
connection is served by typing `serve()` on that pipe (see serve.py): the REPL then runs on
the WebREPL connection until the client goes, and reads stdin again. Everything is on
127.0.0.1, on a port free at run time, with a timeout on every wait; the VM is killed at the
end (and by a watchdog if the run takes too long).

Checks: wrong password refused and login (the prompt and both answers byte for byte, and as
the PyPI client sees them), a command at the REPL and its output, PUT and GET of
0 B, 1 B, 300 B, 100 KiB and 1 MiB byte-identical (the PUT file also compared on disk),
GET_VER, GET of a missing file, and a connection dropped in the middle of a PUT (then the VM
serves the next connection). Each prints "pass" or "FAIL" and its name; the last line is
"webrepl in vm (LABEL): N passed, M failed"; the exit status is 1 on a failure.

--build says which WebREPL the binary has, since two situations differ by design
(README.md, WebREPL, "C original" vs "mprs"):

  GET of a missing file
    c:    open() raises inside _webrepl's read; the exception propagates to the unix
          REPL's dupterm read (ports/unix/unix_mphal.c, call_dupterm_read), which prints
          "dupterm: " and the OSError, leaves the stream attached and reads one character
          of stdin. No status reaches the client, and the session is dead (the record
          state is left mid-request: later binary frames are ignored). The driver expects
          exactly that, then drops the connection and types a newline; the REPL goes
          back to the stream, whose next write (the echo) or read fails, and dupterm
          detaches it.
    mprs: status 2 ("WB\\x02\\x00"); the session goes on (GET_VER answers).

  Connection dropped in the middle of a PUT (10,000 bytes announced, 500 sent), once
  closed normally (FIN) and once reset (RST)
    c:    the target was opened "wb" and written as data came: it is left truncated,
          holding what arrived (a prefix of the 500 bytes: all of them with FIN, maybe
          fewer with RST); no "<name>.part" (the C code never makes one).
    mprs: PUT writes "<name>.part" and renames it at the last byte; the aborted transfer
          removes it (at EOF, or when dupterm closes the stream): the old file is intact
          and no ".part" is left.

  Both: the VM then serves the next connection (login and GET_VER).

Both builds are otherwise expected to be the same, on the wire and in the VM's output.
"""
import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import webrepl  # the PyPI client, 0.2.0

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = os.path.join(HERE, "serve.py")
PASSWORD = "secret"  # the C original allows at most 9 characters
IO_TIMEOUT = 10.0  # any single wait: a socket operation, a VM marker
NO_REPLY_WAIT = 1.0  # how long "no status reply" is given to show itself (C, missing file)
WATCHDOG = 100.0  # the whole run; then the VM is killed and what is left fails fast
SIZES = (0, 1, 300, 100 * 1024, 1 << 20)


class VM:
    """The MicroPython process: stdin a pipe we type into, stdout collected by a thread."""

    def __init__(self, binary, root, port):
        self.port = port
        self.proc = subprocess.Popen(
            [binary, "-i", SERVE, str(port), PASSWORD],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.out = bytearray()
        self.eof = False
        self.cond = threading.Condition()
        self.broken = None  # why the VM can no longer serve, once it cannot
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            with self.cond:
                if data:
                    self.out += data
                else:
                    self.eof = True
                self.cond.notify_all()
            if not data:
                return

    def mark(self):
        with self.cond:
            return len(self.out)

    def wait_for(self, pattern, start=0, timeout=IO_TIMEOUT):
        """The first match of the regex `pattern` in the output from `start`, or None."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with self.cond:
            while True:
                m = rx.search(self.out, start)
                if m or self.eof:
                    return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def type(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except OSError:
            pass  # the VM is gone; the wait that follows notices

    def serve(self):
        """Types serve() and waits until the VM is in accept(); returns (number, mark)."""
        if self.broken:
            raise AssertionError("VM no longer serving: " + self.broken)
        start = self.mark()
        self.type("serve()\n")
        m = self.wait_for(rb"serve: waiting (\d+)\r?\n", start)
        if not m:
            self.broken = "serve() did not start; output: %r" % self.tail(start)
            raise AssertionError(self.broken)
        return int(m.group(1)), start

    def await_detached(self, start, timeout=IO_TIMEOUT):
        """Waits (after the client went) until the REPL has detached the WebREPL stream and
        reads stdin again. A "dupterm: <exception>" line without "deactivating" is the unix
        REPL's read failing while the stream stays attached (call_dupterm_read): it then
        reads one character of stdin, so a newline is typed to send it back to the stream,
        which then reports EOF (or fails a write) and is detached."""
        deadline = time.monotonic() + timeout
        pos = start
        with self.cond:
            while True:
                i = self.out.find(b"dupterm: ", pos)
                nl = self.out.find(b"\n", i) if i >= 0 else -1
                if nl >= 0:
                    if b"deactivating" in self.out[i:nl]:
                        return True
                    self.type("\n")
                    pos = nl
                    continue
                if self.eof:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)

    def tail(self, start=0):
        with self.cond:
            return bytes(self.out[start:])[-600:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def tune(sock):
    # The client sends each frame as two send()s and GET is one round trip per 256-byte
    # chunk: Nagle on either end holds the second segment for the peer's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if hasattr(socket, "TCP_QUICKACK"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


class Session:
    """One WebREPL connection: the VM told to serve, the client connected and logged in;
    on leaving, the client disconnects and we wait for the VM to detach the stream."""

    def __init__(self, vm, password=PASSWORD, login=True):
        self.vm = vm
        self.password = password
        self.login = login

    def __enter__(self):
        self.n, self.start = self.vm.serve()
        self.c = c = webrepl.Webrepl(host="127.0.0.1", port=self.vm.port, noauto=True)
        self.attached = None
        try:
            c.connect("127.0.0.1", self.vm.port)
            tune(c.s)
            m = self.vm.wait_for(
                rb"serve: (?:connected|bad handshake|no connection) %d\r?\n|Traceback" % self.n,
                self.start,
            )
            if not (m and m.group(0).startswith(b"serve: connected")):
                raise AssertionError("VM did not attach; output: %r" % self.vm.tail(self.start))
            # Messages before this are a previous connection's (C prints "EOF received"
            # and then, writing that line to the dead stream, "Exception in write()").
            self.attached = m.end()
            if self.login:
                c.login(self.password)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return c

    def __exit__(self, *exc):
        self.c.disconnect()
        if self.attached is None:
            return False  # serve() returned without attaching: the REPL reads stdin again
        if not self.vm.await_detached(self.attached):
            self.vm.broken = "the REPL did not detach the stream; output: %r" % self.vm.tail(
                self.start
            )
            if exc[0] is None:
                raise AssertionError(self.vm.broken)
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("micropython")
    ap.add_argument("--build", choices=("c", "mprs"), required=True,
                    help="which WebREPL the binary has: decides the expected behaviour "
                    "where the README says the builds differ")
    ap.add_argument("--label", help="name in the result line (default: the build)")
    ap.add_argument("--skip-1mb", action="store_true", help="leave out the 1 MiB PUT/GET")
    ap.add_argument("--verbose", action="store_true", help="print the VM's output at the end")
    args = ap.parse_args()
    label = args.label or args.build
    binary = os.path.abspath(args.micropython)
    sizes = [s for s in SIZES if not (args.skip_1mb and s >= 1 << 20)]
    socket.setdefaulttimeout(IO_TIMEOUT)  # every client socket: no wait is unbounded

    results = []
    timings = {}
    root = tempfile.mkdtemp(prefix="mprs-webrepl-vm-")
    vm = None
    try:
        version = tuple(
            int(x)
            for x in subprocess.run(
                [binary, "-c", "import sys; print(*sys.implementation.version[:3])"],
                capture_output=True, text=True, timeout=IO_TIMEOUT, check=True,
            ).stdout.split()
        )
        for _ in range(3):  # the port was free when chosen; retry if it was taken meanwhile
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            probe.close()
            vm = VM(binary, root, port)
            if vm.wait_for(rb"serve: listening", 0):
                break
            print("VM did not start on port %d: %r" % (port, vm.tail()))
            vm.stop()
            vm = None
    except Exception as e:  # no binary, or it does not run
        print("FAIL ", "start", binary, repr(e))
        results.append(("start", e))
    if vm is None and not results:
        print("FAIL ", "start: the VM did not listen")
        results.append(("start", AssertionError("the VM did not listen")))

    def check(name, fn):
        if vm is None:
            return  # the start failed, and said so
        t0 = time.perf_counter()
        try:
            note = fn()
            results.append((name, None))
            print("pass ", name, "(%.2f s)" % (time.perf_counter() - t0), note or "")
        except Exception as e:  # a failed assert, a client error or a timeout
            results.append((name, e))
            print("FAIL ", name, repr(e))
        sys.stdout.flush()

    def first_frame(c):
        # The next websocket frame, text or binary, whole: what the VM wrote in one go.
        c.ws.buf = b""
        return c.ws.read(0x10000, text_ok=True, size_match=False)

    def wrong_password_is_refused():
        # The exact bytes once, by hand (the README: the same on the wire as the original)...
        session = Session(vm, login=False)
        with session as c:
            got = first_frame(c)
            assert got == b"Password: ", "prompt %r" % got
            c.ws.write(b"wrong\r")
            got = first_frame(c)
            assert got == b"\r\nAccess denied\r\n", "answer %r" % got
            assert vm.wait_for(rb"dupterm: EOF received, deactivating", session.attached), (
                "session not ended by the VM"
            )
        # ...and as the PyPI client sees it.
        session = Session(vm, "wrong")
        with session as c:
            assert not c.connected, "logged in with a wrong password"
            # The VM ends the session itself (EOF to dupterm), before the client goes.
            assert vm.wait_for(rb"dupterm: EOF received, deactivating", session.attached), (
                "session not ended by the VM"
            )

    def login():
        with Session(vm, login=False) as c:
            got = first_frame(c)
            assert got == b"Password: ", "prompt %r" % got
            c.ws.write(PASSWORD.encode() + b"\r")
            got = first_frame(c)
            assert got == b"\r\nWebREPL connected\r\n>>> ", "answer %r" % got
        with Session(vm) as c:
            assert c.connected, "not logged in"

    def command_at_the_repl():
        with Session(vm) as c:
            assert c.connected, "not logged in"
            out = c.sendcmd("print(6*7)")
            assert b"42" in out, "output not seen: %r" % out
            assert b"print(6*7)" in out, "input not echoed: %r" % out

    def put_and_get(size):
        def run():
            data = os.urandom(size)
            local = os.path.join(root, "local-%d" % size)
            remote = "remote-%d.bin" % size
            with open(local, "wb") as f:
                f.write(data)
            with Session(vm) as c:
                assert c.connected, "not logged in"
                t0 = time.perf_counter()
                c.put_file(local, remote)
                t1 = time.perf_counter()
                with open(os.path.join(root, remote), "rb") as f:
                    on_disk = f.read()
                assert on_disk == data, "file the VM wrote differs (%d bytes)" % len(on_disk)
                got = c.get_file_content(remote)
                t2 = time.perf_counter()
                assert got == data, "GET differs (%d bytes)" % len(got)
                assert c.get_ver() == version, "session does not go on after the transfers"
            assert not os.path.exists(os.path.join(root, remote + ".part")), "temporary left"
            timings[size] = (t1 - t0, t2 - t1)
            return "[PUT %.2f s, GET %.2f s]" % (t1 - t0, t2 - t1)

        return run

    def get_ver():
        with Session(vm) as c:
            assert c.connected, "not logged in"
            got = c.get_ver()
            assert got == version, "%r, expected %r" % (got, version)

    def missing_file():
        with Session(vm) as c:
            assert c.connected, "not logged in"
            start = vm.mark()
            c.send_req(webrepl.WEBREPL_GET_FILE, 0, b"no-such-file")
            if args.build == "mprs":
                status = c.read_resp()
                assert status == 2, "status %d, expected 2" % status
                got = c.get_ver()
                assert got == version, "session does not go on: %r" % (got,)
                assert b"dupterm:" not in vm.tail(start), "VM output: %r" % vm.tail(start)
                return "[status 2, session goes on]"
            # C original: the OSError escapes to the REPL's dupterm read; no status comes.
            m = vm.wait_for(rb"dupterm: (?:Traceback[\s\S]*?)?OSError: \[Errno 2\] ENOENT", start)
            assert m, "no OSError(ENOENT) from the VM; output: %r" % vm.tail(start)
            c.s.settimeout(NO_REPLY_WAIT)
            try:
                data = c.ws.read(4)
            except (socket.timeout, AssertionError, OSError):
                data = None
            assert data is None, "a reply came: %r" % data
            return "[as the C original: OSError(ENOENT) ends the session, no status]"

    def dropped_put(reset):
        return lambda: dropped_put_run(reset)

    def dropped_put_run(reset):
        name = "keep-%s.txt" % ("rst" if reset else "fin")
        target = os.path.join(root, name)
        old = b"the good version"
        with open(target, "wb") as f:
            f.write(old)
        sent = b"x" * 500
        with Session(vm) as c:
            assert c.connected, "not logged in"
            c.send_req(webrepl.WEBREPL_PUT_FILE, 10000, name.encode())
            assert c.read_resp() == 0, "PUT refused"
            c.ws.write(sent)
            if reset:
                # Close with RST instead of FIN: the VM's read fails with ECONNRESET; the
                # unix REPL prints it and keeps the stream, await_detached types a newline,
                # its echo fails to write, and dupterm detaches and closes the stream.
                c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # Session's exit dropped the connection and waited for the VM to detach. The VM
        # goes on serving; and once it runs serve() it is done with the old stream (after
        # an RST the detach message comes before the stream is closed, and closing is what
        # removes the temporary on mprs), so the files are looked at after this.
        with Session(vm) as c:
            assert c.connected, "next connection: not logged in"
            assert c.get_ver() == version, "next connection: GET_VER"
        with open(target, "rb") as f:
            now = f.read()
        part = os.path.exists(target + ".part")
        if args.build == "mprs":
            assert now == old, "old file not intact: %r" % now[:40]
            assert not part, "temporary left behind"
            note = "[old file intact, no .part]"
        else:
            # What arrived before the drop (with RST, data not yet read may be lost).
            assert now != old and sent.startswith(now), (
                "expected the target truncated to a prefix of the bytes sent: %r" % now[:40]
            )
            assert not part, ".part from the C original?"
            note = "[as the C original: target truncated to the %d bytes that came]" % len(now)
        return note

    def summary(extra_failed=0):
        passed = sum(1 for _, e in results if not e)
        failed = sum(1 for _, e in results if e) + extra_failed
        return failed, "webrepl in vm (%s): %d passed, %d failed" % (label, passed, failed)

    def on_watchdog():
        # Kill the VM: every wait then ends (EOF, reset, timeout). Should the client still
        # be stuck (its read() skips an unexpected frame with a recv() loop that spins at
        # EOF), end the whole run a little later.
        print("FAIL  watchdog: the run took over %d s; VM killed" % WATCHDOG)
        fired.append(True)
        if vm is not None:
            vm.stop()
        time.sleep(IO_TIMEOUT + 5)
        print(summary(extra_failed=1)[1])
        sys.stdout.flush()
        os._exit(1)

    fired = []
    watchdog = threading.Timer(WATCHDOG, on_watchdog)
    watchdog.daemon = True
    watchdog.start()
    t_start = time.perf_counter()
    try:
        check("wrong password is refused", wrong_password_is_refused)
        check("login", login)
        check("command at the REPL, output seen", command_at_the_repl)
        for size in sizes:
            check("PUT and GET of %d bytes" % size, put_and_get(size))
        check("GET_VER", get_ver)
        check("GET of a missing file (%s behaviour)" % args.build, missing_file)
        for reset in (False, True):
            check("connection dropped (%s) in the middle of a PUT (%s behaviour), next one "
                  "served" % ("RST" if reset else "FIN", args.build), dropped_put(reset))
    finally:
        watchdog.cancel()
        if fired:
            results.append(("watchdog", AssertionError("over %d s" % WATCHDOG)))
        elif vm is not None:
            status = vm.proc.poll()
            if status is not None:
                print("the VM exited by itself, status %d" % status)
                results.append(("VM still running at the end", AssertionError(status)))
        if vm is not None:
            vm.stop()
    failed, line = summary()
    if 1 << 20 in timings:
        put, get = timings[1 << 20]
        print("1 MiB over WebREPL (%s): PUT %.2f s, GET %.2f s" % (label, put, get))
    print("total %.1f s" % (time.perf_counter() - t_start))
    if args.verbose and vm is not None:
        print("VM output:\n" + vm.out.decode(errors="replace"))
    if failed and vm is not None:
        print("VM output (tail): %r" % vm.tail())
        print("files kept in", root)
    else:
        shutil.rmtree(root, ignore_errors=True)
    print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
