# One stream attached to slots 0 and 1 fails (a deliberate difference, see differences.txt:
# the C original prints the message twice, writes the stream after closing it and closes it
# twice; mprs detaches it from both slots, prints once, closes once).
import io
import os

# The dupterm stream class, tests/micropython/vm/lib/term.py, is compiled under a fixed
# file name, so that the tracebacks dupterm prints name "term.py" wherever this test is.
with open(__file__.rsplit("/", 1)[0] + "/lib/term.py") as f:
    exec(compile(f.read(), "term.py", "exec"))


# write() fails
a = Term("a", tx=[ValueError("shared write")])
os.dupterm(a)
os.dupterm(a, 1)
r = [hooks.tx(b"xyz"), hooks.slot(0) is a, hooks.slot(1) is a]
detach_all()
print(r)
show(a)

# readinto() fails
a = Term("a", rx=[ValueError("shared read")])
os.dupterm(a)
os.dupterm(a, 1)
r = [hooks.rx_chr(), hooks.slot(0) is a, hooks.slot(1) is a]
detach_all()
print(r)
show(a)

# EOF
a = Term("a")
os.dupterm(a)
os.dupterm(a, 1)
r = [hooks.rx_chr(), hooks.slot(0) is a, hooks.slot(1) is a]
detach_all()
print(r)
show(a)
