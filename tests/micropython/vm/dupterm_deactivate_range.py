# mp_os_deactivate with an index past the slots (a deliberate difference, see
# differences.txt: the C original reads and clears memory past MP_STATE_VM(dupterm_objs);
# mprs ignores the call: no message, nothing detached or closed).
import io
import os

# The dupterm stream class, tests/micropython/vm/lib/term.py, is compiled under a fixed
# file name, so that the tracebacks dupterm prints name "term.py" wherever this test is.
with open(__file__.rsplit("/", 1)[0] + "/lib/term.py") as f:
    exec(compile(f.read(), "term.py", "exec"))


a = Term("a")
b = Term("b")
os.dupterm(a)
os.dupterm(b, 1)
for idx in (2, 3, 1000):
    hooks.deactivate(idx, "deactivating past the slots\n", None)
    hooks.deactivate(idx, "deactivating past the slots: ", ValueError("past"))
r = [hooks.slot(0) is a, hooks.slot(1) is b, hooks.tx(b"ok")]
detach_all()
print(r)
show(a, b)
