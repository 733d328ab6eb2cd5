# Instructions per received TCP segment (run by tests/lwip-net/stage.py under callgrind, not
# by run-multitests.py), both sides in one file:
#   python3 segments.py serve <ip> <port>        the kernel's side, in the namespace: listens,
#       prints "ready", reads the one client's request (a size, one line), sends that many
#       bytes and closes;
#   micropython segments.py fetch <ip> <port> <bytes>   the lwIP build: connects, asks for
#       <bytes>, reads until the end of the stream, and prints "received <n> bytes, <k>
#       segments" (k: the TCP segments lwIP took in over the whole run, lwip_tap.stats()'s
#       tcp_recv).
# lwIP is the client so that it waits for nobody: the callgrind run's instructions are the
# same from run to run but for the few waits on the kernel's next segment. The server sends
# nothing, its FIN included, before the request: a FIN during connect() is a fault of
# modlwip.c (faults/connect_peer_fin.py), not what is measured.
import socket
import sys

CHUNK = 4096


def serve(ip, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    s.listen(1)
    print("ready", flush=True)
    c, _ = s.accept()
    request = b""
    while not request.endswith(b"\n"):
        chunk = c.recv(16)
        if not chunk:
            break
        request += chunk
    c.sendall(b"x" * int(request))
    c.close()
    s.close()


def fetch(ip, port, size):
    import lwip_tap

    c = socket.socket()
    c.connect(socket.getaddrinfo(ip, port)[0][-1])
    c.send(b"%d\n" % size)
    got = 0
    while True:
        chunk = c.recv(CHUNK)
        if not chunk:
            break
        got += len(chunk)
    c.close()
    print("received %d bytes, %d segments" % (got, lwip_tap.stats()["tcp_recv"]))


if sys.argv[1] == "serve":
    serve(sys.argv[2], int(sys.argv[3]))
else:
    fetch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
