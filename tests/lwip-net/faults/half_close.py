# Guard for mprs: a half-closed peer. The kernel peer sends a request and shuts down its
# sending side (CPython: MicroPython's sockets have no shutdown()); the lwIP build reads the
# request, then end of file, and end of file again, and still sends its whole answer, more
# than lwIP's send buffer holds, which the peer reads before the lwIP build closes.
# lwip peer: cpython
import socket

# Shared helpers: listener(), connect(), recv_upto() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8007
ANSWER = bytes(range(200)) * 100


def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = listener(PORT)
    multitest.next()
    c, _ = s.accept()
    print("request:", recv_upto(c, 100))
    print("then:", c.recv(10))
    c.write(ANSWER)
    print("answer sent")
    c.close()
    s.close()


def instance1():
    multitest.next()
    c = connect(PORT)
    c.sendall(b"GET")
    c.shutdown(socket.SHUT_WR)
    answer = recv_upto(c, 2 * len(ANSWER))
    print("answer:", len(answer), "bytes,", "intact" if answer == ANSWER else "not intact")
    c.close()
