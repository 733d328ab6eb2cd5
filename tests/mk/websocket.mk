# websocket: a bounded fuzz run of the framing machine; MicroPython's unix port built with
# the C originals and with mprs from one tree, tested against raw websocket peers and the
# PyPI WebREPL client (tests/websocket/test_vm.py); the transfer benchmark of both builds.
TESTS += test-websocket-fuzz test-websocket-vm
BENCHES += bench-websocket bench-websocket-flash
SIZE_SUBSYSTEMS += websocket
# strace: test_vm.py counts the socket writes of a frame.
DEPS_APT += strace

WS_MP_SRC ?= ../shared/micropython
# The two trees live in $(BUILD)/mp-c and $(BUILD)/mp-mprs.
WS_MP_OUT := $(BUILD)
WS_MP_C := $(WS_MP_OUT)/mp-c/ports/unix/build-coverage/micropython
WS_MP_MPRS := $(WS_MP_OUT)/mp-mprs/ports/unix/build-coverage/micropython
# The GET chunk size the mprs build uses (c-glue/webrepl.c's MPRS_WEBREPL_GET_CHUNK default).
WS_GET_CHUNK := 16384

.PHONY: test-websocket-fuzz test-websocket-vm bench-websocket bench-websocket-flash websocket-unix
test-websocket-fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "fuzz: installing cargo-fuzz with cargo"; $(CARGO) install --quiet --locked cargo-fuzz; }
	$(CARGO) fuzz run -s none websocket_frames -- -max_total_time=$(FUZZ_SECONDS) 2>&1 | grep -E "^Done|DONE|crash|panicked|ERROR" ; test $${PIPESTATUS[0]} -eq 0

websocket-unix:
	bash tests/websocket/build_unix.sh $(WS_MP_SRC) $(WS_MP_OUT)

test-websocket-vm: $(WEBREPL_VENV)/.installed websocket-unix
	timeout 900 $(WEBREPL_VENV)/bin/python tests/websocket/test_vm.py $(WS_MP_C) $(WS_MP_MPRS)

# 1 MB GET on the C build takes minutes a run (BENCH_RUNS=1 for one run each).
bench-websocket: $(WEBREPL_VENV)/.installed websocket-unix
	$(WEBREPL_VENV)/bin/python tests/websocket/bench.py $(WS_MP_C) $(WS_MP_MPRS) $(WS_GET_CHUNK)

# websocket + WebREPL as linked into the qemu MPS2_AN385 firmware, C originals and mprs.
bench-websocket-flash:
	bash tests/websocket/build_qemu.sh $(WS_MP_SRC) $(WS_MP_OUT)
	python3 tests/websocket/flash.py $(WS_MP_OUT)/mp-c/ports/qemu/build-MPS2_AN385-webrepl \
		$(WS_MP_OUT)/mp-mprs/ports/qemu/build-MPS2_AN385-webrepl
