# modlwip.c fault: data that arrives before accept() is refused (the accept queue's pcbs get
# a recv callback returning ERR_BUF): lwIP keeps one refused segment and drops the rest,
# which the peer must retransmit, backing off. instance0 (the lwIP build) listens and sleeps
# (lwIP is polled) while the client connects and sends 4000 bytes; then accept() must find
# them all, intact, within 0.5 s.
import socket
import time

# Shared helpers: listener(), connect(), recv_upto() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8003
SIZE = 4000
BLOCK = 500


def payload():
    return b"".join(bytes([65 + i]) * BLOCK for i in range(SIZE // BLOCK))


def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = listener(PORT)
    multitest.next()
    time.sleep(2)
    c, _ = s.accept()
    c.settimeout(0.05)
    data = b""
    t0 = time.ticks_ms()
    while len(data) < SIZE and time.ticks_diff(time.ticks_ms(), t0) < 500:
        try:
            chunk = c.recv(SIZE)
        except OSError:
            continue
        if not chunk:
            break
        data += chunk
    print("received", len(data), "of", SIZE, "within 0.5 s of accept():", "intact" if data == payload() else "not intact")
    multitest.broadcast("received")
    c.close()
    s.close()


def instance1():
    multitest.next()
    c = connect(PORT)
    data = payload()
    for i in range(0, SIZE, BLOCK):
        c.send(data[i : i + BLOCK])
    print("sent", SIZE)
    multitest.wait("received")
    c.close()
