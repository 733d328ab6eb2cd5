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
        multitest.broadcast("scheduler full")
        time.sleep(1)
        queued.append("filler ran, %s queued behind it" % ("calls" if n else "none"))

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
