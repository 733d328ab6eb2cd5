// dupterm through libmprs.a: the printed messages, the close count, and the slot rules,
// against host slots whose streams fail in the ways real ones do.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "host_dupterm.h"

#define N HOST_DUPTERM_SLOTS

static host_term_t terms[N];

static int setup(void **state) {
    (void)state;
    host_dupterm_reset();
    for (size_t i = 0; i < N; i++) {
        host_term_init(&terms[i]);
    }
    return 0;
}

static int rx(void) {
    mprs_call_t call = HOST_CALL_INIT;
    int c = mprs_dupterm_rx_chr(&call, N);
    assert_false(call.raised); // exceptions are reported, never left to re-raise
    return c;
}

static int tx(const char *s) {
    mprs_call_t call = HOST_CALL_INIT;
    int n = mprs_dupterm_tx_strn(&call, N, (const uint8_t *)s, strlen(s));
    assert_false(call.raised);
    return n;
}

static void eof_prints_deactivates_and_closes_once(void **state) {
    (void)state;
    static const int script[] = {'a', HOST_READ_EOF};
    host_term_script(&terms[0], script, 2);
    host_dupterm_slots[0] = &terms[0];
    assert_int_equal(rx(), 'a');
    assert_int_equal(rx(), -1);
    assert_string_equal(host_dupterm_log, "dupterm: EOF received, deactivating\n");
    assert_null(host_dupterm_slots[0]);
    assert_int_equal(terms[0].closes, 1);
    // Deactivated again (as mp_os_deactivate may be): reported, not closed again.
    mprs_call_t call = HOST_CALL_INIT;
    mprs_dupterm_deactivate(&call, N, 0, "again\n");
    assert_int_equal(terms[0].closes, 1);
    assert_int_equal(rx(), -1);
    assert_int_equal(terms[0].reads_done, 2); // never read after detach
}

static void exception_in_read_prints_the_traceback(void **state) {
    (void)state;
    static const int script[] = {HOST_READ_RAISE};
    host_term_script(&terms[0], script, 1);
    static const int script1[] = {'z'};
    host_term_script(&terms[1], script1, 1);
    host_dupterm_slots[0] = &terms[0];
    host_dupterm_slots[1] = &terms[1];
    assert_int_equal(rx(), 'z');
    assert_string_equal(host_dupterm_log, "dupterm: Exception in read() method, deactivating: ValueError: boom\n");
    assert_null(host_dupterm_slots[0]);
    assert_int_equal(terms[0].closes, 1);
    assert_non_null(host_dupterm_slots[1]);
}

static void errno_in_read_is_reported_as_oserror(void **state) {
    (void)state;
    static const int script[] = {HOST_READ_OSERROR};
    host_term_script(&terms[0], script, 1);
    host_dupterm_slots[0] = &terms[0];
    assert_int_equal(rx(), -1);
    assert_string_equal(host_dupterm_log, "dupterm: Exception in read() method, deactivating: OSError: [Errno 5] EIO\n");
    assert_int_equal(terms[0].closes, 1);
}

static void would_block_is_not_an_error(void **state) {
    (void)state;
    static const int script[] = {HOST_READ_WOULD_BLOCK, 'q'};
    host_term_script(&terms[0], script, 2);
    host_dupterm_slots[0] = &terms[0];
    assert_int_equal(rx(), -1);
    assert_int_equal(rx(), 'q');
    assert_string_equal(host_dupterm_log, "");
    assert_int_equal(terms[0].closes, 0);
}

static void interrupt_char_schedules_keyboard_interrupt(void **state) {
    (void)state;
    static const int script[] = {3};
    host_term_script(&terms[0], script, 1);
    host_dupterm_slots[0] = &terms[0];
    assert_int_equal(rx(), -2);
    assert_int_equal(host_interrupts_scheduled, 1);
}

static void exception_in_write_deactivates_only_that_slot(void **state) {
    (void)state;
    terms[1].write_mode = HOST_WRITE_RAISE;
    for (size_t i = 0; i < N; i++) {
        host_dupterm_slots[i] = &terms[i];
    }
    assert_int_equal(tx("hello"), 0);
    assert_string_equal(host_dupterm_log, "dupterm: Exception in write() method, deactivating: ValueError: boom\n");
    assert_int_equal(terms[1].closes, 1);
    assert_memory_equal(terms[0].written, "hello", 5);
    assert_memory_equal(terms[2].written, "hello", 5);
    assert_int_equal(tx("more"), 4);
    assert_int_equal(terms[1].writes_done, 1); // never written after detach
}

static void tx_returns_least_written_or_minus_one(void **state) {
    (void)state;
    assert_int_equal(tx("abc"), -1);
    host_dupterm_slots[0] = &terms[0];
    host_dupterm_slots[2] = &terms[2];
    terms[2].write_mode = HOST_WRITE_SHORT;
    terms[2].write_n = 2;
    assert_int_equal(tx("abcd"), 2);
    terms[0].write_mode = HOST_WRITE_NONE;
    assert_int_equal(tx("abcd"), 0);
    assert_string_equal(host_dupterm_log, "");
}

static void builtin_stream_errors_skip_without_deactivating(void **state) {
    (void)state;
    static const int script[] = {HOST_READ_OSERROR, HOST_READ_EOF, 3};
    host_term_script(&terms[0], script, 3);
    terms[0].builtin = true;
    terms[0].write_mode = HOST_WRITE_RAISE;
    host_dupterm_slots[0] = &terms[0];
    assert_int_equal(rx(), -1);
    assert_int_equal(rx(), -1);
    assert_int_equal(rx(), 3); // no interrupt check for the port's own stream
    assert_int_equal(tx("x"), 0);
    assert_non_null(host_dupterm_slots[0]);
    assert_int_equal(terms[0].closes, 0);
}

static void poll_merges_and_finishes_early(void **state) {
    (void)state;
    terms[0].poll_result = 0x1;
    terms[1].poll_result = (mprs_uint_t)-1; // raises: ignored
    terms[2].poll_result = 0x4;
    for (size_t i = 0; i < N; i++) {
        host_dupterm_slots[i] = &terms[i];
    }
    mprs_call_t call = HOST_CALL_INIT;
    assert_int_equal(mprs_dupterm_poll(&call, N, 0x1), 0x1);
    assert_int_equal(terms[1].polls_done, 0); // all requested flags set at slot 0
    assert_int_equal(mprs_dupterm_poll(&call, N, 0x5), 0x5);
    assert_int_equal(terms[1].polls_done, 1);
    assert_int_equal(mprs_dupterm_poll(&call, N, 0x10), 0);
}

static void one_stream_in_two_slots_closes_once(void **state) {
    (void)state;
    static const int script[] = {HOST_READ_EOF};
    host_term_script(&terms[0], script, 1);
    host_dupterm_slots[0] = &terms[0];
    host_dupterm_slots[2] = &terms[0];
    assert_int_equal(rx(), -1);
    assert_null(host_dupterm_slots[0]);
    assert_null(host_dupterm_slots[2]);
    assert_int_equal(terms[0].closes, 1);
    assert_int_equal(tx("x"), -1); // not written after close through the other slot
    assert_int_equal(terms[0].writes_done, 0);
}

static void deactivate_out_of_range_is_ignored(void **state) {
    (void)state;
    mprs_call_t call = HOST_CALL_INIT;
    mprs_dupterm_deactivate(&call, N, N + 5, MPRS_DUPTERM_WHY_EOF);
    assert_string_equal(host_dupterm_log, "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(eof_prints_deactivates_and_closes_once, setup),
        cmocka_unit_test_setup(exception_in_read_prints_the_traceback, setup),
        cmocka_unit_test_setup(errno_in_read_is_reported_as_oserror, setup),
        cmocka_unit_test_setup(would_block_is_not_an_error, setup),
        cmocka_unit_test_setup(interrupt_char_schedules_keyboard_interrupt, setup),
        cmocka_unit_test_setup(exception_in_write_deactivates_only_that_slot, setup),
        cmocka_unit_test_setup(tx_returns_least_written_or_minus_one, setup),
        cmocka_unit_test_setup(builtin_stream_errors_skip_without_deactivating, setup),
        cmocka_unit_test_setup(poll_merges_and_finishes_early, setup),
        cmocka_unit_test_setup(one_stream_in_two_slots_closes_once, setup),
        cmocka_unit_test_setup(deactivate_out_of_range_is_ignored, setup),
    };
    return cmocka_run_group_tests_name("dupterm", tests, NULL, NULL);
}
