// libmprs.a's stream exports through include/mprs.h, against the host port services with
// C streams that misbehave: short counts, EAGAIN, hard errors, exceptions, over-long counts.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "host_port.h"

#define RW_READ 0
#define RW_ONCE 1
#define RW_WRITE 2
#define STREAM_ERROR ((mprs_uint_t)-1)

static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";
#define TEXT_LEN (sizeof(text) - 1)

static int setup_internal(void **state) {
    (void)state;
    host_port_set_errno(HOST_ERRNO_INTERNAL);
    return 0;
}

static int setup_darwin(void **state) {
    (void)state;
    host_port_set_errno(HOST_ERRNO_DARWIN);
    return 0;
}

static void exact_read_every_chunk_size(void **state) {
    (void)state;
    for (int chunk = 1; chunk <= (int)TEXT_LEN; chunk++) {
        host_stream_t s;
        host_stream_init(&s, text, TEXT_LEN, chunk);
        mprs_call_t call = HOST_CALL_INIT;
        uint8_t buf[TEXT_LEN];
        int err = -1;
        mprs_uint_t n = mprs_stream_rw(&call, host_obj(&s), buf, TEXT_LEN, &err, RW_READ);
        assert_int_equal(n, TEXT_LEN);
        assert_int_equal(err, 0);
        assert_memory_equal(buf, text, TEXT_LEN);
        assert_int_equal(s.calls, (TEXT_LEN + chunk - 1) / chunk);
    }
}

static void exact_read_short_only_at_eof(void **state) {
    (void)state;
    for (size_t eof = 0; eof <= TEXT_LEN; eof++) {
        host_stream_t s;
        host_stream_init(&s, text, eof, 5);
        mprs_call_t call = HOST_CALL_INIT;
        uint8_t buf[64];
        int err = -1;
        assert_int_equal(mprs_stream_rw(&call, host_obj(&s), buf, sizeof(buf), &err, RW_READ), eof);
        assert_int_equal(err, 0);
        assert_false(call.raised);
    }
}

static void once_is_one_call(void **state) {
    (void)state;
    host_stream_t s;
    host_stream_init(&s, text, TEXT_LEN, 7);
    mprs_call_t call = HOST_CALL_INIT;
    uint8_t buf[20];
    int err;
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), buf, sizeof(buf), &err, RW_READ | RW_ONCE), 7);
    assert_int_equal(s.calls, 1);
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), (void *)text, 20, &err, RW_WRITE | RW_ONCE), 7);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.sink_len, 7);
}

static void exact_write_every_chunk_size(void **state) {
    (void)state;
    for (int chunk = 1; chunk <= (int)TEXT_LEN; chunk++) {
        host_stream_t s;
        host_stream_init(&s, NULL, 0, chunk);
        mprs_call_t call = HOST_CALL_INIT;
        int err = -1;
        assert_int_equal(mprs_stream_rw(&call, host_obj(&s), (void *)text, TEXT_LEN, &err, RW_WRITE), TEXT_LEN);
        assert_int_equal(err, 0);
        assert_int_equal(s.sink_len, TEXT_LEN);
        assert_memory_equal(s.sink, text, TEXT_LEN);
    }
}

// EAGAIN in the port's numbering: reported before progress, absorbed after it.
static void eagain_before_and_after_progress(void **state) {
    (void)state;
    int eagain = host_errno(MPRS_ERRNO_EAGAIN);
    host_stream_t s;
    host_stream_init(&s, text, TEXT_LEN, 4);
    host_stream_add_step(&s, STEP_ERROR, eagain);
    mprs_call_t call = HOST_CALL_INIT;
    uint8_t buf[16];
    int err;
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), buf, sizeof(buf), &err, RW_READ), 0);
    assert_int_equal(err, eagain);

    host_stream_init(&s, text, TEXT_LEN, 4);
    host_stream_add_step(&s, STEP_MOVE, 3);
    host_stream_add_step(&s, STEP_ERROR, eagain);
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), buf, sizeof(buf), &err, RW_READ), 3);
    assert_int_equal(err, 0);
    assert_memory_equal(buf, text, 3);
}

static void hard_error_keeps_progress(void **state) {
    (void)state;
    int eio = host_errno(MPRS_ERRNO_EIO);
    host_stream_t s;
    host_stream_init(&s, NULL, 0, 4);
    host_stream_add_step(&s, STEP_MOVE, 5);
    host_stream_add_step(&s, STEP_ERROR, eio);
    mprs_call_t call = HOST_CALL_INIT;
    int err;
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), (void *)text, 20, &err, RW_WRITE), 5);
    assert_int_equal(err, eio);
    assert_int_equal(s.calls, 2);
}

static void exception_is_recorded_and_stops(void **state) {
    (void)state;
    host_stream_t s;
    host_stream_init(&s, text, TEXT_LEN, 4);
    host_stream_add_step(&s, STEP_MOVE, 2);
    host_stream_add_step(&s, STEP_RAISE, 0);
    mprs_call_t call = HOST_CALL_INIT;
    uint8_t buf[16];
    int err;
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), buf, sizeof(buf), &err, RW_READ), 2);
    assert_int_equal(err, MPRS_RAISED);
    assert_true(call.raised);
    assert_string_equal(call.exc, "read raised");
    assert_int_equal(s.calls, 2);
}

static void write_returning_zero_ends(void **state) {
    (void)state;
    // A sink with room for 4 bytes: the first write takes 4, the second returns 0.
    host_stream_t s;
    host_stream_init(&s, NULL, 0, 0);
    s.sink_len = sizeof(s.sink) - 4;
    mprs_call_t call = HOST_CALL_INIT;
    int err;
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), (void *)text, 20, &err, RW_WRITE), 4);
    assert_int_equal(err, 0);
    assert_int_equal(s.calls, 2);
}

static void overlong_count_is_eio_not_overrun(void **state) {
    (void)state;
    uint8_t guard[32];
    memset(guard, 0xee, sizeof(guard));
    for (int flags = 0; flags <= RW_ONCE; flags++) {
        host_stream_t s;
        host_stream_init(&s, text, TEXT_LEN, 0);
        host_stream_add_step(&s, STEP_MOVE, 3);
        host_stream_add_step(&s, STEP_OVERLONG, 1000);
        mprs_call_t call = HOST_CALL_INIT;
        int err;
        mprs_uint_t n = mprs_stream_rw(&call, host_obj(&s), guard, 8, &err, (uint8_t)flags);
        if (flags & RW_ONCE) {
            assert_int_equal(n, 3);
            assert_int_equal(err, 0);
            n = mprs_stream_rw(&call, host_obj(&s), guard, 8, &err, (uint8_t)flags);
            assert_int_equal(n, 0);
        } else {
            assert_int_equal(n, 3);
        }
        assert_int_equal(err, host_errno(MPRS_ERRNO_EIO));
        for (size_t i = 8; i < sizeof(guard); i++) {
            assert_int_equal(guard[i], 0xee);
        }
    }
}

static void null_errcode_and_null_buffer(void **state) {
    (void)state;
    host_stream_t s;
    host_stream_init(&s, text, TEXT_LEN, 0);
    mprs_call_t call = HOST_CALL_INIT;
    uint8_t buf[4];
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), buf, 4, NULL, RW_READ), 4);
    int err;
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), NULL, 4, &err, RW_READ), 0);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), NULL, 0, &err, RW_READ), 0);
    assert_int_equal(err, 0);
}

// The machine the glue's mp_stream_rw drives, stepped by hand as the glue does: what each
// stream return means.
static void rw_machine_steps(void **state) {
    (void)state;
    mprs_rw_t rw;
    // Begun as the header says: left and once, the rest zero.
    // Exact: short counts are repeated at the offset reached; the end is done == len.
    rw = (mprs_rw_t){ .left = 10, .once = false };
    assert_int_equal(mprs_rw_step(&rw, 4, 0), 6);
    assert_int_equal(rw.done, 4);
    assert_int_equal(mprs_rw_step(&rw, 6, 0), 0);
    assert_int_equal(rw.done, 10);
    assert_int_equal(rw.error, 0);
    // An error without an errno is EIO, not success.
    rw = (mprs_rw_t){ .left = 10, .once = false };
    assert_int_equal(mprs_rw_step(&rw, STREAM_ERROR, 0), 0);
    assert_int_equal(rw.error, host_errno(MPRS_ERRNO_EIO));
    // More than asked is EIO; EAGAIN after progress is success with the progress.
    rw = (mprs_rw_t){ .left = 10, .once = false };
    assert_int_equal(mprs_rw_step(&rw, 11, 0), 0);
    assert_int_equal(rw.error, host_errno(MPRS_ERRNO_EIO));
    rw = (mprs_rw_t){ .left = 10, .once = false };
    assert_int_equal(mprs_rw_step(&rw, 3, 0), 7);
    assert_int_equal(mprs_rw_step(&rw, STREAM_ERROR, host_errno(MPRS_ERRNO_EAGAIN)), 0);
    assert_int_equal(rw.done, 3);
    assert_int_equal(rw.error, 0);
    // Once: one call whatever it moved.
    rw = (mprs_rw_t){ .left = 10, .once = true };
    assert_int_equal(mprs_rw_step(&rw, 2, 0), 0);
    assert_int_equal(rw.done, 2);
}

static void stream_without_read_is_an_error(void **state) {
    (void)state;
    host_stream_t s;
    host_stream_init(&s, text, TEXT_LEN, 0);
    s.has_read = false;
    mprs_call_t call = HOST_CALL_INIT;
    uint8_t buf[4];
    int err;
    assert_int_equal(mprs_stream_rw(&call, host_obj(&s), buf, 4, &err, RW_READ), 0);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EOPNOTSUPP));
}

static void text_read_counts_utf8_chars(void **state) {
    (void)state;
    static const char utf8[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; // a é € 😀 z
    for (int chunk = 1; chunk <= 11; chunk++) {
        host_stream_t s;
        host_stream_init(&s, utf8, sizeof(utf8) - 1, chunk);
        mprs_call_t call = HOST_CALL_INIT;
        host_vstr_t v;
        host_vstr_init(&v, 0);
        assert_int_equal(host_read_into(&call, &s, &v, MPRS_READER_KIND_TEXT, 4), MPRS_READ_DATA);
        assert_int_equal(v.len, 10);
        assert_memory_equal(v.buf, utf8, 10);
        assert_int_equal(s.src_pos, 10); // nothing read past the 4th character
        host_vstr_free(&v);
    }
}

static void readers_report_none_errors_and_memory_errors(void **state) {
    (void)state;
    host_stream_t s;
    mprs_call_t call = HOST_CALL_INIT;
    host_vstr_t v;

    host_stream_init(&s, text, TEXT_LEN, 0);
    host_stream_add_step(&s, STEP_ERROR, host_errno(MPRS_ERRNO_EAGAIN));
    host_vstr_init(&v, 0);
    assert_int_equal(host_read_into(&call, &s, &v, MPRS_READER_KIND_ALL, 0), MPRS_READ_NONE);
    assert_int_equal(v.len, 0);
    host_vstr_free(&v);

    host_stream_init(&s, text, TEXT_LEN, 0);
    host_stream_add_step(&s, STEP_ERROR, host_errno(MPRS_ERRNO_EBADF));
    host_vstr_init(&v, 0);
    assert_int_equal(host_read_into(&call, &s, &v, MPRS_READER_KIND_LINE, -1), host_errno(MPRS_ERRNO_EBADF));
    host_vstr_free(&v);

    host_stream_init(&s, text, TEXT_LEN, 0);
    host_vstr_init(&v, 100); // less than read_all's first step: MemoryError
    assert_int_equal(host_read_into(&call, &s, &v, MPRS_READER_KIND_ALL, 0), MPRS_RAISED);
    assert_string_equal(call.exc, "MemoryError");
    assert_int_equal(s.calls, 0);
    host_vstr_free(&v);
}

static void read_all_and_readline(void **state) {
    (void)state;
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i % 251);
    }
    host_stream_t s;
    host_stream_init(&s, big, sizeof(big), 97);
    mprs_call_t call = HOST_CALL_INIT;
    host_vstr_t v;
    host_vstr_init(&v, 0);
    assert_int_equal(host_read_into(&call, &s, &v, MPRS_READER_KIND_ALL, 0), MPRS_READ_DATA);
    assert_int_equal(v.len, sizeof(big));
    assert_memory_equal(v.buf, big, sizeof(big));
    host_vstr_free(&v);

    static const char lines[] = "first\nsecond\nlast";
    host_stream_init(&s, lines, sizeof(lines) - 1, 0);
    host_vstr_init(&v, 0);
    assert_int_equal(host_read_into(&call, &s, &v, MPRS_READER_KIND_LINE, -1), MPRS_READ_DATA);
    assert_int_equal(v.len, 6);
    assert_memory_equal(v.buf, "first\n", 6);
    assert_int_equal(s.src_pos, 6);
    assert_int_equal(host_read_into(&call, &s, &v, MPRS_READER_KIND_LINE, 3), MPRS_READ_DATA);
    assert_memory_equal(v.buf, "first\nsec", 9);
    host_vstr_free(&v);
}

// Each test under MicroPython's internal errno and under a system numbering (EAGAIN 35).
#define BOTH(test) \
    {#test " [internal errno]", test, setup_internal, NULL, NULL}, \
    {#test " [darwin errno]", test, setup_darwin, NULL, NULL}

int main(void) {
    const struct CMUnitTest tests[] = {
        BOTH(exact_read_every_chunk_size),
        BOTH(exact_read_short_only_at_eof),
        BOTH(once_is_one_call),
        BOTH(exact_write_every_chunk_size),
        BOTH(eagain_before_and_after_progress),
        BOTH(hard_error_keeps_progress),
        BOTH(exception_is_recorded_and_stops),
        BOTH(write_returning_zero_ends),
        BOTH(overlong_count_is_eio_not_overrun),
        BOTH(null_errcode_and_null_buffer),
        BOTH(rw_machine_steps),
        BOTH(stream_without_read_is_an_error),
        BOTH(text_read_counts_utf8_chars),
        BOTH(readers_report_none_errors_and_memory_errors),
        BOTH(read_all_and_readline),
    };
    return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
