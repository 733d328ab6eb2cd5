// Host example: pushes data through mprs's exact and once reads and writes over a stream
// that moves at most 7 bytes a call, as a UART or socket does, and shows what each gives.
#include <stdio.h>
#include <string.h>

#include "host_port.h"

#define RW_READ 0
#define RW_ONCE 1
#define RW_WRITE 2

int main(void) {
    static const char text[] = "MicroPython streams, now with Rust underneath.";
    const size_t len = sizeof(text) - 1;
    uint8_t buf[64];
    int err;
    int failures = 0;

    host_stream_t s;
    host_stream_init(&s, text, len, 7);
    mprs_call_t call = HOST_CALL_INIT;

    mprs_uint_t n = mprs_stream_rw(&call, host_obj(&s), buf, 20, &err, RW_READ | RW_ONCE);
    printf("read once  (ask 20): got %2u bytes in %u call  \"%.*s\"\n", (unsigned)n, s.calls, (int)n, buf);
    failures += n != 7 || err != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, host_obj(&s), buf, 20, &err, RW_READ);
    printf("read exact (ask 20): got %2u bytes in %u calls \"%.*s\"\n", (unsigned)n, s.calls, (int)n, buf);
    failures += n != 20 || err != 0 || memcmp(buf, text + 7, 20) != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, host_obj(&s), buf, sizeof(buf), &err, RW_READ);
    printf("read exact (ask 64): got %2u bytes in %u calls, short only at EOF (err %d)\n", (unsigned)n, s.calls, err);
    failures += n != len - 27 || err != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, host_obj(&s), (void *)text, len, &err, RW_WRITE);
    printf("write exact (%u bytes): wrote %u in %u calls\n", (unsigned)len, (unsigned)n, s.calls);
    failures += n != len || s.sink_len != len || memcmp(s.sink, text, len) != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, host_obj(&s), (void *)text, len, &err, RW_WRITE | RW_ONCE);
    printf("write once  (%u bytes): wrote %u in %u call\n", (unsigned)len, (unsigned)n, s.calls);
    failures += n != 7;

    host_stream_init(&s, text, len, 0);
    host_stream_add_step(&s, STEP_OVERLONG, 100);
    n = mprs_stream_rw(&call, host_obj(&s), buf, 8, &err, RW_READ);
    printf("a stream that claims 108 of 8 bytes: %u done, errno %d (EIO), no overrun\n", (unsigned)n, err);
    failures += n != 0 || err != host_errno(MPRS_ERRNO_EIO);

    printf(failures ? "example: FAILED\n" : "example: ok\n");
    return failures != 0;
}
