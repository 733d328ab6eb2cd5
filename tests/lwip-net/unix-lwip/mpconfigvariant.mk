# The unix port with lwIP as its network stack, as a board builds it: MicroPython's
# extmod/modlwip.c (or mprs's socket module) over lwIP 2.2.1 from the tree's lib/lwip,
# NO_SYS=1, polled from the port's event hook, with our TAP netif (mprs_lwip_tap.c).
# Build: make -C ports/unix VARIANT_DIR=/path/to/tests/lwip-net/unix-lwip

FROZEN_MANIFEST ?= variants/standard/manifest.py

# The unix port's own socket module would claim the name `socket` too.
MICROPY_PY_SOCKET = 0
MICROPY_PY_LWIP = 1
MICROPY_PY_LWIP_LOOPBACK = 1
# Not in this copy of the tree, or not wanted here.
MICROPY_PY_SSL = 0
MICROPY_PY_BTREE = 0
MICROPY_PY_FFI = 0
# One thread: lwIP runs in the VM's thread, from MICROPY_INTERNAL_EVENT_HOOK.
MICROPY_PY_THREAD = 0

# lwipopts.h and arch/cc.h are ours, in this folder (already on the include path).
# extmod/modlwip.c does not build on a 64-bit host with the port's -Werror: its
# sign-compare warnings stay warnings, and the unix port's SOMAXCONN (backlog default) has
# no <sys/socket.h> without the unix socket module.
# (MPRS_STRICT_MODLWIP=1 leaves them errors: the stage's check that the C original still
# does not build so, while mprs's glue builds with the port's flags as they are.)
$(BUILD)/extmod/modlwip.o: CFLAGS += -DSOMAXCONN=128
ifneq ($(MPRS_STRICT_MODLWIP),1)
$(BUILD)/extmod/modlwip.o: CFLAGS += -Wno-error=sign-compare
endif
# mpconfigvariant.h takes time.sleep() off the port's select() (see there), leaving that
# function of ports/unix/modtime.c unused.
$(BUILD)/extmod/modtime.o: CFLAGS += -Wno-unused-function
# The REPL's input waits in the VM's event loop (lwIP and scheduled callbacks run) and
# reads the dupterm slot as a board does: mprs_lwip_tap.c's __wrap_mp_hal_stdin_rx_chr
# stands for ports/unix/unix_mphal.c's function, whose read() of stdin would freeze lwIP.
LDFLAGS_EXTRA += -Wl,--wrap=mp_hal_stdin_rx_chr
# extmod/modwebrepl.c has a sign-compare warning on a 64-bit host, as modlwip.c.
$(BUILD)/extmod/modwebrepl.o: CFLAGS += -Wno-error=sign-compare
# The stage's sanitizer build (MPRS_LWIP_ASAN=1, with a BUILD folder of its own): the port's
# C, lwIP and the glue under AddressSanitizer, as MicroPython's CI builds its unix port
# (tools/ci.sh, CI_UNIX_OPTS_SANITIZE_ADDRESS); libmprs.a (Rust) is not instrumented. Set
# here, not as CFLAGS_EXTRA/LDFLAGS_EXTRA on make's command line, which would override the
# --wrap above.
ifeq ($(MPRS_LWIP_ASAN),1)
CFLAGS_EXTRA += -fsanitize=address --param asan-use-after-return=0 -DMP_ASAN=1
LDFLAGS_EXTRA += -fsanitize=address --param asan-use-after-return=0
endif
# The stage's dual-stack build (MPRS_LWIP_IPV6=1, with a BUILD folder of its own): lwIP
# with IPv4 and IPv6, as some boards build it.
ifeq ($(MPRS_LWIP_IPV6),1)
CFLAGS_EXTRA += -DMPRS_LWIP_IPV6=1
endif
