"""PUT and GET throughput through the WebREPL harness over loopback, with the PyPI client.
Wall time: a rough figure that varies with the machine's load."""
import os, subprocess, sys, tempfile, time
import webrepl

root = tempfile.mkdtemp(prefix="mprs-webrepl-bench-")
server = subprocess.Popen([sys.argv[1], root, "pw", "3"], stdout=subprocess.PIPE, text=True)
port = int(server.stdout.readline())
size = 4 << 20
local = os.path.join(root, "local.bin")
with open(local, "wb") as f:
    f.write(os.urandom(size))
c = webrepl.Webrepl(host="127.0.0.1", port=port, password="pw")
t0 = time.perf_counter()
c.put_file(local, "remote.bin")
t1 = time.perf_counter()
got = bytearray()
c.send_req(webrepl.WEBREPL_GET_FILE, 0, b"remote.bin")
assert c.read_resp() == 0
while True:
    c.ws.write(b"\0")
    n = int.from_bytes(c.ws.read(2), "little")
    if n == 0:
        break
    got += c.ws.read(n)
assert c.read_resp() == 0
t2 = time.perf_counter()
c.disconnect()
server.terminate()
assert bytes(got) == open(local, "rb").read()
print("WebREPL PUT over loopback (harness, wall time): %6.1f MB/s" % (size / (t1 - t0) / 1e6))
print("WebREPL GET over loopback (harness, wall time): %6.1f MB/s" % (size / (t2 - t1) / 1e6))
