# machine.Signal over an object without the pin protocol (a deliberate difference, see
# differences.txt: the C original calls through whatever the type's protocol slot holds and
# crashes; mprs raises OSError(EINVAL)). The unix port's Signal() accepts any object.
try:
    import machine

    machine.Signal
except (ImportError, AttributeError):
    print("SKIP")
    raise SystemExit


def attempt(f, *args):
    try:
        return f(*args)
    except Exception as e:
        return "%s%r" % (type(e).__name__, e.args)


for obj in (object(), 5, "abc", [1], None, 1.5, machine.Signal):
    s = machine.Signal(obj)
    si = machine.Signal(obj, invert=True)
    print(attempt(s.value), attempt(s.value, 1), attempt(s.on), attempt(si.off), attempt(si.value))
