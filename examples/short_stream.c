// Host example: pushes data through mprs's exact and once reads and writes over a stream
// that moves at most 7 bytes a call, as a UART or socket does, and shows what each gives.
//
// It is also the smallest port: libmprs.a built with the stream subsystem alone
// (`cargo build --no-default-features --features stream`, as mprs.mk does for
// MPRS_SUBSYSTEMS=stream) imports only the shared port services below. In a MicroPython
// port c-glue/port.c implements them over the VM; here an mprs_obj_t is a pointer to a
// memory stream and nothing ever raises.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mprs.h"

#define RW_READ 0
#define RW_ONCE 1
#define RW_WRITE 2
#define STREAM_ERROR ((mprs_uint_t)-1)

// The call record: the glue's is where an exception waits to be re-raised; none here.
struct mprs_call_t {
    int unused;
};

// A memory stream that moves at most `chunk` bytes a call; with `overlong` set, a read
// claims that many bytes more than it was asked for, as a broken driver might.
typedef struct {
    const uint8_t *src;
    size_t src_len, src_pos, chunk, overlong;
    uint8_t sink[256];
    size_t sink_len;
    unsigned calls;
} mem_stream_t;

static mem_stream_t *stream_of(mprs_obj_t obj) {
    return (mem_stream_t *)(uintptr_t)obj;
}

// The port services of the stream subsystem.

mprs_uint_t mprs_port_stream_io(mprs_call_t *call, mprs_obj_t stream, void *buf, mprs_uint_t size, int *errcode, mprs_direction direction) {
    bool write = direction == MPRS_DIRECTION_WRITE;
    (void)call;
    (void)errcode;
    mem_stream_t *s = stream_of(stream);
    size_t n = size < s->chunk ? size : s->chunk;
    s->calls++;
    if (write) {
        n = n < sizeof(s->sink) - s->sink_len ? n : sizeof(s->sink) - s->sink_len;
        memcpy(s->sink + s->sink_len, buf, n);
        s->sink_len += n;
        return n;
    }
    if (s->overlong) {
        return size + s->overlong;
    }
    n = n < s->src_len - s->src_pos ? n : s->src_len - s->src_pos;
    memcpy(buf, s->src + s->src_pos, n);
    s->src_pos += n;
    return n;
}

mprs_uint_t mprs_port_stream_ioctl(mprs_call_t *call, mprs_obj_t stream, mprs_uint_t request, size_t arg, int *errcode) {
    (void)call;
    (void)stream;
    (void)request;
    (void)arg;
    *errcode = mprs_port_errno(MPRS_ERRNO_EINVAL);
    return STREAM_ERROR;
}

// MicroPython's internal errno numbering (py/mperrno.h), in mprs_errno's order.
int mprs_port_errno(mprs_errno which) {
    static const int values[] = {5, 22, 11, 11, 12, 9, 95, 2, 17, 107, 104, 110, 114, 115, 103, 105};
    return (size_t)which < sizeof(values) / sizeof(values[0]) ? values[which] : 22;
}

bool mprs_port_is_nonblocking_error(int errcode) {
    return errcode == 11;
}

void mprs_port_panic(void) {
    abort();
}

// One thread, no interrupts: nothing to exclude.
void mprs_port_atomic_begin(void) {
}

void mprs_port_atomic_end(void) {
}

static void stream_init(mem_stream_t *s, const char *src, size_t len, size_t chunk) {
    memset(s, 0, sizeof(*s));
    s->src = (const uint8_t *)src;
    s->src_len = len;
    s->chunk = chunk;
}

int main(void) {
    static const char text[] = "MicroPython streams, now with Rust underneath.";
    const size_t len = sizeof(text) - 1;
    uint8_t buf[64];
    int err;
    int failures = 0;

    static mem_stream_t s;
    stream_init(&s, text, len, 7);
    mprs_obj_t obj = (mprs_obj_t)(uintptr_t)&s;
    mprs_call_t call = {0};

    mprs_uint_t n = mprs_stream_rw(&call, obj, buf, 20, &err, RW_READ | RW_ONCE);
    printf("read once  (ask 20): got %2u bytes in %u call  \"%.*s\"\n", (unsigned)n, s.calls, (int)n, buf);
    failures += n != 7 || err != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, obj, buf, 20, &err, RW_READ);
    printf("read exact (ask 20): got %2u bytes in %u calls \"%.*s\"\n", (unsigned)n, s.calls, (int)n, buf);
    failures += n != 20 || err != 0 || memcmp(buf, text + 7, 20) != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, obj, buf, sizeof(buf), &err, RW_READ);
    printf("read exact (ask 64): got %2u bytes in %u calls, short only at EOF (err %d)\n", (unsigned)n, s.calls, err);
    failures += n != len - 27 || err != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, obj, (void *)text, len, &err, RW_WRITE);
    printf("write exact (%u bytes): wrote %u in %u calls\n", (unsigned)len, (unsigned)n, s.calls);
    failures += n != len || s.sink_len != len || memcmp(s.sink, text, len) != 0;

    s.calls = 0;
    n = mprs_stream_rw(&call, obj, (void *)text, len, &err, RW_WRITE | RW_ONCE);
    printf("write once  (%u bytes): wrote %u in %u call\n", (unsigned)len, (unsigned)n, s.calls);
    failures += n != 7;

    stream_init(&s, text, len, 8);
    s.overlong = 100;
    n = mprs_stream_rw(&call, obj, buf, 8, &err, RW_READ);
    printf("a stream that claims 108 of 8 bytes: %u done, errno %d (EIO), no overrun\n", (unsigned)n, err);
    failures += n != 0 || err != mprs_port_errno(MPRS_ERRNO_EIO);

    printf(failures ? "example: FAILED\n" : "example: ok\n");
    return failures != 0;
}
