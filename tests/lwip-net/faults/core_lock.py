# modlwip.c fault: lwIP raw-API calls made without the port's lwIP lock
# (MICROPY_PY_LWIP_ENTER). Our lwipopts.h checks the lock on every call
# (LWIP_ASSERT_CORE_LOCKED); run in "log" mode, lwip_tap.checks("lock") lists the lwIP
# functions each socket operation called without it: there must be none.
import socket
import lwip_tap

PORT = 8000


def show(what):
    print(what, lwip_tap.checks("lock"))


def instance0():
    lwip_tap.checks("lock")
    s = socket.socket()
    show("socket()")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    show("setsockopt(SO_REUSEADDR)")
    s.bind(socket.getaddrinfo("0.0.0.0", PORT)[0][-1])
    show("bind()")
    s.listen(1)
    show("listen()")
    s.setsockopt(socket.SOL_SOCKET, 20, lambda s: None)
    show("setsockopt(20, callback)")
    s.close()
    show("close()")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    show("socket(SOCK_DGRAM)")
    u.bind(socket.getaddrinfo("0.0.0.0", PORT)[0][-1])
    show("bind() UDP")
    # Group 224.0.0.251 on any interface (lwIP's order: group, then interface).
    mreq = bytes([224, 0, 0, 251, 0, 0, 0, 0])
    u.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    show("setsockopt(IP_ADD_MEMBERSHIP)")
    u.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq)
    show("setsockopt(IP_DROP_MEMBERSHIP)")
    u.close()
    show("close() UDP")
