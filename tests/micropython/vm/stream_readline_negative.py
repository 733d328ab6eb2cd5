# readline(size) with a negative size other than -1: no limit, as in CPython (mprs).
# py/stream.c sizes its buffer from the value and fails to allocate (MemoryError).
import io


def attempt(f, *args):
    try:
        return f(*args)
    except Exception as e:
        return type(e).__name__


b = io.BytesIO(b"abc\ndef\nghi\n")
for n in (-1, -2, -100):
    print(n, attempt(b.readline, n))
print(b.read())
