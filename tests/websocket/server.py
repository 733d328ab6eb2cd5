# Runs inside MicroPython's unix port (either build): serves one websocket connection on
# 127.0.0.1, accepted and upgraded as webrepl.py does, with default socket options, as a
# bare websocket over a blocking socket, for the tests of framing (test_vm.py; WebREPL
# itself is served by tests/micropython/webrepl/serve.py). Prints what each call gave.
#
#   micropython server.py <port> probe <scenario> [<size>]
import sys
import os
import socket
import websocket

port = int(sys.argv[1])
mode = sys.argv[2]

ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
ls.listen(1)
print("listening")
cl, _ = ls.accept()
ls.close()

# The upgrade, as webrepl.py's server_handshake (the clients here do not check the key).
while True:
    line = cl.readline()
    if not line or line == b"\r\n":
        break
cl.write(
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: x\r\n\r\n"
)


def show(what, call):
    try:
        r = call()
        print(what, "->", repr(r))
        return r
    except OSError as e:
        print(what, "-> OSError", e.errno)
        return e


if mode == "probe":
    scenario = sys.argv[3]
    ws = websocket.websocket(cl)
    if scenario == "read1":
        # One-byte reads until EOF or an error.
        data = b""
        while True:
            r = show("read", lambda: ws.read(1))
            if not isinstance(r, bytes) or r == b"":
                break
            data += r
        print("data", repr(data))
    elif scenario == "readall":
        # Reads of up to 4096 bytes until EOF or an error; prints the total.
        n = 0
        while True:
            try:
                r = ws.read(4096)
            except OSError as e:
                print("read -> OSError", e.errno)
                break
            if r is None:
                print("read -> None")
                break
            if r == b"":
                print("read -> b''")
                break
            n += len(r)
        print("total", n)
    elif scenario == "read10":
        show("read", lambda: ws.read(10))
    elif scenario == "write":
        show("write", lambda: ws.write(b"x" * int(sys.argv[4])))
    ws.close()
