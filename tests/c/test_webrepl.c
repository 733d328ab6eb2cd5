// The WebREPL exports through include/mprs.h, driven as dupterm drives the _webrepl stream
// (one-byte reads), against scripted websocket frames and in-memory files.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "host_webrepl.h"

static host_webrepl_t h;

static int setup(void **state) {
    (void)state;
    host_webrepl_init(&h);
    return 0;
}

static mprs_webrepl_t *repl(void) {
    return (mprs_webrepl_t *)&h;
}

// Reads terminal bytes until EOF or an error; returns how many, with the last status.
static size_t read_all(char *out, size_t cap, mprs_uint_t *last, int *err) {
    size_t n = 0;
    for (;;) {
        mprs_call_t call = HOST_CALL_INIT;
        uint8_t c;
        *err = 0;
        *last = mprs_webrepl_read(&call, repl(), host_obj(&h.sock), h.session, &c, 1, err);
        if (*last != 1) {
            return n;
        }
        if (n < cap) {
            out[n++] = (char)c;
        }
    }
}

static void put_request(uint8_t *req, uint8_t type, uint32_t size, const char *name) {
    memset(req, 0, 82);
    req[0] = 'W';
    req[1] = 'A';
    req[2] = type;
    memcpy(req + 12, &size, 4); // little-endian hosts
    uint16_t len = (uint16_t)strlen(name);
    memcpy(req + 16, &len, 2);
    memcpy(req + 18, name, len);
}

static void login_then_terminal_input(void **state) {
    (void)state;
    host_webrepl_frame(&h, "secret\r", 7, true);
    host_webrepl_frame(&h, "ls()\r", 5, true);
    mprs_webrepl_init(repl(), h.session);
    assert_false(mprs_webrepl_forwards_output(h.session));
    char term[32];
    mprs_uint_t last;
    int err;
    size_t n = read_all(term, sizeof(term), &last, &err);
    assert_int_equal(last, 0); // the script ended: EOF
    assert_int_equal(n, 5);
    assert_memory_equal(term, "ls()\r", 5);
    assert_true(mprs_webrepl_forwards_output(h.session));
    assert_memory_equal(h.sent, "Password: \r\nWebREPL connected\r\n>>> ", 35);
}

static void wrong_password_is_eof(void **state) {
    (void)state;
    host_webrepl_frame(&h, "guess\n", 6, true);
    host_webrepl_frame(&h, "more", 4, true);
    mprs_webrepl_init(repl(), h.session);
    char term[8];
    mprs_uint_t last;
    int err;
    assert_int_equal(read_all(term, sizeof(term), &last, &err), 0);
    assert_int_equal(last, 0);
    assert_int_equal(h.frame, 1); // nothing read after the denial
    assert_memory_equal(h.sent + 10, "\r\nAccess denied\r\n", 17);
}

static void put_in_small_frames_renames_into_place(void **state) {
    (void)state;
    static uint8_t req[82];
    put_request(req, 1, 10, "main.py");
    host_webrepl_frame(&h, "secret\r", 7, true);
    host_webrepl_frame(&h, req, 10, false);
    host_webrepl_frame(&h, req + 10, 72, false);
    host_webrepl_frame(&h, "01234", 5, false);
    host_webrepl_frame(&h, "56789", 5, false);
    host_webrepl_frame(&h, "!", 1, true);
    mprs_webrepl_init(repl(), h.session);
    char term[8];
    mprs_uint_t last;
    int err;
    assert_int_equal(read_all(term, sizeof(term), &last, &err), 1);
    assert_int_equal(term[0], '!');
    host_wr_file_t *f = host_webrepl_file(&h, "main.py");
    assert_non_null(f);
    assert_int_equal(f->len, 10);
    assert_memory_equal(f->data, "0123456789", 10);
    assert_null(host_webrepl_file(&h, "main.py.part"));
    // Two statuses, both 0, after the prompts.
    assert_memory_equal(h.sent + h.sent_len - 8, "WB\0\0WB\0\0", 8);
}

static void connection_lost_mid_put_leaves_no_temporary(void **state) {
    (void)state;
    static uint8_t req[82];
    put_request(req, 1, 100, "boot.py");
    host_webrepl_frame(&h, "secret\r", 7, true);
    host_webrepl_frame(&h, req, 82, false);
    host_webrepl_frame(&h, "partial", 7, false);
    mprs_webrepl_init(repl(), h.session);
    char term[8];
    mprs_uint_t last;
    int err;
    read_all(term, sizeof(term), &last, &err);
    assert_int_equal(last, 0);
    assert_null(host_webrepl_file(&h, "boot.py.part"));
    assert_null(host_webrepl_file(&h, "boot.py"));
    assert_null(h.open);
}

static void socket_exception_is_reported_not_swallowed(void **state) {
    (void)state;
    h.raise_on_recv = true;
    mprs_webrepl_init(repl(), h.session);
    mprs_call_t call = HOST_CALL_INIT;
    uint8_t c;
    int err = 0;
    assert_int_equal(mprs_webrepl_read(&call, repl(), host_obj(&h.sock), h.session, &c, 1, &err), (mprs_uint_t)-1);
    assert_int_equal(err, MPRS_RAISED);
    assert_true(call.raised);
}

static void get_chunks_fill_the_port_buffer_one_frame_each(void **state) {
    (void)state;
    static uint8_t req[82];
    put_request(req, 2, 0, "data.bin");
    host_wr_file_t *f = &h.files[0];
    f->used = true;
    strcpy(f->name, "data.bin");
    f->len = 3000;
    for (size_t i = 0; i < f->len; i++) {
        f->data[i] = (uint8_t)i;
    }
    h.chunk_len = sizeof(h.chunk); // 1024 bytes of data a chunk
    host_webrepl_frame(&h, "secret\r", 7, true);
    host_webrepl_frame(&h, req, 82, false);
    static const uint8_t ack = 0;
    for (int i = 0; i < 4; i++) {
        host_webrepl_frame(&h, &ack, 1, false);
    }
    mprs_webrepl_init(repl(), h.session);
    char term[8];
    mprs_uint_t last;
    int err;
    read_all(term, sizeof(term), &last, &err);
    // The status, 1024 + 1024 + 952 bytes, the empty chunk, the final status: six frames.
    assert_int_equal(h.binary_sends, 6);
    size_t at = 10 + 25 + 4; // prompt, banner, status
    const size_t sizes[] = {1024, 1024, 952, 0};
    size_t pos = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(h.sent[at] | h.sent[at + 1] << 8, sizes[i]);
        assert_memory_equal(h.sent + at + 2, f->data + pos, sizes[i]);
        at += 2 + sizes[i];
        pos += sizes[i];
    }
    assert_memory_equal(h.sent + at, "WB\0\0", 4);
}

static void bad_arguments_are_refused(void **state) {
    (void)state;
    mprs_call_t call = HOST_CALL_INIT;
    int err = 0;
    uint8_t c;
    assert_int_equal(mprs_webrepl_read(&call, repl(), host_obj(&h.sock), NULL, &c, 1, &err), (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
    mprs_webrepl_init(repl(), h.session);
    assert_int_equal(mprs_webrepl_read(&call, repl(), host_obj(&h.sock), h.session, &c, 0, &err), 0);
    mprs_webrepl_init(repl(), NULL); // ignored
    mprs_webrepl_abort(repl(), NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(login_then_terminal_input, setup),
        cmocka_unit_test_setup(wrong_password_is_eof, setup),
        cmocka_unit_test_setup(put_in_small_frames_renames_into_place, setup),
        cmocka_unit_test_setup(connection_lost_mid_put_leaves_no_temporary, setup),
        cmocka_unit_test_setup(socket_exception_is_reported_not_swallowed, setup),
        cmocka_unit_test_setup(get_chunks_fill_the_port_buffer_one_frame_each, setup),
        cmocka_unit_test_setup(bad_arguments_are_refused, setup),
    };
    return cmocka_run_group_tests_name("webrepl", tests, NULL, NULL);
}
