# modlwip.c fault: the user callback (setsockopt(SOL_SOCKET, 20, cb)) is lost when
# MicroPython's scheduler is full as data arrives (mp_sched_schedule's false is ignored).
# The lwIP build fills the scheduler from inside a scheduled call (where none of the queued
# calls can run), and while it is full the peer's data arrives and lwIP runs (time.sleep
# polls it). Afterwards the queued calls run, and the user callback must run too, later.
import socket
import time
import micropython

# Shared helpers: listener(), connect(), recv_upto() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8009


def instance0():
    import lwip_tap

    multitest.globals(IP=multitest.get_network_ip())
    s = listener(PORT)
    multitest.next()
    c, _ = s.accept()
    calls = []
    c.setsockopt(socket.SOL_SOCKET, 20, lambda sock: calls.append(len(c.recv(100))))
    queued = []

    def fill(_):
        n = 0
        try:
            while True:
                micropython.schedule(queued.append, n)
                n += 1
        except RuntimeError:
            pass
        # Until lwIP has taken the peer's segment in (time.sleep polls it), 5 s at most.
        segments = lwip_tap.stats()["tcp_recv"]
        multitest.broadcast("scheduler full")
        for _ in range(100):
            time.sleep(0.05)
            if lwip_tap.stats()["tcp_recv"] > segments:
                break
        arrived = lwip_tap.stats()["tcp_recv"] > segments
        queued.append("filler ran, %s queued behind it; data arrived meanwhile: %s" % ("calls" if n else "none", arrived))

    micropython.schedule(fill, None)
    for _ in range(40):
        time.sleep(0.1)
        if calls:
            break
    print(queued[0])
    print("queued calls ran:", queued[1:] == list(range(len(queued) - 1)))
    print("user callback:", "called, it read %d bytes" % calls[0] if calls else "lost")
    multitest.broadcast("done")
    c.close()
    s.close()


def instance1():
    multitest.next()
    c = connect(PORT)
    multitest.wait("scheduler full")
    c.write(b"x" * 10)
    print("sent 10 bytes")
    multitest.wait("done")
    c.close()
