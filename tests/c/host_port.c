// Host port services: see host_port.h.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_port.h"

#define HOST_STREAM_ERROR ((mprs_uint_t)-1)

static host_errno_numbering_t errno_numbering = HOST_ERRNO_INTERNAL;

void host_port_set_errno(host_errno_numbering_t numbering) {
    errno_numbering = numbering;
}

int host_errno(mprs_errno which) {
    static const int internal[] = {5, 22, 11, 11, 12, 9, 95, 2, 17, 107, 104, 110, 114, 115, 103, 105, 113, 98, 106};
    static const int darwin[] = {5, 22, 35, 35, 12, 9, 102, 2, 17, 57, 54, 60, 37, 36, 53, 55, 65, 48, 56};
    size_t i = (size_t)which;
    if (i >= sizeof(internal) / sizeof(internal[0])) {
        return 22;
    }
    return errno_numbering == HOST_ERRNO_DARWIN ? darwin[i] : internal[i];
}

void host_stream_init(host_stream_t *s, const void *src, size_t src_len, int chunk) {
    memset(s, 0, sizeof(*s));
    s->src = src;
    s->src_len = src_len;
    s->tail.kind = STEP_MOVE;
    s->tail.n = chunk;
    s->has_read = s->has_write = s->has_ioctl = true;
}

void host_stream_add_step(host_stream_t *s, host_step_kind_t kind, int n) {
    if (s->n_steps < HOST_MAX_STEPS) {
        s->steps[s->n_steps].kind = kind;
        s->steps[s->n_steps].n = n;
        s->n_steps++;
    }
}

static host_step_t next_step(host_stream_t *s) {
    s->calls++;
    if (s->next_step < s->n_steps) {
        return s->steps[s->next_step++];
    }
    return s->tail;
}

static mprs_uint_t raised(mprs_call_t *call, const char *what, int *errcode) {
    call->raised = true;
    call->exc = what;
    *errcode = MPRS_RAISED;
    return HOST_STREAM_ERROR;
}

// Moves bytes per the next step; `out` is NULL for a write.
static mprs_uint_t host_move(mprs_call_t *call, host_stream_t *s, uint8_t *out, const uint8_t *in,
    mprs_uint_t size, int *errcode) {
    host_step_t step = next_step(s);
    switch (step.kind) {
        case STEP_ERROR:
            *errcode = step.n;
            return HOST_STREAM_ERROR;
        case STEP_RAISE:
            return raised(call, out ? "read raised" : "write raised", errcode);
        case STEP_OVERLONG:
            return size + (mprs_uint_t)step.n;
        case STEP_MOVE:
            break;
    }
    size_t n = size;
    if (step.n > 0 && (size_t)step.n < n) {
        n = (size_t)step.n;
    }
    if (out != NULL) {
        size_t avail = s->src_len - s->src_pos;
        n = n < avail ? n : avail;
        memcpy(out, s->src + s->src_pos, n);
        s->src_pos += n;
    } else {
        size_t room = sizeof(s->sink) - s->sink_len;
        n = n < room ? n : room;
        memcpy(s->sink + s->sink_len, in, n);
        s->sink_len += n;
    }
    return n;
}

mprs_uint_t mprs_port_stream_io(mprs_call_t *call, mprs_obj_t stream, void *buf, mprs_uint_t size, int *errcode, mprs_direction direction) {
    bool write = direction == MPRS_DIRECTION_WRITE;
    host_stream_t *s = (host_stream_t *)(uintptr_t)stream;
    if (!(write ? s->has_write : s->has_read)) {
        *errcode = host_errno(MPRS_ERRNO_EOPNOTSUPP);
        return HOST_STREAM_ERROR;
    }
    if (!write && s->read != NULL) {
        return s->read(call, s, buf, size, errcode);
    }
    return write ? host_move(call, s, NULL, buf, size, errcode) : host_move(call, s, buf, NULL, size, errcode);
}

mprs_uint_t mprs_port_stream_ioctl(mprs_call_t *call, mprs_obj_t stream, mprs_uint_t request, size_t arg, int *errcode) {
    host_stream_t *s = (host_stream_t *)(uintptr_t)stream;
    s->ioctls++;
    if (s->ioctl != NULL) {
        return s->ioctl(call, s, request, arg, errcode);
    }
    *errcode = host_errno(MPRS_ERRNO_EINVAL);
    return HOST_STREAM_ERROR;
}

int mprs_port_errno(mprs_errno which) {
    return host_errno(which);
}

bool mprs_port_is_nonblocking_error(int errcode) {
    return errcode == host_errno(MPRS_ERRNO_EAGAIN) || errcode == host_errno(MPRS_ERRNO_EWOULDBLOCK);
}

void host_vstr_init(host_vstr_t *v, size_t alloc_limit) {
    memset(v, 0, sizeof(*v));
    v->alloc_limit = alloc_limit;
}

void host_vstr_free(host_vstr_t *v) {
    free(v->buf);
    memset(v, 0, sizeof(*v));
}

// Sizes the vstr as the glue does; false when that "raised" MemoryError.
static bool host_vstr_resize(mprs_call_t *call, host_vstr_t *v, size_t want) {
    if (want > v->alloc) {
        uint8_t *p = (v->alloc_limit != 0 && want > v->alloc_limit) ? NULL : realloc(v->buf, want * 2 + 16);
        if (p == NULL) {
            int errcode;
            raised(call, "MemoryError", &errcode);
            return false;
        }
        v->buf = p;
        v->alloc = want * 2 + 16;
    }
    if (want > v->len) {
        memset(v->buf + v->len, 0xa5, want - v->len); // not zero, so a test sees if unread bytes are kept
    }
    v->len = want;
    return true;
}

int host_read_into(mprs_call_t *call, host_stream_t *s, host_vstr_t *v, mprs_reader_kind kind, mprs_int_t limit) {
    mprs_reader_t reader;
    size_t moved = 0;
    mprs_uint_t out = 0;
    int error = 0;
    for (bool more = mprs_reader_start(&reader, kind, limit, v->len); more;
         more = mprs_reader_step(&reader, v->buf, v->len, moved, out, error)) {
        if (!host_vstr_resize(call, v, reader.want)) {
            return MPRS_RAISED;
        }
        uint8_t *window = v->buf + reader.at;
        moved = 0;
        do {
            size_t size = reader.stop < 0 ? reader.len : 1;
            out = mprs_port_stream_io(call, host_obj(s), window + moved, size, &error, MPRS_DIRECTION_READ);
            if (out == HOST_STREAM_ERROR && error == MPRS_RAISED) {
                return MPRS_RAISED;
            }
        } while (reader.stop >= 0 && out == 1 && window[moved++] != reader.stop && moved < reader.len);
    }
    return host_vstr_resize(call, v, reader.want) ? reader.status : MPRS_RAISED;
}

void mprs_port_panic(void) {
    fputs("mprs: Rust panic reached the port hook\n", stderr);
    abort();
}

// The critical section is a recursive mutex, so lwIP's thread and the test's thread
// really exclude each other.
static pthread_mutex_t atomic_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void mprs_port_atomic_begin(void) {
    pthread_mutex_lock(&atomic_mutex);
}

void mprs_port_atomic_end(void) {
    pthread_mutex_unlock(&atomic_mutex);
}
