# Shared by test_vm.py and bench.py: starts tests/websocket/server.py in a MicroPython
# binary and connects to it.
import os
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(micropython, *args):
    """Starts the server; returns (process, port) once it listens."""
    port = free_port()
    p = subprocess.Popen(
        [micropython, SERVER, str(port)] + [str(a) for a in args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    line = p.stdout.readline()
    if line.strip() != b"listening":
        p.kill()
        raise RuntimeError("server did not start: %r %r" % (line, p.stdout.read()))
    return p, port


def connect(port, nodelay=False):
    """A raw websocket connection, upgraded."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    if nodelay:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              b"Sec-WebSocket-Key: foo\r\n\r\n")
    resp = b""
    while not resp.endswith(b"\r\n\r\n"):
        c = s.recv(1)
        if not c:
            raise RuntimeError("no upgrade")
        resp += c
    return s


def frame(b0, payload, mask=b"\x12\x34\x56\x78", length=None):
    """A client frame; `length` replaces the length field (7-bit code and extension)."""
    m = 0x80 if mask else 0
    n = len(payload)
    if length is not None:
        code, ext = length
    elif n < 126:
        code, ext = n, b""
    elif n < 0x10000:
        code, ext = 126, n.to_bytes(2, "big")
    else:
        code, ext = 127, n.to_bytes(8, "big")
    out = bytes([b0, m | code]) + ext
    if mask:
        out += mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    else:
        out += payload
    return out


def read_frames(s, timeout=5.0):
    """Every frame the server sends until it closes the connection: [(b0, payload)]."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except (socket.timeout, ConnectionResetError):
        pass
    frames = []
    while len(data) >= 2:
        code = data[1] & 0x7F
        at = 2
        if code == 126:
            code, at = int.from_bytes(data[2:4], "big"), 4
        elif code == 127:
            code, at = int.from_bytes(data[2:10], "big"), 10
        frames.append((data[0], data[at:at + code]))
        data = data[at + code:]
    return frames


def finish(p, timeout=30):
    out, _ = p.communicate(timeout=timeout)
    return out.decode()
