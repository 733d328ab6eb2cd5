# A stream's readinto() puts another stream in its slot, then reports EOF (a deliberate
# difference, see differences.txt: the C original detaches and closes the newcomer; mprs
# leaves the newcomer attached). Neither closes the replaced stream, which os.dupterm()
# took out of the slot.
import io
import os

# The dupterm stream class, tests/micropython/vm/lib/term.py, is compiled under a fixed
# file name, so that the tracebacks dupterm prints name "term.py" wherever this test is.
with open(__file__.rsplit("/", 1)[0] + "/lib/term.py") as f:
    exec(compile(f.read(), "term.py", "exec"))


# readinto() reports EOF after putting b in its slot.
b = Term("b", rx=[b"n"])
a = Term("a", rx=[lambda: (os.dupterm(b, 1), 0)[1]])
os.dupterm(a, 1)
r = [hooks.rx_chr(), hooks.slot(1) is b, hooks.rx_chr()]
detach_all()
print(r)
show(a, b)

# readinto() raises after putting b in its slot.
b = Term("b", rx=[b"m"])
a = Term("a", rx=[lambda: (os.dupterm(b, 0), ValueError("after swap"))[1]])
os.dupterm(a, 0)
r = [hooks.rx_chr(), hooks.slot(0) is b, hooks.rx_chr()]
detach_all()
print(r)
show(a, b)
