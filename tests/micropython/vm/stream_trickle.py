# py/stream.h loops over Python streams that move one byte at a time, stop early or would
# block: io.BufferedWriter (a C stream user) over io.IOBase subclasses. (The websocket
# over the same streams is websocket_trickle.py.)
import io

try:
    io.IOBase
    io.BufferedWriter
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


# io.BufferedWriter over a stream that takes 1 byte a call.
t = Trickle()
w = io.BufferedWriter(t, 4)
print(w.write(b"ab"), bytes(t.out), calls(t))
print(w.write(b"cdefghij"), bytes(t.out), calls(t))
print(w.flush(), bytes(t.out), calls(t))
print(w.write(b""), w.write(bytearray(b"xyz")), w.write(memoryview(b"0123456789")[2:5]))
print(w.flush(), bytes(t.out), calls(t))

# BufferedWriter over a stream that would block or fails. (One that stops taking data
# part way trips an assert in py/modio.c, in both builds: not tested.)
for wplan in ([None], [-5], [3, -22], [None, None]):
    t = Trickle(chunk=100, wplan=wplan)
    w = io.BufferedWriter(t, 4)
    print(wplan, attempt(w.write, b"0123456789"), bytes(t.out), calls(t))
    print(" ", attempt(w.flush), bytes(t.out), calls(t))
