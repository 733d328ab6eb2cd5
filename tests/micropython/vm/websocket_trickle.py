# websocket.websocket over Python streams that move one byte at a time, stop early or would
# block (io.IOBase subclasses), and the read/readinto/readline/write methods it gets from
# py/stream.h. The expected output is mprs's (README, websocket table): a frame header that
# arrives a byte at a time on a blocking stream is completed (the C original reports
# would-block, None, until it is whole); a frame leaves in one write call (the C original
# writes header and payload apart); a stream that stops taking a frame part way, or would
# block inside one, is EIO (the C original reports success or would-block for a frame cut
# short, or sends the payload without its header).
import io

try:
    io.IOBase
    import websocket
except (ImportError, AttributeError):
    print("SKIP")
    raise SystemExit


class Trickle(io.IOBase):
    # Reads hand out `data` at most `chunk` bytes a call; a None in `plan` makes that call
    # would-block, an int n returns -n (an errno). Writes take at most `chunk` bytes a call,
    # or follow `wplan` (None: would block; an int n: take n bytes, or fail with -n if
    # negative).
    def __init__(self, data=b"", chunk=1, plan=(), wplan=()):
        self.data = bytearray(data)
        self.chunk = chunk
        self.plan = list(plan)
        self.wplan = list(wplan)
        self.out = bytearray()
        self.calls = []

    def readinto(self, buf):
        self.calls.append("r%d" % len(buf))
        if self.plan:
            p = self.plan.pop(0)
            if p is None:
                return None
            if p > 0:
                return -p
        n = min(len(buf), self.chunk, len(self.data))
        buf[:n] = self.data[:n]
        self.data = self.data[n:]
        return n

    def write(self, buf):
        self.calls.append("w%d" % len(buf))
        if self.wplan:
            p = self.wplan.pop(0)
            if p is None:
                return None
            if p < 0:
                return p
            n = min(p, len(buf))
        else:
            n = min(self.chunk, len(buf))
        self.out.extend(bytes(buf[:n]))
        return n

    def ioctl(self, req, arg):
        self.calls.append("i%d" % req)
        return 0

    def setblocking(self, flag):  # websocket(stream, True) calls it around writes
        self.calls.append("b%d" % flag)


def attempt(f, *args):
    try:
        return f(*args)
    except Exception as e:
        return "%s %s" % (type(e).__name__, getattr(e, "errno", e.args))


def calls(s):
    r = ",".join(s.calls)
    s.calls.clear()
    return r


# websocket reading frames that arrive 1 byte at a time, on a blocking stream: no
# would-block (None) while a frame header comes in.
frames = b"\x81\x05hello" + b"\x81\x7e\x00\x82" + bytes(range(130)) + b"\x82\x03a\nb"
t = Trickle(frames)
ws = websocket.websocket(t)
got = []
for i in range(200):
    r = ws.read(3)
    got.append(r)
    if r == b"":
        break
print(got[:8])
print(len(b"".join(x for x in got if x)), got.count(None), got[-1])

# readinto with a limit, a zero limit, and an offset-less bytearray/memoryview.
t = Trickle(b"\x81\x0aabcdefghij", chunk=100)
ws = websocket.websocket(t)
buf = bytearray(6)
print(ws.readinto(buf, 0), buf)
print(ws.readinto(buf, 4), buf)
print(ws.readinto(memoryview(buf)[1:]), buf)
print(ws.readinto(buf), buf)
print(ws.readinto(buf), calls(t))

# read(0), read(-1) (read to EOF), read() over a trickle, and EOF afterwards.
t = Trickle(b"\x81\x04abcd\x81\x02ef", chunk=100)
ws = websocket.websocket(t)
print(ws.read(0), ws.read(-1), ws.read(), ws.read(2))
t = Trickle(b"\x81\x04abcd\x81\x02ef")
ws = websocket.websocket(t)
print([ws.read() for i in range(12)])

# readline: limits, no newline at EOF, 1 byte at a time.
t = Trickle(b"\x81\x10line1\nline22\nend", chunk=100)
ws = websocket.websocket(t)
print(ws.readline(0), ws.readline(3), ws.readline(), ws.readline(-1), ws.readline(), ws.readline())
t = Trickle(b"\x81\x06ab\ncd\n")
ws = websocket.websocket(t)
print([ws.readline() for i in range(12)])
t = Trickle(b"\x81\x06ab\ncd\n", chunk=100)
ws = websocket.websocket(t)
print([ws.readline(1) for i in range(8)])

# Non-blocking streams: nothing yet gives None, data before would-block is kept.
for plan in ([None], [None, None, 0], [0, None]):
    t = Trickle(b"\x81\x04wxyz", chunk=100, plan=plan)
    ws = websocket.websocket(t)
    print(plan, attempt(ws.read, 4), attempt(ws.read, 4), attempt(ws.read, 4), calls(t))
t = Trickle(b"\x81\x04wx\nz", chunk=100, plan=[0, 0, None])
ws = websocket.websocket(t)
print(attempt(ws.readline), attempt(ws.readline), attempt(ws.readline), attempt(ws.readline))
t = Trickle(b"\x81\x04wxyz", chunk=100, plan=[0, None])
ws = websocket.websocket(t)
buf = bytearray(4)
print(attempt(ws.readinto, buf), attempt(ws.readinto, buf), buf)

# Errors from the underlying stream: an errno reaches Python as OSError.
t = Trickle(b"\x81\x04wxyz", chunk=100, plan=[5])
ws = websocket.websocket(t)
print(attempt(ws.read, 4), attempt(ws.read, 4))
t = Trickle(b"\x81\x04wxyz", chunk=100, plan=[0, 0, 110])
ws = websocket.websocket(t)
print(attempt(ws.readline), attempt(ws.readline))

# websocket writes: header and payload pushed through a 1-byte-a-call stream.
t = Trickle()
ws = websocket.websocket(t, True)
print(ws.write(b"hi"), ws.write(b"x" * 130), len(t.out), bytes(t.out[:4]), bytes(t.out[4:10]))
print(calls(t).count("w1"))
print(ws.write(b"abcdef", 2), ws.write(b"abcdef", 1, 3), bytes(t.out[-9:]), calls(t))
# ... and through streams that stop, would block or fail.
for wplan in ([0], [None], [1, None], [-5], [2, 1, -9]):
    t = Trickle(wplan=wplan, chunk=100)
    ws = websocket.websocket(t, True)
    print(wplan, attempt(ws.write, b"payload"), bytes(t.out), calls(t))
