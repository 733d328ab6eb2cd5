# Guard for mprs: the errors a socket gives and lwIP's limits. The lwIP build (instance0)
# connects to a port nobody listens on (a reset: ECONNRESET, as lwIP reports a refused
# SYN), to an address nobody answers with a timeout (ETIMEDOUT), reads from a connection
# the kernel peer resets (ECONNRESET once, then end of file), opens TCP sockets until lwIP
# runs out (ENOMEM), closes them all and opens one again; afterwards lwIP's pools are back
# where they began. Bad arguments give a clear error. mprs must pass; on the C build the
# read after the reset raises ECONNRESET again.
import socket
import struct
import time

# Shared helpers: listener(), connect(), recv_upto(), in_use(), left_in_use() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8006


def errname(e):
    import errno

    return errno.errorcode.get(e.errno, e.errno)


def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    before = in_use()
    multitest.next()
    # A refused connect.
    c = socket.socket()
    try:
        c.connect((HOST_IP, PORT + 1))
        print("refused: connected")
    except OSError as e:
        print("refused:", errname(e))
    c.close()
    # Nobody answers (an address on the link with no host): the timeout.
    c = socket.socket()
    c.settimeout(0.5)
    try:
        c.connect(("192.0.2.77", PORT))
        print("timeout: connected")
    except OSError as e:
        print("timeout:", errname(e))
    c.close()
    # The peer resets a connection with data in flight.
    multitest.broadcast("listen")
    multitest.wait("listening")
    c = socket.socket()
    c.connect((HOST_IP, PORT))
    c.settimeout(2)
    got = recv_upto(c, 4)
    try:
        while c.recv(100):
            pass
        print("reset: end of file")
    except OSError as e:
        print("reset:", got, errname(e))
    # Reported once, then end of file, as POSIX sockets do (modlwip.c raises it again).
    try:
        print("after the reset:", c.recv(10))
    except OSError as e:
        print("after the reset:", errname(e), "again")
    c.close()
    # Until lwIP runs out, then all closed and one more.
    socks = []
    try:
        for _ in range(64):
            socks.append(socket.socket())
        print("out of pcbs: none")
    except OSError as e:
        print("out of pcbs:", errname(e), len(socks) > 0)
    for s in socks:
        s.close()
    s = socket.socket()
    s.close()
    print("a socket again: ok")
    # Bad arguments.
    for args in (("x",), ((1, 2, 3),), (("127.0.0.1", 70000),)):
        s = socket.socket()
        try:
            s.bind(*args)
            print("bind", args, "accepted")
        except (OSError, TypeError, ValueError) as e:
            print("bind", type(e).__name__)
        s.close()
    s = socket.socket()
    s.close()
    try:
        s.send(b"x")
    except OSError as e:
        print("send after close:", errname(e))
    print("left in use:", left_in_use(before))


def instance1():
    multitest.next()
    multitest.wait("listen")
    s = listener(PORT)
    multitest.broadcast("listening")
    c, _ = s.accept()
    c.send(b"data")
    time.sleep(0.3)
    # SO_LINGER 0: close sends a reset.
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    s.close()
