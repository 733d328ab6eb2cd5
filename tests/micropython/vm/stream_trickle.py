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


# The scripted stream (Trickle) and the attempt/calls helpers: tests/micropython/vm/lib/trickle.py.
with open(__file__.rsplit("/", 1)[0] + "/lib/trickle.py") as f:
    exec(f.read())


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
