# lwIP shim: tests against Debian's real lwIP 2.1 (threaded, core locking), with and
# without a scheduler, under AddressSanitizer and valgrind, and across a real kernel TCP
# stack through a TAP device in a network namespace; benchmarks.
TESTS += test-lwip test-lwip-asan test-lwip-valgrind test-lwip-netns
BENCHES += bench-lwip
SIZE_SUBSYSTEMS += lwip
DEPS_APT += liblwip-dev iproute2

LWIP_CFLAGS = $(shell pkg-config --cflags lwip 2>/dev/null || echo -I/usr/include/lwip)
LWIP_LIBS = $(shell pkg-config --libs lwip 2>/dev/null || echo -llwip)
# lwIP's headers need POSIX types (ssize_t), so gnu99 rather than c99.
# c-glue/lwip.c is built as in a port, over our stand-ins for the few MicroPython headers it
# includes (tests/lwip/mp-standin/), copied to where "py/<name>.h" finds them.
LWIP_MP_HEADERS = $(addprefix $(BUILD)/lwip-mp/py/,mpconfig.h mpstate.h runtime.h)
$(BUILD)/lwip-mp/py/%.h: tests/lwip/mp-standin/%.h
	@mkdir -p $(dir $@)
	cp $< $@
LWIP_TEST_CFLAGS = -std=gnu99 $(CWARN) -g -Iinclude -Ic-glue -Itests/c -Itests/lwip -I$(BUILD)/lwip-mp $(LWIP_CFLAGS) \
	$(HOST_DEFINES) -DMPRS_LWIP=1 -DMPRS_TEST_HOOKS=1
# The default subsystems' host services and the shim of c-glue/lwip.c, over HOST_LWIP_LIB.
LWIP_TEST_SRC = tests/lwip/harness.c c-glue/lwip.c $(HOST_PORT_C)
LWIP_TEST_DEPS = $(LWIP_TEST_SRC) tests/lwip/harness.h $(LWIP_MP_HEADERS) c-glue/mprs_lwip.h $(HOST_LWIP_LIB) include/mprs.h
LWIP_CYCLES_SANITIZED ?= 10000
LWIP_CYCLES_VALGRIND ?= 10000

$(BUILD)/lwip/test_lwip_sched: tests/lwip/test_lwip.c $(LWIP_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LWIP_TEST_CFLAGS) -DMPRS_LWIP_HOST_SCHEDULER=1 -o $@ $< $(LWIP_TEST_SRC) $(HOST_LWIP_LIB) $(LWIP_LIBS) -lcmocka $(HOST_LDLIBS)

$(BUILD)/lwip/test_lwip_nosched: tests/lwip/test_lwip.c $(LWIP_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LWIP_TEST_CFLAGS) -DMPRS_LWIP_HOST_SCHEDULER=0 -DMPRS_LWIP_DEFERRED_MAX=2 -o $@ $< $(LWIP_TEST_SRC) $(HOST_LWIP_LIB) $(LWIP_LIBS) -lcmocka $(HOST_LDLIBS)

$(BUILD)/lwip/test_lwip_asan: tests/lwip/test_lwip.c $(LWIP_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LWIP_TEST_CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer -DMPRS_LWIP_HOST_SCHEDULER=1 -o $@ $< $(LWIP_TEST_SRC) $(HOST_LWIP_LIB) $(LWIP_LIBS) -lcmocka $(HOST_LDLIBS)

$(BUILD)/lwip/tap_peer: tests/lwip/tap_peer.c $(LWIP_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LWIP_TEST_CFLAGS) -DMPRS_LWIP_HOST_SCHEDULER=1 -o $@ $< $(LWIP_TEST_SRC) $(HOST_LWIP_LIB) $(LWIP_LIBS) $(HOST_LDLIBS)

.PHONY: test-lwip test-lwip-asan test-lwip-valgrind test-lwip-netns bench-lwip
test-lwip: $(BUILD)/lwip/test_lwip_sched $(BUILD)/lwip/test_lwip_nosched
	MPRS_LWIP_CYCLES=2000 $(BUILD)/lwip/test_lwip_sched
	MPRS_LWIP_CYCLES=2000 $(BUILD)/lwip/test_lwip_nosched

# The full 10,000 cycles under AddressSanitizer + LeakSanitizer + UBSan (the glue, the
# harness; lwIP's allocations are seen through malloc).
test-lwip-asan: $(BUILD)/lwip/test_lwip_asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
		MPRS_LWIP_CYCLES=$(LWIP_CYCLES_SANITIZED) $(BUILD)/lwip/test_lwip_asan

# valgrind's memcheck sees lwIP's own code too.
test-lwip-valgrind: $(BUILD)/lwip/test_lwip_sched
	MPRS_LWIP_CYCLES=$(LWIP_CYCLES_VALGRIND) valgrind --quiet --error-exitcode=1 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		$(BUILD)/lwip/test_lwip_sched

# A real kernel TCP peer: skipped, saying why, where namespaces cannot be made.
test-lwip-netns: $(BUILD)/lwip/tap_peer
	bash tests/lwip/netns_test.sh $(BUILD)/lwip/tap_peer

$(BUILD)/lwip/bench_lwip: benches/lwip_loopback.c $(LWIP_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(LWIP_TEST_CFLAGS) -O2 -DMPRS_LWIP_HOST_SCHEDULER=1 -o $@ $< $(LWIP_TEST_SRC) $(HOST_LWIP_LIB) $(LWIP_LIBS) $(HOST_LDLIBS)

bench-lwip: $(BUILD)/lwip/bench_lwip
	$(BUILD)/lwip/bench_lwip
	@bash tests/scripts/callgrind.sh "lwIP shim: recv callback (mprs_lwip_on_recv), 1 segment" \
		mprs_lwip_on_recv $(BUILD)/lwip/bench_lwip callgrind
