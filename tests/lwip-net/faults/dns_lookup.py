# Guard for mprs: getaddrinfo() of a name, through lwIP's resolver. A CPython peer in the
# namespace serves DNS on port 53 of the lwIP build's gateway: mprs.test is 192.0.2.2, any
# other name does not exist. The lwIP build resolves mprs.test, then a name that does not
# exist (an OSError), and mprs.test again (lwIP's cache).
# lwip peer: cpython
import socket
import struct


def instance0():
    import lwip_tap

    lwip_tap.dns(lwip_tap.ifconfig()[2])
    multitest.next()
    print("mprs.test:", socket.getaddrinfo("mprs.test", 80)[0][-1])
    try:
        socket.getaddrinfo("nowhere.test", 80)
        print("nowhere.test: found")
    except OSError:
        print("nowhere.test: OSError")
    print("mprs.test again:", socket.getaddrinfo("mprs.test", 80)[0][-1])
    multitest.broadcast("done")


def question(query):
    """The name asked for and where the question's type starts."""
    labels, at = [], 12
    while query[at]:
        labels.append(query[at + 1 : at + 1 + query[at]].decode())
        at += 1 + query[at]
    return ".".join(labels), at + 1


def answer(query):
    """The reply: mprs.test's address for its A question, else "no such name"."""
    name, at = question(query)
    qtype = struct.unpack(">H", query[at : at + 2])[0]
    found = name == "mprs.test"
    count = 1 if found and qtype == 1 else 0
    # A response with recursion desired and available; rcode 3 is "no such name".
    flags = 0x8180 if found else 0x8183
    reply = query[:2] + struct.pack(">HHHHH", flags, 1, count, 0, 0) + query[12 : at + 4]
    if count:
        reply += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.2")
    return reply


def serve(u):
    while True:
        query, addr = u.recvfrom(512)
        u.sendto(answer(query), addr)


def instance1():
    import threading

    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", 53))
    threading.Thread(target=serve, args=(u,), daemon=True).start()
    multitest.next()
    multitest.wait("done")
    print("served")
