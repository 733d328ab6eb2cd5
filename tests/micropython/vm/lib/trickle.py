# A scripted stream for the VM stream tests, and their helpers (the test imports io).


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
