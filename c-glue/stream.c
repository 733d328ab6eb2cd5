// py/stream.h implemented over libmprs.a: the read/write algorithms run in Rust, this file
// parses arguments, allocates objects and raises. It replaces py/stream.c (c-glue/mprs.mk
// drops that file from the port's build).

#include <string.h>

#include "py/objstr.h"
#include "py/stream.h"
#include "mprs_glue.h"

typedef mp_uint_t (*stream_io_fn_t)(mp_obj_t obj, void *buf, mp_uint_t size, int *errcode);

// The stream's read (or write) method; NULL if it has none. Inlined: it is on every
// stream call's path.
static inline __attribute__((always_inline)) stream_io_fn_t stream_io_fn(mp_obj_t stream, bool write) {
    const mp_stream_p_t *stream_p = mprs_protocol_of(stream);
    if (stream_p == NULL) {
        return NULL;
    }
    return write ? (stream_io_fn_t)stream_p->write : stream_p->read;
}

// The stream loops run here, in C, and Rust's machine decides each step between the calls:
// an exception from the stream propagates as in py/stream.c, over C frames only, and costs
// no nlr_push. A missing method is EOPNOTSUPP. Inlined: readline makes one per byte.
static inline __attribute__((always_inline)) mp_uint_t stream_call(stream_io_fn_t io, mp_obj_t stream, void *buf, mp_uint_t size, int *error) {
    if (io == NULL) {
        *error = MP_EOPNOTSUPP;
        return MP_STREAM_ERROR;
    }
    return io(stream, buf, size, error);
}

// mp_stream_rw over a method the caller looked up (stream_read_generic has the protocol
// already; py/stream.c looks it up twice). Inlined in both callers: a call with six
// arguments costs more shuffling than the loop.
static inline __attribute__((always_inline)) mp_uint_t stream_rw_with(stream_io_fn_t io, mp_obj_t stream, void *buf, mp_uint_t size, int *errcode, byte flags) {
    mprs_rw_t rw = { .left = size, .once = (flags & MP_STREAM_RW_ONCE) != 0 };
    int error = 0;
    if ((buf == NULL && size != 0) || rw.left != size) {
        // No buffer, or more than the machine counts (a 64-bit mp_uint_t on a 32-bit
        // core): EINVAL, with no call, where py/stream.c would pass it on.
        rw.error = MP_EINVAL;
        size = 0;
    }
    for (mp_uint_t len = size; len != 0;) {
        mp_uint_t out = stream_call(io, stream, (byte *)buf + rw.done, len, &error);
        len = mprs_rw_step(&rw, out, error);
    }
    if (errcode != NULL) {
        *errcode = rw.error;
    }
    return rw.done;
}

mp_uint_t mp_stream_rw(mp_obj_t stream, void *buf, mp_uint_t size, int *errcode, byte flags) {
    return stream_rw_with(stream_io_fn(stream, flags & MP_STREAM_RW_WRITE), stream, buf, size, errcode, flags);
}

// Grows the allocation to exactly len, as py/stream.c's readers grow theirs: the same
// sizes let the heap extend blocks in place as often as it does for the C original.
static void stream_set_len(vstr_t *vstr, size_t len) {
    if (len > vstr->alloc) {
        vstr_extend(vstr, len - vstr->alloc);
    }
    vstr->len = len;
}

// Runs one of Rust's readers over stream into vstr; returns its status.
static int stream_read_into(mp_obj_t stream, vstr_t *vstr, mprs_reader_kind kind, mp_int_t limit) {
    stream_io_fn_t read = stream_io_fn(stream, false);
    mprs_reader_t reader;
    mp_uint_t moved = 0;
    mp_uint_t out = 0;
    int error = 0;
    for (bool more = mprs_reader_start(&reader, kind, limit, vstr->len); more;
         more = mprs_reader_step(&reader, (const uint8_t *)vstr->buf, vstr->len, moved, out, error)) {
        stream_set_len(vstr, reader.want);
        byte *window = (byte *)vstr->buf + reader.at;
        moved = 0;
        if (reader.stop < 0) {
            out = stream_call(read, stream, window, reader.len, &error);
        } else {
            // One byte a call, so nothing past the stop byte (readline's newline) is read.
            do {
                out = stream_call(read, stream, window + moved, 1, &error);
            } while (out == 1 && window[moved++] != reader.stop && moved < reader.len);
        }
    }
    stream_set_len(vstr, reader.want);
    return reader.status;
}

// A single ioctl, with no loop to move to Rust; an exception from it propagates as usual.
mp_off_t mp_stream_seek(mp_obj_t stream, mp_off_t offset, int whence, int *errcode) {
    struct mp_stream_seek_t seek_s = { .offset = offset, .whence = whence };
    const mp_stream_p_t *stream_p = mp_get_stream(stream);
    mp_uint_t res = stream_p->ioctl(stream, MP_STREAM_SEEK, (uintptr_t)&seek_s, errcode);
    return res == MP_STREAM_ERROR ? (mp_off_t)-1 : seek_s.offset;
}

const mp_stream_p_t *mp_get_stream_raise(mp_obj_t self_in, int flags) {
    const mp_stream_p_t *stream_p = mprs_protocol_of(self_in);
    if (stream_p != NULL) {
        bool missing = ((flags & MP_STREAM_OP_READ) && stream_p->read == NULL)
            || ((flags & MP_STREAM_OP_WRITE) && stream_p->write == NULL)
            || ((flags & MP_STREAM_OP_IOCTL) && stream_p->ioctl == NULL);
        if (!missing) {
            return stream_p;
        }
    }
    // CPython raises io.UnsupportedOperation, an OSError subclass.
    mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("stream operation not supported"));
}

static MP_NORETURN void stream_raise_error(mp_obj_t stream, int error) {
    #if MICROPY_STREAMS_DELEGATE_ERROR
    // The stream may raise a more detailed exception itself.
    const mp_stream_p_t *stream_p = mp_get_stream(stream);
    if (stream_p->ioctl != NULL) {
        int err;
        stream_p->ioctl(stream, MP_STREAM_RAISE_ERROR, error, &err);
    }
    #else
    (void)stream;
    #endif
    mp_raise_OSError(error);
}

static mp_obj_t stream_vstr_to_obj(const mp_stream_p_t *stream_p, vstr_t *vstr) {
    if (stream_p->is_text) {
        return mp_obj_new_str_from_vstr(vstr);
    }
    return mp_obj_new_bytes_from_vstr(vstr);
}

// Reads into a new vstr with one of Rust's readers: the object, None when a non-blocking
// stream had nothing, or the error raised.
static mp_obj_t stream_read_obj(mp_obj_t stream, size_t alloc, mprs_reader_kind kind, mp_int_t limit) {
    const mp_stream_p_t *stream_p = mp_get_stream(stream);
    vstr_t vstr;
    vstr_init(&vstr, alloc);
    int status = stream_read_into(stream, &vstr, kind, limit);
    if (status != MPRS_READ_DATA) {
        vstr_clear(&vstr);
        if (status == MPRS_READ_NONE) {
            return mp_const_none;
        }
        stream_raise_error(stream, status);
    }
    return stream_vstr_to_obj(stream_p, &vstr);
}

static mp_obj_t stream_read_generic(size_t n_args, const mp_obj_t *args, byte flags) {
    // As CPython, -1 (or no argument) reads to EOF; other negative sizes ask for an
    // impossible allocation and so raise MemoryError, as in the C original.
    mp_int_t sz;
    if (n_args == 1 || ((sz = mp_obj_get_int(args[1])) == -1)) {
        return stream_read_obj(args[0], 256, MPRS_READER_KIND_ALL, 0);
    }
    const mp_stream_p_t *stream_p = mp_get_stream(args[0]);

    #if MICROPY_PY_BUILTINS_STR_UNICODE
    if (stream_p->is_text) {
        // Counts characters, not bytes, without reading past them.
        return stream_read_obj(args[0], sz, MPRS_READER_KIND_TEXT, sz);
    }
    #endif

    vstr_t vstr;
    vstr_init_len(&vstr, sz);
    int error;
    mp_uint_t out_sz = stream_rw_with(stream_p->read, args[0], vstr.buf, sz, &error, flags);
    if (error != 0) {
        vstr_clear(&vstr);
        if (mp_is_nonblocking_error(error)) {
            // io.RawIOBase.read: None when a non-blocking stream has no data.
            return mp_const_none;
        }
        stream_raise_error(args[0], error);
    }
    vstr.len = out_sz;
    return stream_vstr_to_obj(stream_p, &vstr);
}

static mp_obj_t stream_read(size_t n_args, const mp_obj_t *args) {
    return stream_read_generic(n_args, args, MP_STREAM_RW_READ);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_read_obj, 1, 2, stream_read);

static mp_obj_t stream_read1(size_t n_args, const mp_obj_t *args) {
    return stream_read_generic(n_args, args, MP_STREAM_RW_READ | MP_STREAM_RW_ONCE);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_read1_obj, 1, 2, stream_read1);

mp_obj_t mp_stream_write(mp_obj_t self_in, const void *buf, size_t len, byte flags) {
    int error;
    mp_uint_t out_sz = stream_rw_with(stream_io_fn(self_in, flags & MP_STREAM_RW_WRITE), self_in, (void *)buf, len, &error, flags);
    if (error != 0) {
        if (mp_is_nonblocking_error(error)) {
            // io.RawIOBase.write: None when a non-blocking stream takes nothing.
            return mp_const_none;
        }
        stream_raise_error(self_in, error);
    }
    return MP_OBJ_NEW_SMALL_INT(out_sz);
}

void mp_stream_write_adaptor(void *self, const char *buf, size_t len) {
    mp_stream_write(MP_OBJ_FROM_PTR(self), buf, len, MP_STREAM_RW_WRITE);
}

// write(buf[, max_len]) / write(buf, off, max_len), and readinto likewise.
static mp_obj_t stream_readinto_write_generic(size_t n_args, const mp_obj_t *args, byte flags) {
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(args[1], &bufinfo, (flags & MP_STREAM_RW_WRITE) ? MP_BUFFER_READ : MP_BUFFER_WRITE);
    size_t max_len = (size_t)-1;
    size_t off = 0;
    if (n_args == 3) {
        max_len = mp_obj_get_int_truncated(args[2]);
    } else if (n_args == 4) {
        off = mp_obj_get_int_truncated(args[2]);
        max_len = mp_obj_get_int_truncated(args[3]);
        if (off > bufinfo.len) {
            off = bufinfo.len;
        }
    }
    size_t len = bufinfo.len - off;
    return mp_stream_write(args[0], (byte *)bufinfo.buf + off, MIN(len, max_len), flags);
}

static mp_obj_t stream_write_method(size_t n_args, const mp_obj_t *args) {
    return stream_readinto_write_generic(n_args, args, MP_STREAM_RW_WRITE);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_write_obj, 2, 4, stream_write_method);

static mp_obj_t stream_write1_method(size_t n_args, const mp_obj_t *args) {
    return stream_readinto_write_generic(n_args, args, MP_STREAM_RW_WRITE | MP_STREAM_RW_ONCE);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_write1_obj, 2, 4, stream_write1_method);

static mp_obj_t stream_readinto(size_t n_args, const mp_obj_t *args) {
    return stream_readinto_write_generic(n_args, args, MP_STREAM_RW_READ);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_readinto_obj, 2, 3, stream_readinto);

static mp_obj_t stream_readinto1(size_t n_args, const mp_obj_t *args) {
    return stream_readinto_write_generic(n_args, args, MP_STREAM_RW_READ | MP_STREAM_RW_ONCE);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_readinto1_obj, 2, 3, stream_readinto1);

static mp_obj_t stream_unbuffered_readline(size_t n_args, const mp_obj_t *args) {
    // A negative limit, or None as in CPython, reads the whole line.
    mp_int_t max_size = -1;
    if (n_args > 1 && args[1] != mp_const_none) {
        max_size = mp_obj_get_int(args[1]);
    }
    return stream_read_obj(args[0], max_size >= 0 ? (size_t)max_size : 16, MPRS_READER_KIND_LINE, max_size);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_unbuffered_readline_obj, 1, 2, stream_unbuffered_readline);

static mp_obj_t stream_unbuffered_readlines(mp_obj_t self) {
    mp_obj_t lines = mp_obj_new_list(0, NULL);
    for (;;) {
        mp_obj_t line = stream_unbuffered_readline(1, &self);
        if (!mp_obj_is_true(line)) {
            break;
        }
        mp_obj_list_append(lines, line);
    }
    return lines;
}
MP_DEFINE_CONST_FUN_OBJ_1(mp_stream_unbuffered_readlines_obj, stream_unbuffered_readlines);

mp_obj_t mp_stream_unbuffered_iter(mp_obj_t self) {
    mp_obj_t line = stream_unbuffered_readline(1, &self);
    if (mp_obj_is_true(line)) {
        return line;
    }
    return MP_OBJ_STOP_ITERATION;
}

// A stream ioctl with no argument, raising on error.
static mp_uint_t stream_ioctl_or_raise(mp_obj_t stream, mp_uint_t request, uintptr_t arg) {
    const mp_stream_p_t *stream_p = mp_get_stream(stream);
    int error;
    mp_uint_t res = stream_p->ioctl(stream, request, arg, &error);
    if (res == MP_STREAM_ERROR) {
        stream_raise_error(stream, error);
    }
    return res;
}

mp_obj_t mp_stream_close(mp_obj_t stream) {
    stream_ioctl_or_raise(stream, MP_STREAM_CLOSE, 0);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mp_stream_close_obj, mp_stream_close);

static mp_obj_t mp_stream___exit__(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    return mp_stream_close(args[0]);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream___exit___obj, 4, 4, mp_stream___exit__);

static mp_obj_t stream_seek(size_t n_args, const mp_obj_t *args) {
    mp_off_t offset = mp_obj_get_int(args[1]);
    int whence = MP_SEEK_SET;
    if (n_args == 3) {
        whence = mp_obj_get_int(args[2]);
    }
    // As POSIX: seeking before the start is an error.
    if (whence == MP_SEEK_SET && offset < 0) {
        mp_raise_OSError(MP_EINVAL);
    }
    int error;
    mp_off_t res = mp_stream_seek(args[0], offset, whence, &error);
    if (res == (mp_off_t)-1) {
        stream_raise_error(args[0], error);
    }
    return mp_obj_new_int_from_uint(res);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_seek_obj, 2, 3, stream_seek);

static mp_obj_t stream_tell(mp_obj_t self) {
    const mp_obj_t args[3] = {self, MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_NEW_SMALL_INT(MP_SEEK_CUR)};
    return stream_seek(3, args);
}
MP_DEFINE_CONST_FUN_OBJ_1(mp_stream_tell_obj, stream_tell);

static mp_obj_t stream_flush(mp_obj_t self) {
    stream_ioctl_or_raise(self, MP_STREAM_FLUSH, 0);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mp_stream_flush_obj, stream_flush);

static mp_obj_t stream_ioctl(size_t n_args, const mp_obj_t *args) {
    uintptr_t val = 0;
    if (n_args > 2) {
        mp_buffer_info_t bufinfo;
        if (mp_get_buffer(args[2], &bufinfo, MP_BUFFER_WRITE)) {
            val = (uintptr_t)bufinfo.buf;
        } else {
            val = mp_obj_get_int_truncated(args[2]);
        }
    }
    return mp_obj_new_int(stream_ioctl_or_raise(args[0], mp_obj_get_int(args[1]), val));
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_stream_ioctl_obj, 2, 3, stream_ioctl);

#if MICROPY_STREAMS_POSIX_API
// POSIX-style calls on a concrete stream object, reporting errors through errno.
#include <errno.h>

static ssize_t stream_posix_rw(void *stream, void *buf, size_t len, byte flags) {
    int error;
    mp_uint_t out = mp_stream_rw(MP_OBJ_FROM_PTR(stream), buf, len, &error, flags | MP_STREAM_RW_ONCE);
    if (error != 0) {
        errno = error;
        return -1;
    }
    return (ssize_t)out;
}

ssize_t mp_stream_posix_write(void *stream, const void *buf, size_t len) {
    return stream_posix_rw(stream, (void *)buf, len, MP_STREAM_RW_WRITE);
}

ssize_t mp_stream_posix_read(void *stream, void *buf, size_t len) {
    return stream_posix_rw(stream, buf, len, MP_STREAM_RW_READ);
}

off_t mp_stream_posix_lseek(void *stream, off_t offset, int whence) {
    mp_off_t res = mp_stream_seek(MP_OBJ_FROM_PTR(stream), offset, whence, &errno);
    return res == (mp_off_t)-1 ? -1 : res;
}

int mp_stream_posix_fsync(void *stream) {
    mp_obj_t obj = MP_OBJ_FROM_PTR(stream);
    const mp_stream_p_t *stream_p = mp_get_stream(obj);
    mp_uint_t res = stream_p->ioctl(obj, MP_STREAM_FLUSH, 0, &errno);
    return res == MP_STREAM_ERROR ? -1 : (int)res;
}
#endif
