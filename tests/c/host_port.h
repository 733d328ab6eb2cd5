// A small host implementation of the port services libmprs.a imports, for the C tests
// and the example. No MicroPython here: an mprs_obj_t is a pointer to a host_stream_t,
// an "exception" is a flag the stream sets, and a vstr is a malloc'd buffer with an
// optional allocation limit that stands for MemoryError.
#ifndef MPRS_HOST_PORT_H
#define MPRS_HOST_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mprs.h"

// The call record: set when a port service "raised".
struct mprs_call_t {
    bool raised;
    const char *exc; // what was raised, for the test to check
};

#define HOST_CALL_INIT { false, NULL }

typedef struct host_stream host_stream_t;

// One step of a scripted stream: what its next read or write call does.
typedef enum {
    STEP_MOVE,     // move up to `n` bytes (fewer if the request is smaller)
    STEP_ERROR,    // return MP_STREAM_ERROR with errno `n`
    STEP_RAISE,    // raise (the protected call reports an exception)
    STEP_OVERLONG, // claim `n` bytes more than were asked
} host_step_kind_t;

typedef struct {
    host_step_kind_t kind;
    int n;
} host_step_t;

#define HOST_MAX_STEPS 64

struct host_stream {
    // Steps for successive calls; after the last one, `tail` repeats.
    host_step_t steps[HOST_MAX_STEPS];
    size_t n_steps;
    size_t next_step;
    host_step_t tail;
    // Data a read returns, and where writes go.
    const uint8_t *src;
    size_t src_len;
    size_t src_pos;
    uint8_t sink[1 << 16];
    size_t sink_len;
    // A test's own read; NULL reads from src as the steps say.
    mprs_uint_t (*read)(mprs_call_t *call, host_stream_t *s, void *buf, size_t size, int *errcode);
    // A test's own ioctl (poll, close, ...); NULL answers every request with EINVAL.
    mprs_uint_t (*ioctl)(mprs_call_t *call, host_stream_t *s, mprs_uint_t request, size_t arg, int *errcode);
    // Counters the tests check.
    unsigned calls;
    unsigned ioctls;
    bool has_read, has_write, has_ioctl;
};

// A stream whose reads come from src and whose writes go to sink, every call moving at
// most `chunk` bytes (0: as much as asked). The test may then add steps.
void host_stream_init(host_stream_t *s, const void *src, size_t src_len, int chunk);
void host_stream_add_step(host_stream_t *s, host_step_kind_t kind, int n);

static inline mprs_obj_t host_obj(host_stream_t *s) {
    return (mprs_obj_t)(uintptr_t)s;
}

// A growable buffer for the readers (a vstr); alloc_limit 0 means no limit.
typedef struct {
    uint8_t *buf;
    size_t len;
    size_t alloc;
    size_t alloc_limit;
} host_vstr_t;

void host_vstr_init(host_vstr_t *v, size_t alloc_limit);
void host_vstr_free(host_vstr_t *v);

// Drives one of libmprs.a's readers over s into v, as c-glue/stream.c does; returns its
// status, or MPRS_RAISED (with call set) where the stream or the allocation "raised".
int host_read_into(mprs_call_t *call, host_stream_t *s, host_vstr_t *v, mprs_reader_kind kind, mprs_int_t limit);

// Errno numbering the host port reports: MicroPython's internal one (Linux values) or a
// system one where EAGAIN is 35 (macOS), so tests can show nothing is hard-coded.
typedef enum {
    HOST_ERRNO_INTERNAL,
    HOST_ERRNO_DARWIN,
} host_errno_numbering_t;

void host_port_set_errno(host_errno_numbering_t numbering);
int host_errno(mprs_errno which);

#endif // MPRS_HOST_PORT_H
