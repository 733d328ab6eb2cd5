// Port services for the bare-metal link test (tests/scripts/link-test.sh): the smallest
// real implementation, over a memory stream, so the firmware links with every export
// and runs one exact read. A subsystem's services are here only when it is built
// (MPRS_<NAME>, as c-glue/mprs.mk defines them), as in a port: the link test also links
// a subset without --gc-sections, which fails if libmprs.a imports the services of a
// subsystem it was not built with.
#include <stdint.h>
#include <string.h>

#include "mprs.h"

struct mprs_call_t {
    int raised;
};

typedef struct {
    const uint8_t *data;
    size_t len, pos;
} mem_stream_t;

mprs_uint_t mprs_port_stream_io(mprs_call_t *call, mprs_obj_t stream, void *buf, mprs_uint_t size, int *errcode, mprs_direction direction) {
    bool write = direction == MPRS_DIRECTION_WRITE;
    (void)call;
    (void)errcode;
    mem_stream_t *s = (mem_stream_t *)(uintptr_t)stream;
    if (write) {
        return size;
    }
    size_t n = s->len - s->pos < size ? s->len - s->pos : size;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return n;
}

mprs_uint_t mprs_port_stream_ioctl(mprs_call_t *call, mprs_obj_t stream, mprs_uint_t request, size_t arg, int *errcode) {
    (void)call;
    (void)stream;
    (void)request;
    (void)arg;
    *errcode = 22;
    return (mprs_uint_t)-1;
}

int mprs_port_errno(mprs_errno which) {
    static const int values[] = {5, 22, 11, 11, 12, 9, 95, 2, 17, 107, 104, 110, 114, 115, 103, 105};
    return (size_t)which < sizeof(values) / sizeof(values[0]) ? values[which] : 22;
}

bool mprs_port_is_nonblocking_error(int errcode) {
    return errcode == 11;
}

void mprs_port_panic(void) {
    for (;;) {
    }
}

// Single-threaded bare metal with no interrupts touching mprs state: nothing to mask.
static volatile unsigned atomic_depth;

void mprs_port_atomic_begin(void) {
    atomic_depth++;
}

void mprs_port_atomic_end(void) {
    atomic_depth--;
}

#if defined(MPRS_DUPTERM)
// One dupterm slot holding the memory stream above, when attached.
static mem_stream_t *dupterm_slot0;

bool mprs_port_dupterm_stream(size_t slot, mprs_obj_t *stream) {
    *stream = (mprs_obj_t)(uintptr_t)(slot == 0 ? dupterm_slot0 : NULL);
    return slot == 0 && dupterm_slot0 != NULL;
}

bool mprs_port_dupterm_builtin(mprs_obj_t stream) {
    (void)stream;
    return true;
}

int mprs_port_dupterm_read(mprs_call_t *call, mprs_obj_t stream, uint8_t *out) {
    (void)call;
    mem_stream_t *s = (mem_stream_t *)(uintptr_t)stream;
    if (s->pos >= s->len) {
        return MPRS_DUPTERM_EOF;
    }
    *out = s->data[s->pos++];
    return 1;
}

ptrdiff_t mprs_port_dupterm_write(mprs_call_t *call, mprs_obj_t stream, const uint8_t *buf, size_t len) {
    (void)call;
    (void)stream;
    (void)buf;
    return (ptrdiff_t)len;
}

mprs_uint_t mprs_port_dupterm_poll(mprs_obj_t stream, mprs_uint_t flags) {
    (void)stream;
    return flags;
}

bool mprs_port_dupterm_detach(mprs_obj_t stream) {
    if (dupterm_slot0 == NULL || (mprs_obj_t)(uintptr_t)dupterm_slot0 != stream) {
        return false;
    }
    dupterm_slot0 = NULL;
    return true;
}

void mprs_port_dupterm_report(mprs_call_t *call, mprs_dupterm_why why, const char *msg) {
    (void)call;
    (void)why;
    (void)msg;
}

void mprs_port_dupterm_close(mprs_obj_t stream) {
    (void)stream;
}

int mprs_port_dupterm_interrupt_char(void) {
    return 3;
}

void mprs_port_dupterm_schedule_interrupt(void) {
}
#endif

#if defined(MPRS_VIRTPIN)
// Pins: objects start with a pointer to their protocol, as in tests/c/host_pin.c; one
// operation driven as c-glue/virtpin.c drives it. -1 on failure.
static int bare_pin_op(mprs_obj_t pin, mprs_pin_op op) {
    const mprs_pin_p_t *proto = *(const mprs_pin_p_t *const *)(uintptr_t)pin;
    mprs_pin_call_t c;
    mprs_pin_start(&c, op);
    bool more;
    do {
        int errcode = 0;
        more = mprs_pin_step(&c, proto->ioctl(pin, c.request, c.arg, &errcode), errcode);
    } while (more);
    return c.error != 0 ? -1 : c.value;
}
#endif

#if defined(MPRS_WEBREPL)
// WebREPL services: the socket is the memory stream; no file can be opened.
ptrdiff_t mprs_port_webrepl_call(mprs_webrepl_t *repl, mprs_webrepl_op op, uint8_t *data, size_t len, const uint8_t *to, size_t to_len) {
    (void)repl;
    (void)data;
    (void)len;
    (void)to;
    (void)to_len;
    return op == MPRS_WEBREPL_OP_SEND_TEXT || op == MPRS_WEBREPL_OP_SEND_BINARY ? 0 : -1;
}

uint8_t *mprs_port_webrepl_chunk(mprs_webrepl_t *repl, size_t *len) {
    (void)repl;
    *len = 0;
    return NULL;
}

const uint8_t *mprs_port_webrepl_password(size_t *len) {
    *len = 0;
    return (const uint8_t *)"";
}

void mprs_port_webrepl_version(uint8_t *out) {
    out[0] = 1;
    out[1] = 27;
    out[2] = 0;
}
#endif

#if defined(MPRS_LWIP)
// lwIP's pbufs, as far as the shim's services see them: a chain of payloads. This
// firmware's pbufs are static, so freeing one only unlinks it.
struct bare_pbuf {
    struct bare_pbuf *next;
    const uint8_t *payload;
    size_t len;
};

void *mprs_port_lwip_pbuf_cat(void *head, void *p) {
    struct bare_pbuf *last = head;
    if (last == NULL) {
        return p;
    }
    while (last->next != NULL) {
        last = last->next;
    }
    last->next = p;
    return head;
}

size_t mprs_port_lwip_pbuf_take(void *head, size_t offset, uint8_t *buf, size_t len,
    void **new_head, size_t *new_offset) {
    struct bare_pbuf *p = head;
    size_t done = 0;
    while (p != NULL && (done < len || offset >= p->len)) {
        size_t n = offset < p->len ? p->len - offset : 0;
        n = n > len - done ? len - done : n;
        memcpy(buf + done, p->payload + offset, n);
        done += n;
        offset += n;
        if (offset >= p->len) {
            p = p->next;
            offset = 0;
        }
    }
    *new_head = p;
    *new_offset = offset;
    return done;
}

size_t mprs_port_lwip_pbuf_copy(void *head, size_t offset, uint8_t *buf, size_t len) {
    size_t done = 0;
    for (struct bare_pbuf *p = head; p != NULL && done < len; p = p->next) {
        if (offset >= p->len) {
            offset -= p->len;
            continue;
        }
        size_t n = p->len - offset;
        n = n > len - done ? len - done : n;
        memcpy(buf + done, p->payload + offset, n);
        done += n;
        offset = 0;
    }
    return done;
}

void mprs_port_lwip_pbuf_free(void *head) {
    (void)head;
}

// No VM to run a user callback: a scheduled event is counted.
static unsigned lwip_scheduled;

bool mprs_port_lwip_schedule(void *owner) {
    (void)owner;
    lwip_scheduled++;
    return true;
}
#endif

int main(void) {
    static const uint8_t data[] = "firmware";
    mem_stream_t s = {data, sizeof(data), 0};
    uint8_t buf[sizeof(data)];
    mprs_call_t call = {0};
    int ok = 1;
    (void)buf;
    (void)call;
    #if defined(MPRS_STREAM)
    int err;
    mprs_uint_t n = mprs_stream_rw(&call, (mprs_obj_t)(uintptr_t)&s, buf, sizeof(buf), &err, 0);
    ok = ok && n == sizeof(data) && err == 0 && memcmp(buf, data, n) == 0;
    #endif
    #if defined(MPRS_VIRTPIN)
    mprs_latch_pin_obj_t latch;
    mprs_pin_latch_init(&latch, (const void *)mprs_pin_latch_protocol());
    ok = ok && bare_pin_op((mprs_obj_t)(uintptr_t)&latch, MPRS_PIN_OP_HIGH) == 0
        && bare_pin_op((mprs_obj_t)(uintptr_t)&latch, MPRS_PIN_OP_READ) == 1;
    #endif
    #if defined(MPRS_WEBREPL)
    static uint64_t session[(MPRS_WEBREPL_SESSION_SIZE + 7) / 8];
    uint8_t c;
    int wr_err = 0;
    mprs_webrepl_init(NULL, session);
    // The memory stream is at its end, or holds no password line: EOF.
    ok = ok && mprs_webrepl_read(&call, NULL, (mprs_obj_t)(uintptr_t)&s, session, &c, 1, &wr_err) == 0;
    #endif
    #if defined(MPRS_WEBSOCKET)
    // A websocket over the memory stream: "firmware" is not a valid frame (RSV bits set),
    // so the read fails with EIO after trying to send a close frame.
    static uint64_t ws[(MPRS_WEBSOCKET_SIZE + 7) / 8];
    mprs_websocket_init(ws);
    s.pos = 0;
    int ws_err = 0;
    ok = ok && mprs_websocket_read(&call, (mprs_obj_t)(uintptr_t)&s, ws, buf, sizeof(buf), &ws_err) == (mprs_uint_t)-1;
    #endif
    #if defined(MPRS_DUPTERM)
    dupterm_slot0 = &s;
    s.pos = 0;
    ok = ok && mprs_dupterm_rx_chr(&call, 1) == 'f';
    #endif
    #if defined(MPRS_LWIP)
    // A connected socket receives one pbuf and reads it back.
    static mprs_lwip_socket_t sock;
    static struct bare_pbuf p = {NULL, data, sizeof(data)};
    void *pcb = NULL;
    ok = ok && mprs_lwip_init(&sock, NULL) == 0 && mprs_lwip_attach(&sock, &s) == 0
        && mprs_lwip_on_recv(&sock, &s, &p, p.len) == 0
        && mprs_lwip_read(&sock, buf, sizeof(buf), &pcb) == (ptrdiff_t)sizeof(data) && pcb == &s;
    #endif
    return ok ? 0 : 1;
}
