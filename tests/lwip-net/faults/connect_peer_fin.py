# modlwip.c fault: connect() raises OSError(0) when the peer's FIN arrives with (or right
# after) its SYN-ACK, before connect() looks at the socket's state: it then takes
# STATE_PEER_CLOSED for an lwIP error code and indexes error_lookup_table out of range.
# instance1 (the lwIP build) connects N times to a server that accepts and closes at once;
# every connect must succeed (the peer closing is for recv() to report, as b'').
# The TAP netif lingers 5 ms after a frame for the next (as a board's lwIP interrupt takes
# frames as they come), so the FIN that follows the handshake lands in the same wait.
# lwip instance: 1
# lwip env: MPRS_LWIP_TAP_LINGER_MS=5
import socket

# Shared helpers: listener(), connect(), recv_upto() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8002
N = 30


def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = listener(PORT, N)
    multitest.next()
    for _ in range(N):
        c, _ = s.accept()
        c.close()
    multitest.wait("done")
    s.close()


def instance1():
    multitest.next()
    raised = {}
    for _ in range(N):
        s = socket.socket()
        try:
            s.connect(socket.getaddrinfo(IP, PORT)[0][-1])
        except OSError as er:
            raised[er.errno] = raised.get(er.errno, 0) + 1
        s.close()
    print("connects:", N, "raised (errno, count):", sorted(raised.items()))
    multitest.broadcast("done")
