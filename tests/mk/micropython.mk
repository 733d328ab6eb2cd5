# MicroPython itself: unix and qemu builds (Cortex-M3, M7, M0, RISC-V) with and without mprs,
# MicroPython's own test suites and the project's VM tests compared test by test
# (tests/micropython/stage.py). Skipped, saying how to get it, where MicroPython is absent.
TESTS += test-micropython
DEPS_APT += gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
DEPS_QEMU += qemu-system-arm qemu-system-misc
RUST_TARGETS += thumbv6m-none-eabi riscv32imac-unknown-none-elf

MICROPYTHON_ONLY ?=

.PHONY: test-micropython
test-micropython: $(VENV)/.installed
	MICROPYTHON_DIR=$(MICROPYTHON_DIR) $(VENV)/bin/python tests/micropython/stage.py --build-dir $(BUILD) \
		$(if $(MICROPYTHON_ONLY),--only $(MICROPYTHON_ONLY))

# Instructions per stream method inside MicroPython (callgrind), C build against mprs build.
BENCHES += bench-micropython-streams
.PHONY: bench-micropython-streams
bench-micropython-streams: $(VENV)/.installed
	MICROPYTHON_DIR=$(MICROPYTHON_DIR) $(VENV)/bin/python tests/micropython/bench_streams.py --build-dir $(BUILD)
