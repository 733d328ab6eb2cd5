// Host WebREPL services: see host_webrepl.h.
#include <stddef.h>
#include <string.h>

#include "host_webrepl.h"

const char *host_webrepl_password = "secret";

static mprs_uint_t host_wr_recv(mprs_call_t *call, host_stream_t *s, void *buf, size_t len, int *errcode);
static mprs_uint_t host_wr_ioctl(mprs_call_t *call, host_stream_t *s, mprs_uint_t request, size_t arg, int *errcode);

void host_webrepl_init(host_webrepl_t *h) {
    memset(h, 0, sizeof(*h));
    host_stream_init(&h->sock, NULL, 0, 0);
    h->sock.read = host_wr_recv;
    h->sock.ioctl = host_wr_ioctl;
    h->chunk_len = MPRS_WEBREPL_CHUNK_PREFIX + 256;
}

void host_webrepl_frame(host_webrepl_t *h, const void *data, size_t len, bool text) {
    if (h->n_frames < HOST_WR_FRAMES) {
        h->frames[h->n_frames++] = (host_wr_frame_t){ data, len, text };
    }
}

static host_webrepl_t *host_of(mprs_webrepl_t *repl) {
    return (host_webrepl_t *)repl;
}

static host_webrepl_t *host_of_sock(host_stream_t *s) {
    return (host_webrepl_t *)((char *)s - offsetof(host_webrepl_t, sock));
}

host_wr_file_t *host_webrepl_file(host_webrepl_t *h, const char *name) {
    for (size_t i = 0; i < HOST_WR_FILES; i++) {
        if (h->files[i].used && strcmp(h->files[i].name, name) == 0) {
            return &h->files[i];
        }
    }
    return NULL;
}

static host_wr_file_t *file_named(host_webrepl_t *h, const uint8_t *name, size_t len, bool create) {
    char key[80];
    if (len >= sizeof(key)) {
        return NULL;
    }
    memcpy(key, name, len);
    key[len] = '\0';
    host_wr_file_t *f = host_webrepl_file(h, key);
    for (size_t i = 0; f == NULL && create && i < HOST_WR_FILES; i++) {
        if (!h->files[i].used) {
            f = &h->files[i];
            f->used = true;
            strcpy(f->name, key);
        }
    }
    return f;
}

// The websocket's read: the next bytes of the script, never past the end of a frame.
static mprs_uint_t host_wr_recv(mprs_call_t *call, host_stream_t *s, void *buf, size_t len, int *errcode) {
    host_webrepl_t *h = host_of_sock(s);
    if (h->raise_on_recv) {
        call->raised = true;
        call->exc = "OSError: connection reset";
        *errcode = MPRS_RAISED;
        return (mprs_uint_t)-1;
    }
    if (h->frame >= h->n_frames) {
        return 0; // the client went away
    }
    host_wr_frame_t *f = &h->frames[h->frame];
    size_t n = f->len - h->offset < len ? f->len - h->offset : len;
    memcpy(buf, f->data + h->offset, n);
    h->last_text = f->text;
    h->offset += n;
    if (h->offset == f->len) {
        h->frame++;
        h->offset = 0;
    }
    return n;
}

// MP_STREAM_GET_DATA_OPTS: the opcode of the frame last read (1 text, 2 binary).
static mprs_uint_t host_wr_ioctl(mprs_call_t *call, host_stream_t *s, mprs_uint_t request, size_t arg, int *errcode) {
    (void)call;
    (void)arg;
    if (request != 8) {
        *errcode = host_errno(MPRS_ERRNO_EINVAL);
        return (mprs_uint_t)-1;
    }
    return host_of_sock(s)->last_text ? 1 : 2;
}

uint8_t *mprs_port_webrepl_chunk(mprs_webrepl_t *repl, size_t *len) {
    host_webrepl_t *h = host_of(repl);
    *len = h->chunk_len;
    return h->chunk_len ? h->chunk : NULL;
}

const uint8_t *mprs_port_webrepl_password(size_t *len) {
    *len = strlen(host_webrepl_password);
    return (const uint8_t *)host_webrepl_password;
}

static ptrdiff_t host_wr_open(host_webrepl_t *h, const uint8_t *name, size_t len, bool write) {
    h->open = file_named(h, name, len, write);
    if (h->open != NULL && write) {
        h->open->len = 0;
    }
    h->read_pos = 0;
    return h->open != NULL ? 0 : -1;
}

static ptrdiff_t host_wr_rename(host_webrepl_t *h, const uint8_t *from, size_t from_len, const uint8_t *to, size_t to_len) {
    host_wr_file_t *src = file_named(h, from, from_len, false);
    if (src == NULL || to_len >= sizeof(src->name)) {
        return -1;
    }
    host_wr_file_t *dst = file_named(h, to, to_len, false);
    if (dst != NULL && dst != src) {
        dst->used = false;
    }
    memcpy(src->name, to, to_len);
    src->name[to_len] = '\0';
    return 0;
}

ptrdiff_t mprs_port_webrepl_call(mprs_webrepl_t *repl, mprs_webrepl_op op, uint8_t *data, size_t len, const uint8_t *to, size_t to_len) {
    host_webrepl_t *h = host_of(repl);
    host_wr_file_t *f = h->open;
    switch (op) {
        case MPRS_WEBREPL_OP_SEND_TEXT:
        case MPRS_WEBREPL_OP_SEND_BINARY:
            h->binary_sends += op == MPRS_WEBREPL_OP_SEND_BINARY;
            if (len >= MPRS_WEBREPL_HEADROOM && len - MPRS_WEBREPL_HEADROOM <= sizeof(h->sent) - h->sent_len) {
                memcpy(h->sent + h->sent_len, data + MPRS_WEBREPL_HEADROOM, len - MPRS_WEBREPL_HEADROOM);
                h->sent_len += len - MPRS_WEBREPL_HEADROOM;
            }
            return 0;
        case MPRS_WEBREPL_OP_OPEN_READ:
        case MPRS_WEBREPL_OP_OPEN_WRITE:
            return host_wr_open(h, data, len, op == MPRS_WEBREPL_OP_OPEN_WRITE);
        case MPRS_WEBREPL_OP_WRITE_FILE:
            if (f == NULL || len > sizeof(f->data) - f->len) {
                return -1;
            }
            memcpy(f->data + f->len, data, len);
            f->len += len;
            return 0;
        case MPRS_WEBREPL_OP_READ_FILE: {
            if (f == NULL) {
                return -1;
            }
            size_t n = f->len - h->read_pos < len ? f->len - h->read_pos : len;
            memcpy(data, f->data + h->read_pos, n);
            h->read_pos += n;
            return (ptrdiff_t)n;
        }
        case MPRS_WEBREPL_OP_CLOSE_FILE:
            h->open = NULL;
            return 0;
        case MPRS_WEBREPL_OP_RENAME:
            return host_wr_rename(h, data, len, to, to_len);
        case MPRS_WEBREPL_OP_REMOVE:
            f = file_named(h, data, len, false);
            if (f != NULL) {
                f->used = false;
            }
            return 0;
    }
    return -1;
}

void mprs_port_webrepl_version(uint8_t *out) {
    out[0] = 1;
    out[1] = 27;
    out[2] = 0;
}
