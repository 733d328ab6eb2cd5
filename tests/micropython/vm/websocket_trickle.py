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


# The scripted stream (Trickle) and the attempt/calls helpers: tests/micropython/vm/lib/trickle.py.
with open(__file__.rsplit("/", 1)[0] + "/lib/trickle.py") as f:
    exec(f.read())


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
