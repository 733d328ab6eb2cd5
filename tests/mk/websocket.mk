# websocket: a bounded fuzz run of the framing machine; in MicroPython's unix port (the
# C and mprs builds of the MicroPython stage, tests/websocket/stage_builds.py), raw websocket
# peers and the PyPI WebREPL client against both (tests/websocket/test_vm.py); the transfer
# benchmark of both builds and the flash comparison on a Cortex-M3 board.
TESTS += test-websocket-fuzz test-websocket-vm
BENCHES += bench-websocket bench-websocket-flash
SIZE_SUBSYSTEMS += websocket
# strace: test_vm.py counts the socket writes of a frame.
DEPS_APT += strace

WS_STAGE_BUILDS = $(VENV)/bin/python tests/websocket/stage_builds.py --build-dir $(BUILD)
WS_MP_C := $(BUILD)/micropython/c/ports/unix/build-coverage/micropython
WS_MP_MPRS := $(BUILD)/micropython/mprs/ports/unix/build-coverage/micropython
# The GET chunk size the mprs build uses (c-glue/webrepl.c's MPRS_WEBREPL_GET_CHUNK default).
WS_GET_CHUNK := 16384

.PHONY: test-websocket-fuzz test-websocket-vm bench-websocket bench-websocket-flash websocket-unix
test-websocket-fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "fuzz: installing cargo-fuzz with cargo"; $(CARGO) install --quiet --locked cargo-fuzz; }
	$(CARGO) fuzz run -s none websocket_frames -- -max_total_time=$(FUZZ_SECONDS) 2>&1 | grep -E "^Done|DONE|crash|panicked|ERROR" ; test $${PIPESTATUS[0]} -eq 0

# Incremental after `make test-micropython` (the same trees and flags).
websocket-unix: $(VENV)/.installed
	$(WS_STAGE_BUILDS) unix

test-websocket-vm: $(VENV)/.installed websocket-unix
	timeout 900 $(VENV)/bin/python tests/websocket/test_vm.py $(WS_MP_C) $(WS_MP_MPRS)

# 1 MB GET on the C build takes about 6 minutes a run (BENCH_RUNS=1 for one run each).
bench-websocket: $(VENV)/.installed websocket-unix
	$(VENV)/bin/python tests/websocket/bench.py $(WS_MP_C) $(WS_MP_MPRS) $(WS_GET_CHUNK)

# websocket + WebREPL as linked into the qemu MPS2_AN385 firmware, C originals and mprs.
bench-websocket-flash: $(VENV)/.installed
	$(WS_STAGE_BUILDS) MPS2_AN385
	python3 tests/websocket/flash.py $(BUILD)/micropython/c/ports/qemu/build-MPS2_AN385 \
		$(BUILD)/micropython/mprs/ports/qemu/build-MPS2_AN385
