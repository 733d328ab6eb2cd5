# lwIP's socket module in MicroPython over a real network (tests/lwip-net/stage.py): the unix
# port built as an lwIP board (tests/lwip-net/unix-lwip/), in a network namespace with a TAP
# device, running MicroPython's multi_net and net_hosted tests against the stock unix port,
# our modlwip.c fault tests, a 10,000-cycle soak, the soak and fault tests again on the
# builds made with AddressSanitizer (gcc's libasan, with build-essential), and figures
# (callgrind: valgrind, in the Makefile's DEPS_APT). Skipped, saying why, without MicroPython
# or namespaces.
TESTS += test-lwip-net
DEPS_APT += iproute2

.PHONY: test-lwip-net
test-lwip-net: $(VENV)/.installed
	MICROPYTHON_DIR=$(MICROPYTHON_DIR) $(VENV)/bin/python tests/lwip-net/stage.py --build-dir $(BUILD)
