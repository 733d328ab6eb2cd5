// The websocket exports through include/mprs.h, over scripted host streams: frames in
// pieces, pings inside fragmented messages, EAGAIN, exceptions, one write per frame.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "host_port.h"

static host_stream_t sock;
static uint64_t ws[(MPRS_WEBSOCKET_SIZE + 7) / 8];

static int setup(void **state) {
    (void)state;
    mprs_websocket_init(ws);
    return 0;
}

// MicroPython's stream ioctl requests, as mprs_websocket_ioctl takes them.
enum { CLOSE = 4, GET_DATA_OPTS = 8, SET_DATA_OPTS = 9 };

// An ioctl with no socket behind it (GET_DATA_OPTS, SET_DATA_OPTS).
static mprs_uint_t ws_ioctl(mprs_uint_t request, size_t arg) {
    mprs_call_t call = HOST_CALL_INIT;
    int err = 0;
    return mprs_websocket_ioctl(&call, host_obj(&sock), ws, request, arg, &err);
}

// A masked client frame; returns its length.
static size_t client_frame(uint8_t *out, uint8_t b0, const char *payload, size_t len) {
    static const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
    size_t at = 0;
    out[at++] = b0;
    if (len < 126) {
        out[at++] = 0x80 | (uint8_t)len;
    } else {
        out[at++] = 0x80 | 126;
        out[at++] = (uint8_t)(len >> 8);
        out[at++] = (uint8_t)len;
    }
    memcpy(out + at, mask, 4);
    at += 4;
    for (size_t i = 0; i < len; i++) {
        out[at++] = (uint8_t)payload[i] ^ mask[i & 3];
    }
    return at;
}

// Reads with `size`-byte reads until EOF or error; returns the bytes, the last status.
static size_t read_all(uint8_t *out, size_t cap, size_t size, mprs_uint_t *last, int *err) {
    size_t n = 0;
    for (;;) {
        mprs_call_t call = HOST_CALL_INIT;
        uint8_t buf[64];
        *err = 0;
        *last = mprs_websocket_read(&call, host_obj(&sock), ws, buf, size, err);
        if (*last == (mprs_uint_t)-1 && *err == host_errno(MPRS_ERRNO_EAGAIN)) {
            continue;
        }
        if (*last == 0 || *last == (mprs_uint_t)-1) {
            return n;
        }
        for (size_t i = 0; i < *last && n < cap; i++) {
            out[n++] = buf[i];
        }
    }
}

static void text_frame_and_its_kind(void **state) {
    (void)state;
    uint8_t in[32];
    size_t len = client_frame(in, 0x81, "hello", 5);
    host_stream_init(&sock, in, len, 0);
    uint8_t out[16];
    mprs_uint_t last;
    int err;
    assert_int_equal(read_all(out, sizeof(out), 64, &last, &err), 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(last, 0);
    assert_int_equal(ws_ioctl(GET_DATA_OPTS, 0), 1);
}

static void ping_in_a_fragmented_message_is_answered_not_read(void **state) {
    (void)state;
    uint8_t in[64];
    size_t len = client_frame(in, 0x02, "ab", 2);
    len += client_frame(in + len, 0x89, "xyz", 3);
    len += client_frame(in + len, 0x80, "cd", 2);
    host_stream_init(&sock, in, len, 0);
    uint8_t out[16];
    mprs_uint_t last;
    int err;
    assert_int_equal(read_all(out, sizeof(out), 1, &last, &err), 4);
    assert_memory_equal(out, "abcd", 4);
    assert_int_equal(ws_ioctl(GET_DATA_OPTS, 0), 2);
    assert_int_equal(sock.sink_len, 5);
    assert_memory_equal(sock.sink, "\x8a\x03xyz", 5);
}

static void eagain_inside_a_header_resumes(void **state) {
    (void)state;
    uint8_t in[32];
    size_t len = client_frame(in, 0x82, "data", 4);
    host_stream_init(&sock, in, len, 0);
    host_stream_add_step(&sock, STEP_MOVE, 1);
    host_stream_add_step(&sock, STEP_ERROR, host_errno(MPRS_ERRNO_EAGAIN));
    host_stream_add_step(&sock, STEP_MOVE, 3);
    host_stream_add_step(&sock, STEP_ERROR, host_errno(MPRS_ERRNO_EAGAIN));
    uint8_t out[16];
    mprs_uint_t last;
    int err;
    assert_int_equal(read_all(out, sizeof(out), 64, &last, &err), 4);
    assert_memory_equal(out, "data", 4);
}

static void peer_gone_mid_frame_is_a_reset(void **state) {
    (void)state;
    uint8_t in[32];
    size_t len = client_frame(in, 0x82, "data", 4);
    host_stream_init(&sock, in, len - 2, 0);
    uint8_t out[16];
    mprs_uint_t last;
    int err;
    // The frame's first bytes, then the end of them; the next read says why.
    assert_int_equal(read_all(out, sizeof(out), 64, &last, &err), 2);
    assert_int_equal(last, 0);
    mprs_call_t call = HOST_CALL_INIT;
    assert_int_equal(mprs_websocket_read(&call, host_obj(&sock), ws, out, 4, &err), (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_ECONNRESET));
    // Cut inside a header: at once.
    mprs_websocket_init(ws);
    host_stream_init(&sock, in, 3, 0);
    assert_int_equal(read_all(out, sizeof(out), 64, &last, &err), 0);
    assert_int_equal(last, (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_ECONNRESET));
}

static void socket_exception_is_reported(void **state) {
    (void)state;
    host_stream_init(&sock, NULL, 0, 0);
    host_stream_add_step(&sock, STEP_RAISE, 0);
    mprs_call_t call = HOST_CALL_INIT;
    uint8_t buf[4];
    int err = 0;
    assert_int_equal(mprs_websocket_read(&call, host_obj(&sock), ws, buf, 4, &err), (mprs_uint_t)-1);
    assert_int_equal(err, MPRS_RAISED);
    assert_true(call.raised);
}

// Writes head (with its headroom) and rest as one frame of op; checks the socket writes it
// took, the bytes sent and the header.
static void write_frame(uint8_t *head, size_t head_len, const uint8_t *rest, size_t rest_len, int op,
    size_t writes, const char *header) {
    mprs_call_t call = HOST_CALL_INIT;
    int err = 0;
    sock.calls = 0;
    sock.sink_len = 0;
    assert_int_equal(mprs_websocket_write(&call, host_obj(&sock), ws, head, head_len, rest, rest_len, op, &err), 0);
    assert_int_equal(sock.calls, writes);
    assert_int_equal(sock.sink_len, 4 + head_len - MPRS_WEBSOCKET_HEADROOM + rest_len);
    assert_memory_equal(sock.sink, header, 4);
}

static void one_underlying_write_per_frame(void **state) {
    (void)state;
    host_stream_init(&sock, NULL, 0, 0);
    static uint8_t payload[MPRS_WEBSOCKET_HEADROOM + 200];
    memset(payload, 'p', sizeof(payload));
    assert_int_equal(ws_ioctl(SET_DATA_OPTS, 2), 1);
    write_frame(payload, sizeof(payload), NULL, 0, MPRS_WEBSOCKET_OP_CURRENT, 1, "\x82\x7e\x00\xc8");
    // 16 KiB of payload after the headroom, still one write.
    static uint8_t frame[MPRS_WEBSOCKET_HEADROOM + 16384];
    memset(frame, 'q', sizeof(frame));
    write_frame(frame, sizeof(frame), NULL, 0, 2, 1, "\x82\x7e\x40\x00");
    // A payload given in two parts: the header counts both, the second part a write of its own.
    write_frame(payload, sizeof(payload), frame, 100, 2, 2, "\x82\x7e\x01\x2c");
}

static void close_sends_a_normal_close_once(void **state) {
    (void)state;
    host_stream_init(&sock, NULL, 0, 0);
    mprs_call_t call = HOST_CALL_INIT;
    int err = 0;
    assert_int_equal(mprs_websocket_ioctl(&call, host_obj(&sock), ws, CLOSE, 0, &err), 0);
    assert_int_equal(mprs_websocket_ioctl(&call, host_obj(&sock), ws, CLOSE, 0, &err), 0);
    assert_int_equal(sock.sink_len, 4);
    assert_memory_equal(sock.sink, "\x88\x02\x03\xe8", 4);
}

static void bad_arguments_are_refused(void **state) {
    (void)state;
    mprs_call_t call = HOST_CALL_INIT;
    int err = 0;
    uint8_t buf[4];
    host_stream_init(&sock, NULL, 0, 0);
    assert_int_equal(mprs_websocket_read(&call, host_obj(&sock), NULL, buf, 4, &err), (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
    assert_int_equal(mprs_websocket_read(&call, host_obj(&sock), ws, buf, 0, &err), 0);
    err = 0;
    assert_int_equal(mprs_websocket_write(&call, host_obj(&sock), ws, NULL, 0, NULL, 3, 1, &err), (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
    // A request the websocket does not answer.
    err = 0;
    assert_int_equal(mprs_websocket_ioctl(&call, host_obj(&sock), ws, 3, 0, &err), (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
    // A head without room for the header.
    err = 0;
    assert_int_equal(mprs_websocket_write(&call, host_obj(&sock), ws, buf, 3, NULL, 0, 1, &err), (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
    assert_int_equal(sock.calls, 0);
    mprs_websocket_init(NULL); // ignored
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(text_frame_and_its_kind, setup),
        cmocka_unit_test_setup(ping_in_a_fragmented_message_is_answered_not_read, setup),
        cmocka_unit_test_setup(eagain_inside_a_header_resumes, setup),
        cmocka_unit_test_setup(peer_gone_mid_frame_is_a_reset, setup),
        cmocka_unit_test_setup(socket_exception_is_reported, setup),
        cmocka_unit_test_setup(one_underlying_write_per_frame, setup),
        cmocka_unit_test_setup(close_sends_a_normal_close_once, setup),
        cmocka_unit_test_setup(bad_arguments_are_refused, setup),
    };
    return cmocka_run_group_tests_name("websocket", tests, NULL, NULL);
}
