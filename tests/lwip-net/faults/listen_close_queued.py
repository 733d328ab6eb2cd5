# modlwip.c fault: a listening socket closed with connections queued, never accepted. The
# kernel peer connects three times (each handshake done, each connection in lwIP's accept
# queue) and sends on each; the lwIP build closes the listening socket. Each peer must see
# its connection end (a reset, or end of file), and lwIP's pcb lists and pools must be back
# where they began. On the C build one of the three stays open: its peer's read times out,
# and its pcb and a pbuf stay in use.
import errno
import socket
import time

# Shared helpers: listener(), connect(), recv_upto(), in_use(), left_in_use() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8012
QUEUED = 3


def instance0():
    import lwip_tap

    multitest.globals(IP=multitest.get_network_ip())
    before = in_use()
    s = listener(PORT, QUEUED)
    multitest.next()
    # Not multitest.wait(): lwIP runs only while this instance polls it (time.sleep does).
    for _ in range(100):
        time.sleep(0.05)
        if lwip_tap.stats()["tcp_active"] >= QUEUED:
            break
    time.sleep(0.2)
    s.close()
    multitest.broadcast("closed")
    print("left in use:", left_in_use(before))


def instance1():
    multitest.next()
    conns = []
    for i in range(QUEUED):
        c = connect(PORT)
        c.write(b"queued %d" % i)
        conns.append(c)
    multitest.wait("closed")
    for c in conns:
        c.settimeout(5)
        try:
            end = "ended" if c.recv(10) == b"" else "still open: data"
        except OSError as e:
            end = "ended" if e.errno == errno.ECONNRESET else "still open: %s" % errno.errorcode.get(e.errno, e.errno)
        print("queued connection:", end)
        c.close()
