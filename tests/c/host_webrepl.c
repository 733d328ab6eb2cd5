// Host WebREPL services: see host_webrepl.h.
#include <string.h>

#include "host_webrepl.h"

const char *host_webrepl_password = "secret";

void host_webrepl_init(host_webrepl_t *h) {
    memset(h, 0, sizeof(*h));
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

mprs_uint_t mprs_port_webrepl_recv(mprs_call_t *call, mprs_webrepl_t *repl, uint8_t *buf, size_t len, bool *text, int *errcode) {
    host_webrepl_t *h = host_of(repl);
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
    *text = f->text;
    h->offset += n;
    if (h->offset == f->len) {
        h->frame++;
        h->offset = 0;
    }
    return n;
}

void mprs_port_webrepl_send(mprs_webrepl_t *repl, const uint8_t *data, size_t len, bool text) {
    host_webrepl_t *h = host_of(repl);
    (void)text;
    if (len <= sizeof(h->sent) - h->sent_len) {
        memcpy(h->sent + h->sent_len, data, len);
        h->sent_len += len;
    }
}

void mprs_port_webrepl_send_framed(mprs_webrepl_t *repl, uint8_t *buf, size_t len) {
    host_webrepl_t *h = host_of(repl);
    h->framed_sends++;
    if (len >= MPRS_WEBSOCKET_HEADROOM) {
        mprs_port_webrepl_send(repl, buf + MPRS_WEBSOCKET_HEADROOM, len - MPRS_WEBSOCKET_HEADROOM, false);
    }
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

bool mprs_port_webrepl_open(mprs_webrepl_t *repl, const uint8_t *name, size_t len, mprs_direction direction) {
    bool write = direction == MPRS_DIRECTION_WRITE;
    host_webrepl_t *h = host_of(repl);
    h->open = file_named(h, name, len, write);
    if (h->open != NULL && write) {
        h->open->len = 0;
    }
    h->read_pos = 0;
    return h->open != NULL;
}

bool mprs_port_webrepl_write_file(mprs_webrepl_t *repl, const uint8_t *data, size_t len) {
    host_wr_file_t *f = host_of(repl)->open;
    if (f == NULL || len > sizeof(f->data) - f->len) {
        return false;
    }
    memcpy(f->data + f->len, data, len);
    f->len += len;
    return true;
}

ptrdiff_t mprs_port_webrepl_read_file(mprs_webrepl_t *repl, uint8_t *buf, size_t len) {
    host_webrepl_t *h = host_of(repl);
    if (h->open == NULL) {
        return -1;
    }
    size_t n = h->open->len - h->read_pos < len ? h->open->len - h->read_pos : len;
    memcpy(buf, h->open->data + h->read_pos, n);
    h->read_pos += n;
    return (ptrdiff_t)n;
}

void mprs_port_webrepl_close_file(mprs_webrepl_t *repl) {
    host_of(repl)->open = NULL;
}

bool mprs_port_webrepl_rename(mprs_webrepl_t *repl, const uint8_t *from, size_t from_len, const uint8_t *to, size_t to_len) {
    host_webrepl_t *h = host_of(repl);
    host_wr_file_t *src = file_named(h, from, from_len, false);
    if (src == NULL || to_len >= sizeof(src->name)) {
        return false;
    }
    host_wr_file_t *dst = file_named(h, to, to_len, false);
    if (dst != NULL && dst != src) {
        dst->used = false;
    }
    memcpy(src->name, to, to_len);
    src->name[to_len] = '\0';
    return true;
}

void mprs_port_webrepl_remove(mprs_webrepl_t *repl, const uint8_t *name, size_t len) {
    host_wr_file_t *f = file_named(host_of(repl), name, len, false);
    if (f != NULL) {
        f->used = false;
    }
}

void mprs_port_webrepl_version(uint8_t *out) {
    out[0] = 1;
    out[1] = 27;
    out[2] = 0;
}
