# dupterm streams that fail: an exception or an errno from readinto() or write(), an
# over-long count, a close that raises. The stream is detached, the message and the
# exception are printed (to stdout and to the other slot), the stream is closed once, and
# the other slot keeps working.
import io
import os

# The dupterm stream class, tests/micropython/vm/lib/term.py, is compiled under a fixed
# file name, so that the tracebacks dupterm prints name "term.py" wherever this test is.
with open(__file__.rsplit("/", 1)[0] + "/lib/term.py") as f:
    exec(compile(f.read(), "term.py", "exec"))


# readinto() raises, in slot 0: slot 1 is read in the same call and sees the message.
a = Term("a", rx=[ValueError("read failed")])
b = Term("b", rx=[b"k"])
os.dupterm(a)
os.dupterm(b, 1)
r = [hooks.rx_chr(), hooks.slot(0), hooks.slot(1) is b]
detach_all()
print(r)
show(a, b)

# readinto() raises in slot 1; the close raises too and is swallowed.
a = Term("a", rx=[None])
b = Term("b", rx=[OSError(110)])
b.close_exc = OSError(5)
os.dupterm(a)
os.dupterm(b, 1)
r = [hooks.rx_chr(), hooks.slot(1), hooks.slot(0) is a, hooks.rx_chr()]
detach_all()
print(r)
show(a, b)

# readinto() returns an errno (-5): OSError; an over-long count (2 for 1): OSError(EIO).
for action in (-5, 2, -110):
    a = Term("a", rx=[action])
    os.dupterm(a, 1)
    r = [hooks.rx_chr(), hooks.slot(1)]
    print(r)
    show(a)

# BaseException subclasses are caught as well.
for exc in (KeyboardInterrupt("kbd"), SystemExit(3)):
    a = Term("a", rx=[exc])
    os.dupterm(a, 1)
    r = [hooks.rx_chr(), hooks.slot(1)]
    print(r)
    show(a)

# write() raises in slot 1 during print(): slot 0 got the text and gets the message.
a = Term("a")
b = Term("b", tx=[RuntimeError("write failed")])
os.dupterm(a)
os.dupterm(b, 1)
print("line 1")
r = [hooks.slot(0) is a, hooks.slot(1)]
print("line 2")
detach_all()
print(r)
show(a, b)

# write() raises in slot 0 from the tx hook: 0 is returned, slot 1 is written.
a = Term("a", tx=[TypeError("bad")])
b = Term("b")
os.dupterm(a)
os.dupterm(b, 1)
r = [hooks.tx(b"data"), hooks.slot(0), hooks.tx(b"more")]
detach_all()
print(r)
show(a, b)

# write() raises after a partial write (the exact write repeats the call).
a = Term("a", tx=[2, ValueError("late")])
os.dupterm(a, 1)
r = [hooks.tx(b"abcdef"), hooks.slot(1), hooks.tx(b"x")]
print(r)
show(a)

# write() returns an errno (-5) or an over-long count: OSError, deactivated.
for action in (-5, 100):
    a = Term("a", tx=[action])
    os.dupterm(a, 1)
    r = [hooks.tx(b"abc"), hooks.slot(1)]
    print(r)
    show(a)

# write() returns -EAGAIN: would block, the stream stays.
a = Term("a", tx=[-11])
os.dupterm(a, 1)
r = [hooks.tx(b"abc"), hooks.slot(1) is a, hooks.tx(b"abc")]
detach_all()
print(r)
show(a)

# Both slots fail on the same print: two messages, each stream closed once.
a = Term("a", tx=[ValueError("a fails")])
b = Term("b", tx=[ValueError("b fails")])
os.dupterm(a)
os.dupterm(b, 1)
print("both fail")
r = [hooks.slot(0), hooks.slot(1)]
print(r)
show(a, b)

# A stream reattached after failing is used again.
a = Term("a", tx=[ValueError("once")])
os.dupterm(a, 1)
r = [hooks.tx(b"1"), hooks.slot(1)]
os.dupterm(a, 1)
r += [hooks.tx(b"2"), hooks.slot(1) is a]
detach_all()
print(r)
show(a)
