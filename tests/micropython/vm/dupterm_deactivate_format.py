# mp_os_deactivate's message is printed as the port gave it. The C original passes it to
# mp_printf as the format, so a port's "%%" prints as "%".
import io
import os

# The dupterm stream class, tests/micropython/vm/lib/term.py, is compiled under a fixed
# file name, so that the tracebacks dupterm prints name "term.py" wherever this test is.
with open(__file__.rsplit("/", 1)[0] + "/lib/term.py") as f:
    exec(compile(f.read(), "term.py", "exec"))


a = Term("a")
os.dupterm(a, 1)
hooks.deactivate(1, "100%% deactivated\n", None)
hooks.deactivate(1, "50%% again: ", ValueError("done"))
print(hooks.slot(1), a.closes)
