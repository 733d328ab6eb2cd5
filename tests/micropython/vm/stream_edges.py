# Ünïcödé line for the text-file test below: é€😀 (2, 3 and 4 bytes).
# py/stream.h methods on the VM's own streams (io.BytesIO, io.StringIO, a text file):
# read/readinto/readline/write edge cases, and text read(n) counting UTF-8 characters.
import io

try:
    io.BytesIO
    io.StringIO
except AttributeError:
    print("SKIP")
    raise SystemExit


def attempt(f, *args):
    try:
        return f(*args)
    except Exception as e:
        return type(e).__name__


# read: 0, -1 (to the end), a size past the end, then EOF.
b = io.BytesIO(b"0123456789")
print(b.read(0), b.read(3), b.read(-1), b.read(5), b.read(), b.read(0))
b = io.BytesIO(b"0123456789")
print(b.read(), b.read())

# readinto: a bytearray, a limit, a zero limit, a memoryview, past the end.
b = io.BytesIO(b"abcdefgh")
buf = bytearray(5)
print(b.readinto(buf, 0), b.readinto(buf, 2), buf)
print(b.readinto(memoryview(buf)[2:]), buf)
print(b.readinto(buf, 100), buf, b.readinto(buf), b.readinto(bytearray(0)))
print(attempt(b.readinto, b"immutable"))

# readline: limits, -1, no newline at EOF, empty lines, a line exactly at the limit.
b = io.BytesIO(b"one\n\ntwo22\nthree")
print(b.readline(0), b.readline(2), b.readline(2), b.readline(), b.readline(-1))
print(b.readline(5), b.readline(3), b.readline(3), b.readline(), b.readline(10))
b = io.BytesIO(b"abc\n")
print(b.readline(4), b.readline(4))
b = io.BytesIO(b"abc\n")
print(b.readline(3), b.readline(3), b.readline(3))
print([l for l in io.BytesIO(b"x\ny\n\nz")])
print([l for l in io.BytesIO(b"")], [l for l in io.BytesIO(b"\n\n")])

# write: whole, with a length, with an offset and a length, past the end of the buffer.
b = io.BytesIO()
print(b.write(b"hello"), b.write(b"world", 2), b.write(b"abcdef", 1, 3), b.write(b"xy", 5, 5))
print(b.write(bytearray(b"BA")), b.write(memoryview(b"memview")[3:]), b.write(b""))
print(b.getvalue(), b.tell())
print(attempt(b.write, "str"), attempt(b.write, 42))

# seek/tell, and reading after seeking.
print(b.seek(0), b.read(3), b.seek(-2, 2), b.read(), b.seek(1, 1), b.tell(), b.seek(2), b.tell())
print(b.seek(100), b.read(), b.tell())
print(attempt(b.seek, -1))

# close and use after close.
b.close()
print(attempt(b.read), attempt(b.write, b"x"), attempt(b.readline))
with io.BytesIO(b"ctx") as b:
    print(b.read())
print(attempt(b.read))

# Text read(n) counts characters, not bytes.
s = "aé€😀b\nline2é\n€"
t = io.StringIO(s)
print([t.read(1) for i in range(8)])
t = io.StringIO(s)
print(t.read(2), t.read(3), t.read(0), t.read(4), t.read(100), t.read(1))
t = io.StringIO(s)
print(t.readline(), t.readline(3), t.readline(), t.readline(), t.readline())
t = io.StringIO(s)
print(t.read(), t.read())
t = io.StringIO()
print(t.write("é€"), t.write("😀"), t.getvalue(), len(t.getvalue()))

# A text file: read(n) in characters, never past them; readline, readlines, iteration.
with open(__file__) as f:
    print(f.read(2), f.read(1), f.read(5), f.read(6), f.read(6), f.read(3), f.read(1))
    print(repr(f.readline()))
    print(f.readline(5), f.tell())
with open(__file__) as f:
    first = f.readline()
    print(first.encode(), len(first))
with open(__file__, "rb") as f:
    print(f.read(20))
    print(f.readline(), f.readline(4))
    lines = f.readlines()
    print(len(lines), lines[-1])
with open(__file__) as f:
    n = 0
    for line in f:
        n += 1
    print(n - len(lines))
# the last line
