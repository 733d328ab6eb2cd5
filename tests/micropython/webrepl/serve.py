# The MicroPython side of the in-VM WebREPL test (driven by test_client.py in this directory).
#
# Run as `micropython -i serve.py PORT PASSWORD` with stdin a pipe and the working directory
# where the transferred files should land. It listens on 127.0.0.1:PORT and returns to the
# REPL. Each `serve()` typed on stdin accepts one connection, does the websocket handshake,
# wraps the socket as lib/micropython-lib/micropython/net/webrepl/webrepl.py does
# (`websocket.websocket(cl, True)`, `_webrepl._webrepl(...)`, socket non-blocking) and
# attaches it with os.dupterm(). The unix REPL then reads slot 0 itself
# (ports/unix/unix_mphal.c, call_dupterm_read), so the REPL runs over the WebREPL connection
# until the stream reports EOF ("dupterm: EOF received, deactivating"); then it reads stdin
# again and the driver can type the next `serve()`.
#
# webrepl.py itself imports `network`, which the unix port lacks, so its handshake is
# repeated here. The lines starting "serve: " are markers the driver waits for.
import sys
import os
import socket
import select
import hashlib
import binascii
import websocket
import _webrepl
from sha1 import sha1  # sha1.py in this folder

PORT = int(sys.argv[1])
PASSWORD = sys.argv[2]

# The unix port's socket module has neither constant; these are Linux's values.
IPPROTO_TCP = getattr(socket, "IPPROTO_TCP", 6)
TCP_NODELAY = getattr(socket, "TCP_NODELAY", 1)
ACCEPT_TIMEOUT_MS = 8000  # less than the driver waits for "serve: connected"

listen_s = socket.socket()
listen_s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listen_s.bind(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
listen_s.listen(2)
_webrepl.password(PASSWORD)
client_s = None
served = 0
print("serve: listening on 127.0.0.1:%d" % PORT)


def server_handshake(cl):
    # As webrepl.py's server_handshake: read the request, answer with the accept key.
    req = cl.makefile("rwb", 0)
    req.readline()  # GET line
    webkey = None
    upgrade = False
    is_websocket = False
    while True:
        l = req.readline()
        if not l:
            return False
        if l == b"\r\n":
            break
        h, v = [x.strip() for x in l.split(b":", 1)]
        if h == b"Sec-WebSocket-Key":
            webkey = v
        elif h == b"Connection" and b"Upgrade" in v:
            upgrade = True
        elif h == b"Upgrade" and v == b"websocket":
            is_websocket = True
    if not (upgrade and is_websocket and webkey):
        return False
    respkey = binascii.b2a_base64(sha1(webkey + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))[:-1]
    cl.send(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
    cl.send(b"Sec-WebSocket-Accept: " + respkey + b"\r\n\r\n")
    return True


def serve(nodelay=True):
    global client_s, served
    if client_s is not None:
        # The previous connection: dupterm detaches on EOF but does not close it.
        client_s.close()
        client_s = None
    served += 1
    print("serve: waiting %d" % served)
    poller = select.poll()
    poller.register(listen_s, select.POLLIN)
    if not poller.poll(ACCEPT_TIMEOUT_MS):
        print("serve: no connection %d" % served)
        return
    cl, _ = listen_s.accept()
    if nodelay:
        # One round trip per GET chunk: without this, Nagle + delayed ACK cost ~40 ms each.
        cl.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
    if not server_handshake(cl):
        print("serve: bad handshake %d" % served)
        cl.close()
        return
    client_s = cl
    ws = _webrepl._webrepl(websocket.websocket(cl, True))
    cl.setblocking(False)
    print("serve: connected %d" % served)
    os.dupterm(ws)
