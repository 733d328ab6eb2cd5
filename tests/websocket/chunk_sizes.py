# GET time against the GET chunk size: mprs unix builds that differ only in
# MPRS_WEBREPL_GET_CHUNK, the PyPI client over 127.0.0.1 with default socket options, the
# median of BENCH_RUNS (3) GETs of <size> bytes each. How the default was chosen.
# Usage: chunk_sizes.py <size> <chunk>=<micropython> ...
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

size = int(sys.argv[1])
runs = int(os.environ.get("BENCH_RUNS", "3"))
print("GET of %d bytes, median of %d, by GET chunk size" % (size, runs))
with tempfile.TemporaryDirectory() as workdir:
    for arg in sys.argv[2:]:
        chunk, mp = arg.split("=", 1)
        root = os.path.join(workdir, chunk)
        os.makedirs(root)
        server = bench.Server(mp, root)
        try:
            t = statistics.median(server.transfer("GET", size) for _ in range(runs))
        finally:
            server.stop()
        chunks = size // int(chunk) + 2
        print("  chunk %5s B: %7.2f s, %5d round trips, %6.1f ms each, buffer %5d B of GC heap"
              % (chunk, t, chunks, 1000 * t / chunks, int(chunk) + bench.PREFIX), flush=True)
