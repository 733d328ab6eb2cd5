# Virtual pins: machine.PinBase subclasses (pins written in Python) read and written
# through machine.Signal (mp_virtual_pin_read/write), inverted or not, nested, and pins
# whose value() raises or returns something that is not a small 0/1.
try:
    import machine

    machine.PinBase
    machine.Signal
except (ImportError, AttributeError):
    print("SKIP")
    raise SystemExit


class Pin(machine.PinBase):
    # value() returns self.v, or raises it if it is an exception; writes are logged.
    def __init__(self, v=0):
        self.v = v
        self.log = []

    def value(self, *args):
        self.log.append(args)
        if args:
            if isinstance(self.v, BaseException):
                raise self.v
            self.v = args[0]
            return None
        if isinstance(self.v, BaseException):
            raise self.v
        return self.v


def attempt(f, *args):
    try:
        return f(*args)
    except Exception as e:
        return "%s%r" % (type(e).__name__, e.args)


# Plain and inverted signals, value(), on() and off(); what the pin is given.
for invert in (False, True):
    p = Pin()
    s = machine.Signal(p, invert=invert)
    r = [s.value()]
    s.on()
    r += [s.value(), p.v]
    s.off()
    r += [s.value(), p.v]
    s.value(1)
    r += [s.value(), p.v]
    s.value(0)
    r += [s.value(), p.v]
    for v in (2, -1, "x", "", [], None, 0.0):
        s.value(v)
        r.append(p.v)
    print(invert, r)
    print(p.log)

# invert given as any truthy value.
p = Pin(1)
print([machine.Signal(p, invert=x).value() for x in (0, 1, None, "yes", [])])

# What value() returns is passed on as an int (not normalised), inverted bitwise.
for v in (0, 1, 5, -1, True, False, 2**40):
    p = Pin(v)
    print(repr(v), machine.Signal(p).value(), machine.Signal(p, invert=True).value())

# A signal of a signal: a Signal is itself a pin.
p = Pin()
s = machine.Signal(machine.Signal(p, invert=True), invert=True)
s.on()
r = [p.v, s.value()]
s2 = machine.Signal(machine.Signal(p, invert=True))
s2.on()
r += [p.v, s2.value()]
print(r)

# value() raising, or returning something that is not an int: the exception propagates,
# for a read and for a write, and the pin is usable afterwards.
for bad in (ValueError("bad pin"), OSError(5), None, 1.5, "1", 2**100):
    p = Pin(bad)
    s = machine.Signal(p)
    si = machine.Signal(p, invert=True)
    r = [attempt(s.value), attempt(si.value), attempt(s.value, 1), attempt(si.on)]
    p.v = 1
    r += [s.value(), si.value()]
    print(r)
p = Pin(KeyboardInterrupt())
try:
    machine.Signal(p).value()
except KeyboardInterrupt:
    print("KeyboardInterrupt")

# PinBase's own value() is not there: the subclass must provide it.
class NoValue(machine.PinBase):
    pass


print(attempt(machine.Signal(NoValue()).value), attempt(machine.Signal(NoValue()).on))

# Constructor argument checks.
p = Pin()
print(attempt(machine.Signal), attempt(machine.Signal, p, 1), attempt(machine.Signal, p, p))
print(attempt(lambda: machine.Signal(p, other=1)), attempt(lambda: machine.Signal(invert=True)))
print(attempt(lambda: machine.Signal(p, invert=True, x=1)))
