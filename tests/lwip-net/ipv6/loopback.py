# IPv6 on the dual-stack lwIP builds (run by tests/lwip-net/stage.py on each, over lwIP's
# loopback, whose address is ::1): a TCP connection both ways, then a UDP datagram. The stage
# compares the output of the two builds line by line. Ephemeral ports are left out.
import socket


def attempt(what, fn):
    try:
        print(what + ":", fn())
    except OSError as e:
        print(what + ": OSError", e.errno)


tcp = socket.getaddrinfo("::1", 8020)[0][-1]
print("getaddrinfo ::1:", tcp)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(tcp)
s.listen(1)
c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
c.connect(tcp)
a, peer = s.accept()
print("accepted from", peer[0])
c.send(b"hello over IPv6")
print("server got", a.recv(100))
a.send(b"and back")
print("client got", c.recv(100))
for x in (a, c, s):
    x.close()

udp = socket.getaddrinfo("::1", 8021)[0][-1]
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
attempt("udp bind", lambda: u.bind(udp))
v = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
attempt("udp sendto", lambda: v.sendto(b"datagram", udp))
u.settimeout(0.5)
attempt("udp recvfrom", lambda: u.recvfrom(100)[0])
u.close()
v.close()
