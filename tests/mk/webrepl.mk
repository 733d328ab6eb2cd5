# WebREPL: end to end with a real client from PyPI, a bounded fuzz run, benchmarks.
TESTS += test-webrepl-e2e test-webrepl-fuzz
BENCHES += bench-webrepl
SIZE_SUBSYSTEMS += webrepl

WEBREPL_VENV := $(VENV)
# The test server is a crate of its own (tests/webrepl/Cargo.toml), built into target/.
WEBREPL_SERVER := target/release/webrepl_server
FUZZ_SECONDS ?= 10

.PHONY: webrepl-server test-webrepl-e2e test-webrepl-fuzz bench-webrepl
webrepl-server:
	$(CARGO) build --quiet --release --manifest-path tests/webrepl/Cargo.toml --target-dir target

test-webrepl-e2e: $(WEBREPL_VENV)/.installed webrepl-server
	timeout 300 $(WEBREPL_VENV)/bin/python tests/webrepl/test_client.py $(WEBREPL_SERVER)

# Coverage-guided (libFuzzer through cargo fuzz, stable toolchain, no sanitizer): a few
# seconds here, longer by hand with FUZZ_SECONDS=600.
test-webrepl-fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "fuzz: installing cargo-fuzz with cargo"; $(CARGO) install --quiet --locked cargo-fuzz; }
	$(CARGO) fuzz run -s none webrepl_session -- -max_total_time=$(FUZZ_SECONDS) 2>&1 | grep -E "^Done|DONE|crash|panicked|ERROR" ; test $${PIPESTATUS[0]} -eq 0

bench-webrepl: $(WEBREPL_VENV)/.installed webrepl-server
	$(CARGO) build --quiet --release --example webrepl_feed --features std
	@bash tests/scripts/callgrind.sh "WebREPL state machine: PUT of 1 MiB, instructions per byte" \
		'*Session*feed*' target/release/examples/webrepl_feed
	@$(WEBREPL_VENV)/bin/python tests/webrepl/throughput.py $(WEBREPL_SERVER)
