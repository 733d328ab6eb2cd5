# mprs: `make` builds libmprs.a and include/mprs.h and runs the host example;
# `make test` runs everything CI runs, installing what it needs first.
#
# Each subsystem adds its own tests, benchmarks and packages in tests/mk/<name>.mk, which
# append to TESTS, BENCHES, SIZE_SUBSYSTEMS and DEPS_APT.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all

BUILD ?= build
CARGO ?= cargo
CC ?= cc
CBINDGEN_VERSION := 0.29.4
# The archives tests and firmware link: cargo's, less Rust's compiler_builtins
# (c-glue/mprs-archive.sh), so libc and libgcc stay the one source of memcpy and helpers.
# HOST_LIB has the default subsystems (cargo's default features); HOST_LWIP_LIB adds lwip,
# and the exports only the C tests use (feature test-hooks, macro MPRS_TEST_HOOKS).
HOST_LIB := $(BUILD)/host/libmprs.a
HOST_LWIP_LIB := $(BUILD)/host-lwip/libmprs.a
# The example's: the stream subsystem alone, as a port that asks for nothing else.
EXAMPLE_LIB := $(BUILD)/example/libmprs.a
# The macros mprs.mk defines for those subsystems, under which include/mprs.h declares them.
HOST_DEFINES := -DMPRS_STREAM=1 -DMPRS_DUPTERM=1 -DMPRS_VIRTPIN=1 -DMPRS_WEBREPL=1 -DMPRS_WEBSOCKET=1
# Host port services: host_port.c, and host_<subsystem>.c for each subsystem's own.
HOST_PORT_C := $(sort $(wildcard tests/c/host_*.c))
THUMB_TARGET ?= thumbv7em-none-eabihf
THUMB_LIB := $(BUILD)/$(THUMB_TARGET)/libmprs.a
CWARN := -Wall -Wextra -Werror
HOST_LDLIBS := -lpthread -ldl
CFLAGS_TEST := -std=c99 $(CWARN) -g -Iinclude -Itests/c $(HOST_DEFINES)

TESTS :=
BENCHES :=
# Python tools for the tests (tests/requirements.txt), in a venv of the project's own.
VENV := $(BUILD)/venv
SIZE_SUBSYSTEMS := stream dupterm pin
# The cores the link test covers: Cortex-M0+ (RP2040), M3, M4F, M33 (RP2350, soft-float
# ABI as pico-sdk builds it) and RISC-V (RP2350's Hazard3, ESP32-C6).
LINK_TEST_TARGETS := thumbv6m-none-eabi thumbv7m-none-eabi $(THUMB_TARGET) thumbv8m.main-none-eabi \
	riscv32imac-unknown-none-elf
DEPS_APT := build-essential pkg-config python3-venv valgrind libcmocka-dev gcc-arm-none-eabi libnewlib-arm-none-eabi \
	gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
RUST_TARGETS := $(sort $(THUMB_TARGET) thumbv7m-none-eabi $(LINK_TEST_TARGETS))
# QEMU, at least 8.1 (from bookworm-backports on Debian 12): see tests/scripts/deps.sh.
DEPS_QEMU :=

# MicroPython's tree (read only), as laid beside this repository; the stages that build
# against it skip, saying so, where it is absent.
MICROPYTHON_DIR ?= $(abspath ../shared/micropython)

include $(sort $(wildcard tests/mk/*.mk))

.PHONY: all lib header header-check glue-check example test deps rust-checks rust-tests c-tests \
	thumb subset-lib link-test size size-socket bench clean

all: deps lib header example

lib: $(HOST_LIB)

$(HOST_LIB): FORCE
	$(CARGO) rustc --release --quiet --lib --crate-type staticlib
	sh c-glue/mprs-archive.sh target/release/libmprs.a $@

# Each feature set has a cargo target directory of its own, so that two builds (make -j)
# never hand each other's libmprs.a to mprs-archive.sh.
$(HOST_LWIP_LIB): FORCE
	$(CARGO) rustc --release --quiet --lib --crate-type staticlib --features lwip,test-hooks --target-dir target/host-lwip
	sh c-glue/mprs-archive.sh target/host-lwip/release/libmprs.a $@

$(EXAMPLE_LIB): FORCE
	$(CARGO) rustc --release --quiet --lib --crate-type staticlib --no-default-features --features stream --target-dir target/example
	sh c-glue/mprs-archive.sh target/example/release/libmprs.a $@

header:
	cbindgen --quiet --config cbindgen.toml --crate mprs --output include/mprs.h

# The committed header must be what cbindgen makes of src/ now.
header-check:
	@tmp=$$(mktemp); cbindgen --quiet --config cbindgen.toml --crate mprs --output $$tmp; \
	if ! diff -u include/mprs.h $$tmp; then rm -f $$tmp; \
		echo "include/mprs.h is stale: run 'make header' and commit it"; exit 1; fi; \
	rm -f $$tmp; echo "header: include/mprs.h is fresh"
	$(CC) -std=c99 $(CWARN) -Iinclude -fsyntax-only -x c include/mprs.h
	$(CC) -std=c99 $(CWARN) -Iinclude $(HOST_DEFINES) -DMPRS_LWIP=1 -DMPRS_SOCKET=1 -DMPRS_TEST_HOOKS=1 -fsyntax-only -x c include/mprs.h
	@echo "header: compiles standalone with -std=c99 -Wall -Wextra -Werror, with no subsystem and with all"

$(BUILD)/example-short-stream: examples/short_stream.c $(EXAMPLE_LIB) include/mprs.h
	@mkdir -p $(BUILD)
	$(CC) -std=c99 $(CWARN) -g -Iinclude -DMPRS_STREAM=1 -o $@ examples/short_stream.c $(EXAMPLE_LIB) $(HOST_LDLIBS)

example: $(BUILD)/example-short-stream
	$(BUILD)/example-short-stream
	$(CARGO) run --quiet --example rust_pin --features std

deps:
	bash tests/scripts/deps.sh "$(DEPS_APT)" "$(RUST_TARGETS)" "$(CBINDGEN_VERSION)" "$(DEPS_QEMU)"

# The glue catches VM exceptions in one place, mprs_protect (c-glue/port.c), so a new service
# cannot forget to: no other nlr_push( anywhere in c-glue/.
glue-check:
	@n=$$(grep -c 'nlr_push(' c-glue/port.c); others=$$(grep -l 'nlr_push(' c-glue/*.c c-glue/*.h | grep -v '^c-glue/port.c$$' || true); \
	if [ "$$n" != 1 ] || [ -n "$$others" ]; then \
		echo "glue: nlr_push outside mprs_protect: $$others (port.c has $$n)"; exit 1; fi; \
	echo "glue: one protected-call helper (mprs_protect); no other nlr_push in c-glue/"

rust-checks:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --quiet --all-targets -- -D warnings
	$(CARGO) clippy --quiet --all-targets --features std,lwip,socket -- -D warnings
	$(CARGO) clippy --quiet --lib --target $(THUMB_TARGET) --features lwip,socket -- -D warnings
	$(CARGO) clippy --quiet --lib --target $(THUMB_TARGET) --no-default-features -- -D warnings
	@# Each subsystem alone, as a port that asks for one builds it.
	@for f in $(BARE_SUBSYSTEMS); do echo "clippy: --no-default-features --features $$f"; \
		$(CARGO) clippy --quiet --lib --target $(THUMB_TARGET) --no-default-features --features $$f -- -D warnings; done

rust-tests:
	$(CARGO) test --quiet --features std,lwip,socket

C_TESTS := $(patsubst tests/c/test_%.c,$(BUILD)/c/test_%,$(wildcard tests/c/test_*.c))

$(BUILD)/c/test_%: tests/c/test_%.c $(HOST_PORT_C) tests/c/host_port.h $(HOST_LIB) include/mprs.h
	@mkdir -p $(BUILD)/c
	$(CC) $(CFLAGS_TEST) -o $@ $< $(HOST_PORT_C) $(HOST_LIB) -lcmocka $(HOST_LDLIBS)

c-tests: $(C_TESTS)
	@for t in $(C_TESTS); do echo "== $$t"; $$t; done

# The bare-metal libmprs.a for a Rust target, made with that target's GNU toolchain.
toolchain_prefix = $(if $(filter riscv%,$(1)),riscv64-unknown-elf-,arm-none-eabi-)

# Every subsystem, lwip included.
BARE_SUBSYSTEMS := stream dupterm virtpin webrepl websocket lwip socket
bare-lib-%:
	$(CARGO) rustc --release --quiet --lib --crate-type staticlib --target $* --features lwip,socket
	sh c-glue/mprs-archive.sh target/$*/release/libmprs.a $(BUILD)/$*/libmprs.a $(call toolchain_prefix,$*)

thumb: bare-lib-$(THUMB_TARGET)

# A port that asks for some subsystems only: built with their features alone (in a target
# directory of its own, so the full build is not redone each time).
LINK_TEST_SUBSET := stream dupterm
LINK_TEST_SUBSET_TARGET := thumbv7m-none-eabi
subset-lib:
	$(CARGO) rustc --release --quiet --lib --crate-type staticlib --target $(LINK_TEST_SUBSET_TARGET) --target-dir target/subset \
		--no-default-features --features "$(LINK_TEST_SUBSET)"
	sh c-glue/mprs-archive.sh target/subset/$(LINK_TEST_SUBSET_TARGET)/release/libmprs.a \
		$(BUILD)/subset/libmprs.a arm-none-eabi-

# libmprs.a links into a bare-metal firmware on each core, with the target's libc and
# libgcc: one definition of every symbol, none missing, no executable stack. And with a
# subset of the subsystems, without --gc-sections: nothing of the others is imported.
link-test: $(addprefix bare-lib-,$(LINK_TEST_TARGETS)) subset-lib
	@for t in $(LINK_TEST_TARGETS); do \
		bash tests/scripts/link-test.sh $$t $(BUILD)/$$t/libmprs.a $(BUILD)/link-test/$$t "$(BARE_SUBSYSTEMS)"; done
	@bash tests/scripts/link-test.sh $(LINK_TEST_SUBSET_TARGET) $(BUILD)/subset/libmprs.a \
		$(BUILD)/link-test/subset "$(LINK_TEST_SUBSET)" --no-gc-sections

# Rust per subsystem in the link test's firmware; then, per subsystem, mprs (Rust + glue)
# against the C original as linked into MicroPython's qemu firmware for three cores; then
# the socket module on lwIP against extmod/modlwip.c, each linked alone for a Cortex-M4F
# (tests/micropython/socket_size.py says how).
size: $(HOST_LWIP_LIB) link-test $(VENV)/.installed
	bash tests/scripts/size.sh "$(SIZE_SUBSYSTEMS)" $(HOST_LWIP_LIB) $(THUMB_LIB) $(BUILD)/link-test/$(THUMB_TARGET)/firmware.elf
	MICROPYTHON_DIR=$(MICROPYTHON_DIR) $(VENV)/bin/python tests/micropython/size_report.py --build-dir $(BUILD)
	MICROPYTHON_DIR=$(MICROPYTHON_DIR) $(VENV)/bin/python tests/micropython/socket_size.py --build-dir $(BUILD)

# The socket module's line alone.
size-socket: $(VENV)/.installed
	MICROPYTHON_DIR=$(MICROPYTHON_DIR) $(VENV)/bin/python tests/micropython/socket_size.py --build-dir $(BUILD)

bench: lib
	@for b in bench-stream bench-dupterm-pin $(BENCHES); do $(MAKE) --no-print-directory $$b; done

TEST_STAGES = header-check glue-check rust-checks rust-tests lib example c-tests link-test size $(TESTS)

# Each stage stops make on failure, so reaching the end means every stage passed.
test: deps
	@for stage in $(TEST_STAGES); do echo "== make $$stage"; $(MAKE) --no-print-directory $$stage; done
	@echo "stages: $(words $(TEST_STAGES)) passed, 0 failed"

$(VENV)/.installed: tests/requirements.txt
	@echo "venv: creating $(VENV) and installing tests/requirements.txt from PyPI"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r tests/requirements.txt
	@touch $@

clean:
	$(CARGO) clean
	rm -rf $(BUILD)

.PHONY: FORCE
FORCE:

$(BUILD)/bench-%: benches/%.c $(HOST_PORT_C) $(HOST_LIB) include/mprs.h
	@mkdir -p $(BUILD)
	$(CC) -std=c99 -O2 -Iinclude -Itests/c $(HOST_DEFINES) -o $@ $< $(HOST_PORT_C) $(HOST_LIB) $(HOST_LDLIBS)

.PHONY: bench-stream
bench-stream: $(BUILD)/bench-stream_rw
	@for chunk in 1 64 4096; do \
		bash tests/scripts/callgrind.sh "mp_stream_rw: exact 4 KiB read, $$chunk-byte chunks" \
			mprs_stream_rw $(BUILD)/bench-stream_rw $$chunk; done

.PHONY: bench-dupterm-pin
bench-dupterm-pin: $(BUILD)/bench-dupterm_tx $(BUILD)/bench-pin_read
	@for slots in 1 2; do \
		bash tests/scripts/callgrind.sh "mp_os_dupterm_tx_strn: 64 bytes, $$slots active slot(s)" \
			mprs_dupterm_tx_strn $(BUILD)/bench-dupterm_tx $$slots; done
	@bash tests/scripts/callgrind.sh "mp_virtual_pin_read" host_pin_read $(BUILD)/bench-pin_read
