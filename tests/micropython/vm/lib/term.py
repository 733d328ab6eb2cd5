# A scripted dupterm stream for the VM tests (line numbers appear in their expected output).
class Term(io.IOBase):
    # rx: what successive readinto() calls do: bytes (copied, at most len(buf)), an int
    # (returned as is: 0 is EOF, -n an errno), None (would block), an exception (raised),
    # or a function, called, whose result is the action. Once rx is empty, readinto()
    # reports EOF.
    # tx: likewise for write(): an int k (takes min(k, len(buf)) bytes, returns k), None,
    # an exception. Once tx is empty, write() takes `chunk` bytes (all if 0).
    def __init__(self, name, rx=(), tx=(), chunk=0):
        self.name = name
        self.rx = list(rx)
        self.tx = list(tx)
        self.chunk = chunk
        self.out = bytearray()
        self.closes = 0
        self.close_exc = None
        self.poll_ret = 0
        self.calls = []

    def readinto(self, buf):
        self.calls.append("r%d" % len(buf))
        if not self.rx:
            return 0
        a = self.rx.pop(0)
        if callable(a):
            a = a()
        if isinstance(a, BaseException):
            raise a
        if isinstance(a, bytes):
            n = min(len(a), len(buf))
            buf[:n] = a[:n]
            return n
        return a

    def write(self, buf):
        self.calls.append("w%d" % len(buf))
        if self.tx:
            a = self.tx.pop(0)
        else:
            a = self.chunk or len(buf)
        if isinstance(a, BaseException):
            raise a
        if a is not None:
            self.out.extend(bytes(buf)[: max(0, min(a, len(buf)))])
        return a

    def ioctl(self, req, arg):
        self.calls.append("i%d" % req)
        if req == 4:
            self.closes += 1
            if self.close_exc:
                raise self.close_exc
        elif req == 3:
            if isinstance(self.poll_ret, BaseException):
                raise self.poll_ret
            return self.poll_ret
        return 0


# What every dupterm test needs besides the stream (after the class: its line numbers are in
# the expected output). The test imports io and os first.
try:
    import mprs_testhooks as hooks

    os.dupterm
except (ImportError, AttributeError):
    print("SKIP")
    raise SystemExit


def detach_all():
    os.dupterm(None, 0)
    os.dupterm(None, 1)


def show(*terms):
    for t in terms:
        print(t.name, "out=%r closes=%d calls=%s" % (bytes(t.out), t.closes, ",".join(t.calls)))
