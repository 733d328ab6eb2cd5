# readline(size) with size None or not an integer (a deliberate difference, see
# differences.txt: the C original reads the object's tag bits as a size; mprs reads without
# a limit for None, as CPython, and raises TypeError otherwise).
import io


def attempt(f, *args):
    try:
        return f(*args)
    except Exception as e:
        return type(e).__name__


long_line = b"0123456789" * 5 + b"\n"
b = io.BytesIO(long_line + b"abc\nlast")
print(b.readline(None), b.readline(None), b.readline(None), b.readline(None))
t = io.StringIO("é€😀" * 10 + "\nend")
print(t.readline(None), t.readline(None), t.readline(None))
b = io.BytesIO(b"abc\ndef\n")
for arg in (1.5, 1.0, "3", b"3", [3], (), object()):
    print(repr(arg), attempt(b.readline, arg))
print(b.readline(), b.readline())
