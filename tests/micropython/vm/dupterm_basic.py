# dupterm from Python (os.dupterm, print) and through the port hooks (mprs_testhooks):
# slots 0 and 1, output to every slot, reads in slot order, would-block, EOF, the
# interrupt character, poll and mp_os_deactivate.
import io
import os

# The dupterm stream class, tests/micropython/vm/lib/term.py, is compiled under a fixed
# file name, so that the tracebacks dupterm prints name "term.py" wherever this test is.
with open(__file__.rsplit("/", 1)[0] + "/lib/term.py") as f:
    exec(compile(f.read(), "term.py", "exec"))


print("slots", hooks.nslots(), hooks.slot(0), hooks.slot(1))

# os.dupterm: the previous stream is returned, bad indices and non-streams are refused.
a = Term("a")
b = Term("b")
r = [os.dupterm(a), os.dupterm(b, 1), os.dupterm(b, 0) is a, os.dupterm(a, 0) is b]
r.append(hooks.slot(0) is a and hooks.slot(1) is b)
detach_all()
print(r, hooks.slot(0), hooks.slot(1))
for idx in (-1, 2, 100):
    try:
        os.dupterm(a, idx)
    except ValueError as e:
        print("ValueError", e)
for obj in (1, "str", b"bytes"):
    try:
        os.dupterm(obj, 1)
    except OSError as e:
        print("OSError", e)
print(hooks.slot(1), a.closes, a.calls)

# tx: -1 with no stream; the least count over the slots otherwise.
a = Term("a")
b = Term("b", chunk=1)
r = [hooks.tx(b"hello")]
os.dupterm(b, 1)
r.append(hooks.tx(b"hello"))  # 1 byte a call, repeated until all is written
os.dupterm(a, 0)
a.tx = [2, 0]  # short write, then no progress
r.append(hooks.tx(b"world"))
a.tx = [None]  # would block
r.append(hooks.tx(b"12345"))
a.tx = [3, None]  # progress, then would block
r.append(hooks.tx(b"abcde"))
r.append(hooks.tx(b""))
r.append((hooks.slot(0) is a, hooks.slot(1) is b))
detach_all()
print(r)
show(a, b)

# print() reaches every slot, and stdout.
a = Term("a")
b = Term("b")
os.dupterm(a)
os.dupterm(b, 1)
print("to both")
os.dupterm(None, 0)
print("to b")
detach_all()
print("to none")
show(a, b)

# rx_chr: slot 0 first; would-block (None, or -EAGAIN) skips to the next slot, which may
# have nothing either.
a = Term("a", rx=[b"x", None, b"zz", -11, None])
b = Term("b", rx=[b"1", b"2", None, b"3"])
os.dupterm(a)
os.dupterm(b, 1)
r = [hooks.rx_chr() for _ in range(6)]
r.append((hooks.slot(0) is a, hooks.slot(1) is b))
detach_all()
print(r)
show(a, b)

# rx_chr: EOF on slot 0 deactivates it (message, closed once) and slot 1 is still read.
a = Term("a", rx=[0])
b = Term("b", rx=[b"q"])
os.dupterm(a)
os.dupterm(b, 1)
r = [hooks.rx_chr(), hooks.slot(0), hooks.slot(1) is b, hooks.rx_chr()]
detach_all()
print(r)
show(a, b)

# rx_chr: EOF with nothing else attached.
a = Term("a")
os.dupterm(a, 1)
r = [hooks.rx_chr(), hooks.slot(1), hooks.rx_chr()]
print(r)
show(a)

# Bytes above 127 and NUL come through as they are.
a = Term("a", rx=[b"\xff", b"\x00", b"\x80"])
os.dupterm(a, 1)
r = [hooks.rx_chr() for _ in range(3)]
detach_all()
print(r)

# The interrupt character schedules KeyboardInterrupt; -2 is returned.
a = Term("a", rx=[b"\x03", b"\x03", b"c"])
os.dupterm(a, 1)
hooks.interrupt_char(3)
got = []
try:
    got.append(hooks.rx_chr())
    for i in range(100):
        pass
    print("no interrupt")
except KeyboardInterrupt:
    print("KeyboardInterrupt", got)
hooks.interrupt_char(-1)
got.append(hooks.rx_chr())  # no interrupt character: byte 3 is data
got.append(hooks.rx_chr())
detach_all()
print(got, a.closes)

# poll: flags merged over the slots, stopping once all asked for are set; a failing poll
# (an exception, or a negative errno) is ignored.
a = Term("a")
b = Term("b")
r = [hooks.poll(5)]
os.dupterm(a)
os.dupterm(b, 1)
a.poll_ret = 1
b.poll_ret = 4
r.append(hooks.poll(5))
a.calls.clear()
b.calls.clear()
r.append(hooks.poll(1))  # slot 0 has it all: slot 1 not asked
r.append((list(a.calls), list(b.calls)))
a.poll_ret = ValueError("poll")
r.append(hooks.poll(5))
a.poll_ret = -22
r.append(hooks.poll(5))
b.poll_ret = 0
r.append(hooks.poll(5))
r.append((hooks.slot(0) is a, hooks.slot(1) is b))
detach_all()
print(r, a.closes, b.closes)

# mp_os_deactivate: detaches the slot, prints the message (and the exception), closes it.
a = Term("a")
b = Term("b")
os.dupterm(a)
os.dupterm(b, 1)
hooks.deactivate(1, "deactivating slot 1\n", None)
r = [hooks.slot(0) is a, hooks.slot(1)]
hooks.deactivate(0, "deactivating slot 0: ", ValueError("why", 1))
r += [hooks.slot(0), hooks.slot(1)]
hooks.deactivate(1, "slot 1 is empty\n", None)
hooks.deactivate(0, "slot 0 is empty: ", OSError(5))
print(r)
show(a, b)
