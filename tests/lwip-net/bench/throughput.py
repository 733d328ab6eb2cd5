# Figures over the TAP link (run by tests/lwip-net/stage.py, printed, not compared):
# instance0 is the lwIP build, instance1 the stock unix build (the kernel's TCP).
# 1 MB from the kernel to lwIP, 1 MB from lwIP to the kernel, and connections accepted
# per second by lwIP.
import socket
import time

PORT = 8010
SIZE = 1024 * 1024
CHUNK = 4096
ACCEPTS = 200


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("0.0.0.0", port)[0][-1])
    s.listen(5)
    return s


def rate(nbytes, ms):
    return "%.2f MB/s" % (nbytes / 1e6 / (max(ms, 1) / 1000))


def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = listener(PORT)
    multitest.next()
    # Kernel to lwIP.
    c, _ = s.accept()
    got = 0
    t0 = time.ticks_ms()
    while got < SIZE:
        chunk = c.recv(CHUNK)
        if not chunk:
            break
        got += len(chunk)
    multitest.output_metric("kernel to lwIP: %s (%d bytes)" % (rate(got, time.ticks_diff(time.ticks_ms(), t0)), got))
    c.close()
    # lwIP to the kernel (the client measures).
    c, _ = s.accept()
    buf = b"x" * CHUNK
    for _ in range(SIZE // CHUNK):
        c.write(buf)
    c.close()
    # Accepts.
    t0 = time.ticks_ms()
    for _ in range(ACCEPTS):
        c, _ = s.accept()
        c.close()
    ms = time.ticks_diff(time.ticks_ms(), t0)
    multitest.output_metric("lwIP accepts: %.0f connections/s" % (ACCEPTS * 1000 / max(ms, 1)))
    s.close()


def instance1():
    multitest.next()
    addr = socket.getaddrinfo(IP, PORT)[0][-1]
    c = socket.socket()
    c.connect(addr)
    buf = b"y" * CHUNK
    for _ in range(SIZE // CHUNK):
        c.write(buf)
    c.close()
    c = socket.socket()
    c.connect(addr)
    got = 0
    t0 = time.ticks_ms()
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    multitest.output_metric("lwIP to kernel: %s (%d bytes)" % (rate(got, time.ticks_diff(time.ticks_ms(), t0)), got))
    c.close()
    for _ in range(ACCEPTS):
        c = socket.socket()
        c.connect(addr)
        c.close()
