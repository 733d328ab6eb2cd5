# WebREPL transfer times with the PyPI `webrepl` client against MicroPython's unix port,
# C originals and mprs built from the same tree, side by side: PUT and GET of 100 KB and
# 1 MB over 127.0.0.1 with default socket options (Nagle and delayed ACK as a user gets
# them), the median of BENCH_RUNS runs (3). Each line gives the GET chunk size and the
# RAM the chunk buffer costs during a GET.
#
# Usage: bench.py <C micropython> <mprs micropython> <mprs chunk bytes> [sizes...]
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client  # noqa: E402
import webrepl  # noqa: E402

C_CHUNK = 256  # extmod/modwebrepl.c: a 256-byte buffer on the C stack
PREFIX = 6  # mprs: websocket header headroom and the chunk's length


def transfer(micropython, size, op, workdir):
    data = os.urandom(size)
    local = os.path.join(workdir, "local.bin")
    with open(local, "wb") as f:
        f.write(data)
    remote = os.path.join(workdir, "remote")
    os.makedirs(remote, exist_ok=True)
    with open(os.path.join(remote, "f.bin"), "wb") as f:
        f.write(data)
    p, port = client.start(micropython, "webrepl", "pw", remote)
    w = webrepl.Webrepl(host="127.0.0.1", port=port, password="pw")
    assert w.connected
    t = time.monotonic()
    if op == "GET":
        got = w.get_file_content("f.bin")
    else:
        w.put_file(local, "g.bin")
    elapsed = time.monotonic() - t
    w.disconnect()
    client.finish(p)
    if op == "PUT":
        with open(os.path.join(remote, "g.bin"), "rb") as f:
            got = f.read()
    assert got == data, "%s of %d bytes differs" % (op, size)
    return elapsed


def main():
    c_mp, mprs_mp, mprs_chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sizes = [int(s) for s in sys.argv[4:]] or [100_000, 1_000_000]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    print("WebREPL over 127.0.0.1, PyPI webrepl 0.2.0 client, default socket options, "
          "median of %d" % runs)
    with tempfile.TemporaryDirectory() as workdir:
        for size in sizes:
            for op in ("PUT", "GET"):
                times = {}
                for name, mp in (("C", c_mp), ("mprs", mprs_mp)):
                    times[name] = statistics.median(
                        transfer(mp, size, op, workdir) for _ in range(runs))
                ratio = times["C"] / times["mprs"]
                print("%-3s %8d B   C %8.2f s (chunk %5d B, %5d B of C stack)   "
                      "mprs %7.2f s (chunk %5d B, %5d B of GC heap during a GET)   C/mprs %6.1fx"
                      % (op, size, times["C"], C_CHUNK, C_CHUNK + 2, times["mprs"],
                         mprs_chunk, mprs_chunk + PREFIX, ratio), flush=True)


if __name__ == "__main__":
    main()
