# WebREPL transfer times with the PyPI `webrepl` client against MicroPython's unix port,
# C originals and mprs built from the same tree, side by side: PUT and GET of 100 KB and
# 1 MB over 127.0.0.1 with default socket options on both ends (Nagle and delayed ACK as a
# user gets them), the median of BENCH_RUNS runs (3). The VM serves WebREPL as webrepl.py
# does, attached with os.dupterm() and read by the unix REPL: the harness of the in-VM
# WebREPL test (tests/micropython/webrepl/serve.py, driven through its VM class), each
# connection served by typing `serve(False)` (no TCP_NODELAY). Each line gives the GET chunk
# size and what the chunk buffer costs.
#
# Usage: bench.py <C micropython> <mprs micropython> <mprs chunk bytes> [sizes...]
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "micropython", "webrepl"))
import test_client  # noqa: E402  (the in-VM WebREPL harness: VM, PASSWORD)
import webrepl  # noqa: E402

C_CHUNK = 256  # extmod/modwebrepl.c: a 256-byte buffer (plus 2 for the length) on the C stack
PREFIX = 6  # mprs: websocket header headroom and the chunk's length


class Server:
    """One MicroPython VM serving WebREPL connections one after another, in `root`."""

    def __init__(self, micropython, root):
        self.root = root
        for _ in range(3):  # the port was free when chosen; retry if it was taken meanwhile
            port = free_port()
            self.vm = test_client.VM(os.path.abspath(micropython), root, port)
            if self.vm.wait_for(rb"serve: listening"):
                return
            self.vm.stop()
        raise RuntimeError("the VM does not listen")

    def transfer(self, op, size):
        """One PUT or GET of `size` random bytes in a fresh connection; returns seconds."""
        data = os.urandom(size)
        local = os.path.join(self.root, "..", "local.bin")
        with open(local, "wb") as f:
            f.write(data)
        with open(os.path.join(self.root, "f.bin"), "wb") as f:
            f.write(data)
        vm = self.vm
        start = vm.mark()
        vm.type("serve(False)\n")
        m = vm.wait_for(rb"serve: waiting (\d+)\r?\n", start)
        assert m, vm.tail(start)
        w = webrepl.Webrepl(host="127.0.0.1", port=vm.port, password=test_client.PASSWORD)
        m = vm.wait_for(rb"serve: connected %s\r?\n" % m.group(1), start)
        assert m and w.connected, vm.tail(start)
        t = time.monotonic()
        if op == "GET":
            got = w.get_file_content("f.bin")
        else:
            w.put_file(local, "put.bin")
        elapsed = time.monotonic() - t
        w.disconnect()
        assert vm.await_detached(m.end()), vm.tail(start)
        if op == "PUT":
            with open(os.path.join(self.root, "put.bin"), "rb") as f:
                got = f.read()
        assert got == data, "%s of %d bytes differs" % (op, size)
        return elapsed

    def stop(self):
        self.vm.stop()


def free_port():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    c_mp, mprs_mp, mprs_chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sizes = [int(s) for s in sys.argv[4:]] or [100_000, 1_000_000]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    print("WebREPL over 127.0.0.1 (os.dupterm, the unix REPL), PyPI webrepl 0.2.0 client, "
          "default socket options, median of %d" % runs, flush=True)
    with tempfile.TemporaryDirectory() as work:
        servers = {}
        for name, mp in (("C", c_mp), ("mprs", mprs_mp)):
            root = os.path.join(work, name)
            os.makedirs(root)
            servers[name] = Server(mp, root)
        try:
            for size in sizes:
                for op in ("PUT", "GET"):
                    times = {name: statistics.median(s.transfer(op, size) for _ in range(runs))
                             for name, s in servers.items()}
                    print("%-3s %8d B   C %8.2f s (chunk %5d B: %d B of C stack)   "
                          "mprs %7.2f s (chunk %5d B: %d B of GC heap during a GET)   C/mprs %6.1fx"
                          % (op, size, times["C"], C_CHUNK, C_CHUNK + 2, times["mprs"],
                             mprs_chunk, mprs_chunk + PREFIX, times["C"] / times["mprs"]), flush=True)
        finally:
            for s in servers.values():
                s.stop()


if __name__ == "__main__":
    main()
