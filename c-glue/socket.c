// The `socket` module on lwIP's raw API, in place of extmod/modlwip.c: the Python type,
// argument parsing, and the lwIP calls that need lwIP's struct layouts. What to do next
// (connect's and send's steps, timeouts, errno, the UDP/raw receive ring) is decided in
// Rust (src/socket.rs); TCP's accept queue, receive buffering and user callbacks are the
// shims' (c-glue/lwip.c, src/lwip/). Every lwIP call is made inside the lwIP lock
// (MPRS_LWIP_ENTER/EXIT), and no Rust frame is live when this file raises: Rust only
// answers, and the glue raises after.
//
// Compiled where MPRS_SUBSYSTEMS has socket (with lwip); it removes extmod/modlwip.c.

#include "py/mpconfig.h"

#if MICROPY_PY_LWIP

#include <string.h>
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "extmod/modnetwork.h"
#include "lwip/init.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/raw.h"
#include "lwip/dns.h"
#include "lwip/igmp.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcp_priv.h"
#include "mprs.h"
#include "mprs_lwip.h"

#ifndef MICROPY_PY_LWIP_POLL_HOOK
#define MICROPY_PY_LWIP_POLL_HOOK
#endif

// Rust answers poll() in py/stream.h's flags (src/socket.rs, mod poll).
_Static_assert(MP_STREAM_POLL_RD == 0x1 && MP_STREAM_POLL_WR == 0x4 && MP_STREAM_POLL_ERR == 0x8
    && MP_STREAM_POLL_HUP == 0x10, "mprs: py/stream.h's poll flags are not src/socket.rs's");

// The option number of the user callback (setsockopt(SOL_SOCKET, 20, cb)), as modlwip.c.
#define MPRS_SO_CALLBACK (20)
#define MPRS_SOCK_NONE (0)
#define MPRS_TCP_CONNECTED (2)
#define MPRS_TCP_LISTENING (3)
#define MPRS_TCP_CLOSED (5)
#define MPRS_MSG_PEEK (0x01)
#define MPRS_MSG_DONTWAIT (0x02)
// Option numbers as modlwip.c gives them.
#define MPRS_IP_ADD_MEMBERSHIP (0x400)
#define MPRS_IP_DROP_MEMBERSHIP (0x401)
#define MPRS_TCP_NODELAY (TF_NODELAY)

typedef struct _mprs_socket_obj_t {
    mp_obj_base_t base;
    // TCP: the shims' state; it owns the pcb once listening or connected.
    mprs_lwip_socket_t shim;
    mprs_socket_state_t st;
    // The pcb before the shims have it (TCP: new, bound, connecting), and UDP's or raw's.
    union {
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
        struct raw_pcb *raw;
    } pcb;
    mp_obj_t callback;
    int32_t timeout; // ms; -1 blocks for ever, 0 never blocks
    uint8_t kind; // 1 TCP, 2 UDP, 3 raw (MOD_NETWORK_SOCK_*)
    bool closed;
    // UDP and raw: the datagrams the ring (in st) counts.
    struct pbuf *rx[MPRS_SOCKET_RING_LEN];
    ip_addr_t rx_addr[MPRS_SOCKET_RING_LEN];
    u16_t rx_port[MPRS_SOCKET_RING_LEN];
} mprs_socket_obj_t;

static const mp_obj_type_t mprs_socket_type;

static inline void mprs_socket_poll(void) {
    MICROPY_PY_LWIP_POLL_HOOK
    mp_event_wait_ms(1);
}

static MP_NORETURN void mprs_socket_raise(int errcode) {
    mp_raise_OSError(errcode);
}

// Raises the errno of an lwIP error (never 0).
static void mprs_socket_check(err_t err) {
    int errcode = mprs_socket_errno(err);
    if (errcode != 0) {
        mprs_socket_raise(errcode);
    }
}

static bool mprs_socket_expired(mprs_socket_obj_t *self, uint32_t start) {
    return mprs_socket_timed_out(start, (uint32_t)mp_hal_ticks_ms(), self->timeout);
}

static mprs_socket_obj_t *mprs_socket_open(mp_obj_t self_in) {
    mprs_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->closed) {
        mprs_socket_raise(MP_EBADF);
    }
    return self;
}

// One round of a blocking call's wait: false with *errcode when the call must give up
// (EAGAIN when non-blocking, ETIMEDOUT once the timeout has passed: Rust's answer), else
// lwIP is polled once.
static bool mprs_socket_wait(mprs_socket_obj_t *self, bool nonblocking, uint32_t start, int *errcode) {
    mprs_socket_step_t step = mprs_socket_wait_step(nonblocking, mprs_socket_expired(self, start));
    if (step.action == MPRS_SOCKET_ACTION_FAIL) {
        *errcode = step.errcode;
        return false;
    }
    mprs_socket_poll();
    return true;
}

/******************************************************************************/
// Addresses.

// An (host, port) tuple; the host numeric, empty (any) or, with LWIP_DNS, a name.
static mp_uint_t mprs_socket_parse_addr(mp_obj_t addr_in, ip_addr_t *ip);

static mp_obj_t mprs_socket_format_addr(const ip_addr_t *ip, u16_t port) {
    char buf[IPADDR_STRLEN_MAX];
    ipaddr_ntoa_r(ip, buf, sizeof(buf));
    mp_obj_t tuple[2] = {
        mp_obj_new_str(buf, strlen(buf)),
        MP_OBJ_NEW_SMALL_INT(port),
    };
    return mp_obj_new_tuple(2, tuple);
}

#if LWIP_DNS
typedef struct _mprs_dns_t {
    volatile int status; // 0 waiting, 1 found, <0 lwIP error
    ip_addr_t ip;
} mprs_dns_t;

static void mprs_socket_dns_found(const char *name, const ip_addr_t *ip, void *arg) {
    (void)name;
    mprs_dns_t *state = arg;
    if (ip != NULL) {
        state->ip = *ip;
        state->status = 1;
    } else {
        state->status = ERR_VAL;
    }
}
#endif

// Resolves `host` into `ip`; raises OSError(<negative lwIP error>) as modlwip.c when a name
// cannot be found.
static void mprs_socket_resolve(const char *host, int family, ip_addr_t *ip) {
    if (host[0] == '\0') {
        ip_addr_set_any(false, ip);
        return;
    }
    if (ipaddr_aton(host, ip)) {
        return;
    }
    #if LWIP_DNS
    mprs_dns_t state = { .status = 0 };
    u8_t addrtype = family == MOD_NETWORK_AF_INET ? LWIP_DNS_ADDRTYPE_IPV4
        : family == MOD_NETWORK_AF_INET6 ? LWIP_DNS_ADDRTYPE_IPV6 : LWIP_DNS_ADDRTYPE_DEFAULT;
    (void)addrtype;
    MPRS_LWIP_ENTER
    err_t ret = dns_gethostbyname_addrtype(host, &state.ip, mprs_socket_dns_found, &state, addrtype);
    MPRS_LWIP_EXIT
    if (ret == ERR_OK) {
        state.status = 1;
    } else if (ret == ERR_INPROGRESS) {
        // lwIP's resolver times out on its own and then calls back with NULL.
        while (state.status == 0) {
            mprs_socket_poll();
        }
    } else {
        state.status = ret;
    }
    if (state.status < 0) {
        mp_raise_OSError(state.status);
    }
    *ip = state.ip;
    #else
    (void)family;
    mp_raise_ValueError(MP_ERROR_TEXT("invalid address"));
    #endif
}

static mp_uint_t mprs_socket_parse_addr(mp_obj_t addr_in, ip_addr_t *ip) {
    mp_obj_t *items;
    mp_obj_get_array_fixed_n(addr_in, 2, &items);
    mprs_socket_resolve(mp_obj_str_get_str(items[0]), 0, ip);
    mp_int_t port = mp_obj_get_int(items[1]);
    if (port < 0 || port > 0xffff) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid port"));
    }
    return (mp_uint_t)port;
}

/******************************************************************************/
// lwIP's callbacks (lwIP's context, the lock held).

// The user callback of a UDP or raw socket: scheduled for each datagram, as modlwip.c.
static void mprs_socket_dgram_notify(mprs_socket_obj_t *self) {
    if (self->callback != MP_OBJ_NULL) {
        mp_sched_schedule(self->callback, MP_OBJ_FROM_PTR(self));
    }
}

static void mprs_socket_dgram_keep(mprs_socket_obj_t *self, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
    int slot = mprs_socket_ring_push(&self->st);
    if (slot < 0) {
        // The ring is full: dropped, as a network may.
        pbuf_free(p);
        return;
    }
    self->rx[slot] = p;
    ip_addr_copy(self->rx_addr[slot], *addr);
    self->rx_port[slot] = port;
    mprs_socket_dgram_notify(self);
}

static void mprs_socket_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
    (void)pcb;
    mprs_socket_dgram_keep(arg, p, addr, port);
}

static u8_t mprs_socket_raw_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr) {
    (void)pcb;
    mprs_socket_dgram_keep(arg, p, addr, 0);
    return 1; // eaten
}

// connect()'s callbacks, until the shims own the pcb.
static void mprs_socket_connect_err(void *arg, err_t err);

// Points a TCP pcb that is still the socket's own (new, bound, connecting) at `self`, or
// (self NULL) takes the socket's callbacks off it.
static void mprs_socket_tcp_own(struct tcp_pcb *pcb, mprs_socket_obj_t *self) {
    tcp_arg(pcb, self);
    tcp_err(pcb, self != NULL ? mprs_socket_connect_err : NULL);
}

// Gives a pcb of ours back to lwIP: closed (aborted if that fails) or, with `abort`,
// aborted at once.
static void mprs_socket_tcp_drop(struct tcp_pcb *pcb, bool abort) {
    mprs_socket_tcp_own(pcb, NULL);
    if (abort || tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
    }
}

// A new TCP pcb for the socket (lwIP's lock held); false when lwIP has none.
static bool mprs_socket_tcp_new(mprs_socket_obj_t *self) {
    self->pcb.tcp = tcp_new();
    if (self->pcb.tcp == NULL) {
        return false;
    }
    mprs_socket_tcp_own(self->pcb.tcp, self);
    return true;
}

static err_t mprs_socket_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    mprs_socket_obj_t *self = arg;
    if (mprs_socket_on_connect(&self->st, err)) {
        self->pcb.tcp = NULL;
        if (mprs_lwip_tcp_attach_locked(&self->shim, pcb) != ERR_OK) {
            // Cannot happen for a new socket; never leave a pcb without an owner.
            mprs_socket_tcp_drop(pcb, true);
            return ERR_ABRT;
        }
    }
    return ERR_OK;
}

static void mprs_socket_connect_err(void *arg, err_t err) {
    mprs_socket_obj_t *self = arg;
    // lwIP has freed the pcb.
    self->pcb.tcp = NULL;
    mprs_socket_on_connect(&self->st, err != ERR_OK ? err : ERR_ABRT);
}

// The shims' user callback, in the VM (scheduled).
void mprs_lwip_port_run_callback(void *owner) {
    mprs_socket_obj_t *self = owner;
    if (mprs_lwip_callback_due(&self->shim) && self->callback != MP_OBJ_NULL) {
        mp_call_function_1(self->callback, MP_OBJ_FROM_PTR(self));
    }
}

/******************************************************************************/
// The socket type.

static void mprs_socket_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    mprs_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<socket state=%d timeout=%d>", (int)mprs_socket_tcp(&self->st), (int)self->timeout);
}

static mprs_socket_obj_t *mprs_socket_alloc(uint8_t kind) {
    mprs_socket_obj_t *self = mp_obj_malloc_with_finaliser(mprs_socket_obj_t, &mprs_socket_type);
    memset((char *)self + sizeof(mp_obj_base_t), 0, sizeof(*self) - sizeof(mp_obj_base_t));
    self->callback = MP_OBJ_NULL;
    self->timeout = -1;
    self->kind = kind;
    if (mprs_lwip_init(&self->shim, self) != ERR_OK) {
        mprs_socket_raise(MP_EINVAL);
    }
    return self;
}

static mp_obj_t mprs_socket_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    (void)type;
    mp_arg_check_num(n_args, n_kw, 0, 3, false);
    mp_int_t family = n_args > 0 ? mp_obj_get_int(args[0]) : MOD_NETWORK_AF_INET;
    mp_int_t ty = n_args > 1 ? mp_obj_get_int(args[1]) : MOD_NETWORK_SOCK_STREAM;
    mp_int_t proto = n_args > 2 ? mp_obj_get_int(args[2]) : 0;
    if (family != MOD_NETWORK_AF_INET && family != MOD_NETWORK_AF_INET6) {
        mprs_socket_raise(MP_EAFNOSUPPORT);
    }
    if (ty != MOD_NETWORK_SOCK_STREAM && ty != MOD_NETWORK_SOCK_DGRAM && ty != MOD_NETWORK_SOCK_RAW) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid socket type"));
    }
    if (proto < 0 || proto > 255) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid protocol"));
    }
    mprs_socket_obj_t *self = mprs_socket_alloc((uint8_t)ty);
    bool ok;
    MPRS_LWIP_ENTER
    switch (ty) {
        case MOD_NETWORK_SOCK_STREAM:
            ok = mprs_socket_tcp_new(self);
            break;
        case MOD_NETWORK_SOCK_DGRAM:
            self->pcb.udp = udp_new();
            ok = self->pcb.udp != NULL;
            if (ok) {
                udp_recv(self->pcb.udp, mprs_socket_udp_recv, self);
            }
            break;
        default:
            self->pcb.raw = raw_new((u8_t)proto);
            ok = self->pcb.raw != NULL;
            if (ok) {
                raw_recv(self->pcb.raw, mprs_socket_raw_recv, self);
            }
            break;
    }
    MPRS_LWIP_EXIT
    if (!ok) {
        self->closed = true;
        mprs_socket_raise(MP_ENOMEM);
    }
    return MP_OBJ_FROM_PTR(self);
}

// Frees everything the socket holds; safe to call twice.
static void mprs_socket_do_close(mprs_socket_obj_t *self) {
    if (self->closed) {
        return;
    }
    self->closed = true;
    if (self->kind == MOD_NETWORK_SOCK_STREAM) {
        // Listening or connected: the shims close their pcb (and abort queued connections).
        mprs_lwip_tcp_close(&self->shim);
    }
    MPRS_LWIP_ENTER
    mprs_socket_set_tcp(&self->st, MPRS_TCP_CLOSED);
    switch (self->kind) {
        case MOD_NETWORK_SOCK_STREAM:
            if (self->pcb.tcp != NULL) {
                // New, bound or connecting: still ours.
                struct tcp_pcb *pcb = self->pcb.tcp;
                self->pcb.tcp = NULL;
                mprs_socket_tcp_drop(pcb, false);
            }
            break;
        // udp_remove and raw_remove unlink and free the pcb: no callback can follow.
        case MOD_NETWORK_SOCK_DGRAM:
            if (self->pcb.udp != NULL) {
                udp_remove(self->pcb.udp);
                self->pcb.udp = NULL;
            }
            break;
        default:
            if (self->pcb.raw != NULL) {
                raw_remove(self->pcb.raw);
                self->pcb.raw = NULL;
            }
            break;
    }
    for (int slot; (slot = mprs_socket_ring_front(&self->st, true)) >= 0;) {
        if (self->rx[slot] != NULL) {
            pbuf_free(self->rx[slot]);
            self->rx[slot] = NULL;
        }
    }
    MPRS_LWIP_EXIT
    self->callback = MP_OBJ_NULL;
}

static mp_obj_t mprs_socket_bind(mp_obj_t self_in, mp_obj_t addr_in) {
    mprs_socket_obj_t *self = mprs_socket_open(self_in);
    ip_addr_t ip;
    mp_uint_t port = mprs_socket_parse_addr(addr_in, &ip);
    err_t err = ERR_VAL;
    MPRS_LWIP_ENTER
    switch (self->kind) {
        case MOD_NETWORK_SOCK_STREAM:
            if (self->pcb.tcp != NULL) {
                err = tcp_bind(self->pcb.tcp, &ip, (u16_t)port);
            }
            break;
        case MOD_NETWORK_SOCK_DGRAM:
            err = udp_bind(self->pcb.udp, &ip, (u16_t)port);
            break;
        default:
            err = raw_bind(self->pcb.raw, &ip);
            break;
    }
    MPRS_LWIP_EXIT
    mprs_socket_check(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(mprs_socket_bind_obj, mprs_socket_bind);

static mp_obj_t mprs_socket_listen(size_t n_args, const mp_obj_t *args) {
    mprs_socket_obj_t *self = mprs_socket_open(args[0]);
    mp_int_t backlog = n_args > 1 ? mp_obj_get_int(args[1]) : MPRS_LWIP_BACKLOG_MAX;
    if (self->kind != MOD_NETWORK_SOCK_STREAM) {
        mprs_socket_raise(MP_EOPNOTSUPP);
    }
    backlog = backlog < 1 ? 1 : backlog > MPRS_LWIP_BACKLOG_MAX ? MPRS_LWIP_BACKLOG_MAX : backlog;
    err_t err = ERR_OK;
    MPRS_LWIP_ENTER
    if (self->pcb.tcp == NULL || mprs_socket_tcp(&self->st) != 0) {
        err = ERR_VAL;
    } else {
        struct tcp_pcb *pcb = self->pcb.tcp;
        // lwIP frees the pcb it is given: its callbacks go first.
        mprs_socket_tcp_own(pcb, NULL);
        struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, (u8_t)backlog, &err);
        if (lpcb == NULL) {
            mprs_socket_tcp_own(pcb, self);
            err = err != ERR_OK ? err : ERR_MEM;
        } else {
            self->pcb.tcp = NULL;
            err = mprs_lwip_tcp_listen_locked(&self->shim, lpcb, (int)backlog);
            if (err == ERR_OK) {
                mprs_socket_set_tcp(&self->st, MPRS_TCP_LISTENING);
            } else {
                tcp_close(lpcb);
            }
        }
    }
    MPRS_LWIP_EXIT
    mprs_socket_check(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mprs_socket_listen_obj, 1, 2, mprs_socket_listen);

static mp_obj_t mprs_socket_accept(mp_obj_t self_in) {
    mprs_socket_obj_t *self = mprs_socket_open(self_in);
    if (self->kind != MOD_NETWORK_SOCK_STREAM) {
        mprs_socket_raise(MP_EOPNOTSUPP);
    }
    if (mprs_socket_tcp(&self->st) != MPRS_TCP_LISTENING) {
        mprs_socket_raise(MP_EINVAL);
    }
    mprs_socket_obj_t *conn = mprs_socket_alloc(MOD_NETWORK_SOCK_STREAM);
    uint32_t start = (uint32_t)mp_hal_ticks_ms();
    struct tcp_pcb *pcb = NULL;
    for (;;) {
        err_t err = mprs_lwip_tcp_accept(&self->shim, &conn->shim, &pcb);
        if (err == ERR_OK) {
            break;
        }
        if (err != ERR_WOULDBLOCK) {
            conn->closed = true;
            mprs_socket_check(err);
        }
        int errcode;
        if (!mprs_socket_wait(self, self->timeout == 0, start, &errcode)) {
            conn->closed = true;
            mprs_socket_raise(errcode);
        }
    }
    ip_addr_t ip;
    u16_t port;
    MPRS_LWIP_ENTER
    mprs_socket_set_tcp(&conn->st, MPRS_TCP_CONNECTED);
    ip_addr_copy(ip, pcb->remote_ip);
    port = pcb->remote_port;
    MPRS_LWIP_EXIT
    mp_obj_t tuple[2] = { MP_OBJ_FROM_PTR(conn), mprs_socket_format_addr(&ip, port) };
    return mp_obj_new_tuple(2, tuple);
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_socket_accept_obj, mprs_socket_accept);

static mp_obj_t mprs_socket_connect(mp_obj_t self_in, mp_obj_t addr_in) {
    mprs_socket_obj_t *self = mprs_socket_open(self_in);
    ip_addr_t ip;
    mp_uint_t port = mprs_socket_parse_addr(addr_in, &ip);
    if (self->kind == MOD_NETWORK_SOCK_DGRAM || self->kind == MOD_NETWORK_SOCK_RAW) {
        err_t err;
        MPRS_LWIP_ENTER
        if (self->kind == MOD_NETWORK_SOCK_DGRAM) {
            err = udp_connect(self->pcb.udp, &ip, (u16_t)port);
        } else {
            err = raw_connect(self->pcb.raw, &ip);
        }
        MPRS_LWIP_EXIT
        mprs_socket_check(err);
        return mp_const_none;
    }
    MPRS_LWIP_ENTER
    mprs_socket_step_t step = mprs_socket_connect_start(&self->st);
    if (step.action == MPRS_SOCKET_ACTION_GO) {
        // A pcb lost to an earlier failed connect: a fresh one.
        err_t err = self->pcb.tcp == NULL && !mprs_socket_tcp_new(self) ? ERR_MEM
            : tcp_connect(self->pcb.tcp, &ip, (u16_t)port, mprs_socket_connected);
        if (err != ERR_OK) {
            mprs_socket_on_connect(&self->st, err);
        }
    }
    MPRS_LWIP_EXIT
    if (step.action == MPRS_SOCKET_ACTION_FAIL) {
        mprs_socket_raise(step.errcode);
    }
    uint32_t start = (uint32_t)mp_hal_ticks_ms();
    for (;;) {
        MPRS_LWIP_ENTER
        step = mprs_socket_connect_step(&self->st, self->timeout == 0, mprs_socket_expired(self, start));
        if (step.action == MPRS_SOCKET_ACTION_FAIL && self->timeout != 0 && self->pcb.tcp != NULL) {
            // Given up (timeout or error): the half-open pcb goes, a later connect makes another.
            struct tcp_pcb *pcb = self->pcb.tcp;
            self->pcb.tcp = NULL;
            mprs_socket_tcp_drop(pcb, true);
        }
        MPRS_LWIP_EXIT
        if (step.action == MPRS_SOCKET_ACTION_GO) {
            return mp_const_none;
        }
        if (step.action == MPRS_SOCKET_ACTION_FAIL) {
            mprs_socket_raise(step.errcode);
        }
        mprs_socket_poll();
    }
}
static MP_DEFINE_CONST_FUN_OBJ_2(mprs_socket_connect_obj, mprs_socket_connect);

// Room in lwIP's send buffer of a connected socket (0 otherwise), and its pcb (the lock
// held).
static size_t mprs_socket_room(mprs_socket_obj_t *self, struct tcp_pcb **pcb_out) {
    struct tcp_pcb *pcb = mprs_lwip_pcb(&self->shim);
    *pcb_out = pcb;
    return pcb != NULL && pcb->state != LISTEN ? tcp_sndbuf(pcb) : 0;
}

// TCP send: what lwIP's send buffer takes now (waiting for room while blocking). Returns
// the count or MP_STREAM_ERROR with *errcode.
static mp_uint_t mprs_socket_tcp_send(mprs_socket_obj_t *self, const uint8_t *buf, size_t len, int *errcode) {
    bool nonblocking = self->timeout == 0;
    uint32_t start = (uint32_t)mp_hal_ticks_ms();
    for (;;) {
        MPRS_LWIP_ENTER
        struct tcp_pcb *pcb;
        size_t room = mprs_socket_room(self, &pcb);
        int conn_err = mprs_lwip_failed(&self->shim);
        if (conn_err == ERR_OK && pcb == NULL && mprs_socket_tcp(&self->st) == MPRS_TCP_CONNECTED) {
            conn_err = ERR_CLSD;
        }
        mprs_socket_step_t step = mprs_socket_send_step(&self->st, conn_err, len, room,
            nonblocking, mprs_socket_expired(self, start));
        if (step.action == MPRS_SOCKET_ACTION_GO && step.n > 0) {
            // step.n is at most 65535, what one tcp_write takes.
            err_t err = tcp_write(pcb, buf, step.n, TCP_WRITE_FLAG_COPY);
            if (err == ERR_OK) {
                tcp_output(pcb);
            } else if (err == ERR_MEM) {
                // The send queue is full (too many segments): as no room.
                tcp_output(pcb);
                step = mprs_socket_send_step(&self->st, ERR_OK, len, 0, nonblocking, mprs_socket_expired(self, start));
            } else {
                step.action = MPRS_SOCKET_ACTION_FAIL;
                step.errcode = (uint8_t)mprs_socket_errno(err);
            }
        }
        MPRS_LWIP_EXIT
        if (step.action == MPRS_SOCKET_ACTION_GO) {
            return step.n;
        }
        if (step.action == MPRS_SOCKET_ACTION_FAIL) {
            *errcode = step.errcode;
            return MP_STREAM_ERROR;
        }
        mprs_socket_poll();
    }
}

// TCP receive (or peek). Returns the count (0 at end of file) or MP_STREAM_ERROR.
static mp_uint_t mprs_socket_tcp_recv(mprs_socket_obj_t *self, uint8_t *buf, size_t len, int flags, int *errcode) {
    bool nonblocking = self->timeout == 0 || (flags & MPRS_MSG_DONTWAIT);
    uint32_t start = (uint32_t)mp_hal_ticks_ms();
    if (mprs_socket_tcp(&self->st) == MPRS_TCP_LISTENING) {
        *errcode = MP_ENOTCONN;
        return MP_STREAM_ERROR;
    }
    for (;;) {
        err_t err;
        ptrdiff_t n = (flags & MPRS_MSG_PEEK)
            ? mprs_lwip_tcp_peek(&self->shim, buf, len, &err)
            : mprs_lwip_tcp_recv(&self->shim, buf, len, &err);
        if (n >= 0) {
            return (mp_uint_t)n;
        }
        if (err != ERR_WOULDBLOCK) {
            *errcode = mprs_socket_errno(err);
            return MP_STREAM_ERROR;
        }
        if (len == 0) {
            return 0;
        }
        if (!mprs_socket_wait(self, nonblocking, start, errcode)) {
            return MP_STREAM_ERROR;
        }
    }
}

// UDP and raw send: one datagram, to `ip`/`port` or (ip NULL) the connected peer.
static mp_uint_t mprs_socket_dgram_send(mprs_socket_obj_t *self, const uint8_t *buf, size_t len, const ip_addr_t *ip, mp_uint_t port, int *errcode) {
    if (len > 0xffff) {
        *errcode = MP_EINVAL;
        return MP_STREAM_ERROR;
    }
    err_t err;
    MPRS_LWIP_ENTER
    struct pbuf *p = pbuf_alloc(self->kind == MOD_NETWORK_SOCK_DGRAM ? PBUF_TRANSPORT : PBUF_IP, (u16_t)len, PBUF_RAM);
    if (p == NULL) {
        err = ERR_MEM;
    } else {
        memcpy(p->payload, buf, len);
        if (self->kind == MOD_NETWORK_SOCK_DGRAM) {
            err = ip == NULL ? udp_send(self->pcb.udp, p) : udp_sendto(self->pcb.udp, p, ip, (u16_t)port);
        } else {
            err = ip == NULL ? raw_send(self->pcb.raw, p) : raw_sendto(self->pcb.raw, p, ip);
        }
        pbuf_free(p);
    }
    MPRS_LWIP_EXIT
    if (err != ERR_OK) {
        *errcode = mprs_socket_errno(err);
        return MP_STREAM_ERROR;
    }
    return len;
}

// UDP and raw receive: the oldest datagram (cut to `len`), its source in ip/port.
static mp_uint_t mprs_socket_dgram_recv(mprs_socket_obj_t *self, uint8_t *buf, size_t len, int flags, ip_addr_t *ip, u16_t *port, int *errcode) {
    bool nonblocking = self->timeout == 0 || (flags & MPRS_MSG_DONTWAIT);
    bool peek = flags & MPRS_MSG_PEEK;
    uint32_t start = (uint32_t)mp_hal_ticks_ms();
    for (;;) {
        mp_uint_t n = 0;
        MPRS_LWIP_ENTER
        int slot = mprs_socket_ring_front(&self->st, !peek);
        if (slot >= 0) {
            struct pbuf *p = self->rx[slot];
            n = pbuf_copy_partial(p, buf, len > p->tot_len ? p->tot_len : (u16_t)len, 0);
            ip_addr_copy(*ip, self->rx_addr[slot]);
            *port = self->rx_port[slot];
            if (!peek) {
                self->rx[slot] = NULL;
                pbuf_free(p);
            }
        }
        MPRS_LWIP_EXIT
        if (slot >= 0) {
            return n;
        }
        if (!mprs_socket_wait(self, nonblocking, start, errcode)) {
            return MP_STREAM_ERROR;
        }
    }
}

// send, sendto and write: TCP (where, as in modlwip.c, sendto's address is ignored), or one
// datagram to `ip` (NULL: the connected peer).
static mp_uint_t mprs_socket_send_any(mprs_socket_obj_t *self, const void *buf, size_t len, const ip_addr_t *ip, mp_uint_t port, int *errcode) {
    if (self->kind == MOD_NETWORK_SOCK_STREAM) {
        return mprs_socket_tcp_send(self, buf, len, errcode);
    }
    return mprs_socket_dgram_send(self, buf, len, ip, port, errcode);
}

// send(buf) and sendto(buf, addr) (addr_in MP_OBJ_NULL for send).
static mp_obj_t mprs_socket_send_common(mp_obj_t self_in, mp_obj_t buf_in, mp_obj_t addr_in) {
    mprs_socket_obj_t *self = mprs_socket_open(self_in);
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_READ);
    ip_addr_t ip;
    mp_uint_t port = 0;
    if (addr_in != MP_OBJ_NULL) {
        port = mprs_socket_parse_addr(addr_in, &ip);
    }
    int errcode = 0;
    mp_uint_t n = mprs_socket_send_any(self, bufinfo.buf, bufinfo.len, addr_in != MP_OBJ_NULL ? &ip : NULL, port, &errcode);
    if (n == MP_STREAM_ERROR) {
        mprs_socket_raise(errcode);
    }
    return mp_obj_new_int_from_uint(n);
}

static mp_obj_t mprs_socket_send(mp_obj_t self_in, mp_obj_t buf_in) {
    return mprs_socket_send_common(self_in, buf_in, MP_OBJ_NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_2(mprs_socket_send_obj, mprs_socket_send);

static mp_obj_t mprs_socket_sendto(mp_obj_t self_in, mp_obj_t buf_in, mp_obj_t addr_in) {
    return mprs_socket_send_common(self_in, buf_in, addr_in);
}
static MP_DEFINE_CONST_FUN_OBJ_3(mprs_socket_sendto_obj, mprs_socket_sendto);

static mp_obj_t mprs_socket_sendall(mp_obj_t self_in, mp_obj_t buf_in) {
    mprs_socket_obj_t *self = mprs_socket_open(self_in);
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_READ);
    if (self->kind != MOD_NETWORK_SOCK_STREAM) {
        mprs_socket_raise(MP_EOPNOTSUPP);
    }
    if (self->timeout == 0) {
        // Non-blocking: all or nothing (as modlwip.c), as sendall cannot say how much went.
        struct tcp_pcb *pcb;
        MPRS_LWIP_ENTER
        size_t room = mprs_socket_room(self, &pcb);
        MPRS_LWIP_EXIT
        if (bufinfo.len > room) {
            mprs_socket_raise(MP_EAGAIN);
        }
    }
    const uint8_t *buf = bufinfo.buf;
    for (size_t done = 0; done < bufinfo.len;) {
        int errcode = 0;
        mp_uint_t n = mprs_socket_tcp_send(self, buf + done, bufinfo.len - done, &errcode);
        if (n == MP_STREAM_ERROR) {
            mprs_socket_raise(errcode);
        }
        done += n;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(mprs_socket_sendall_obj, mprs_socket_sendall);

// recv, recvfrom and read: TCP, or the oldest datagram with its source in ip/port.
static mp_uint_t mprs_socket_recv_any(mprs_socket_obj_t *self, uint8_t *buf, size_t len, int flags, ip_addr_t *ip, u16_t *port, int *errcode) {
    if (self->kind == MOD_NETWORK_SOCK_STREAM) {
        return mprs_socket_tcp_recv(self, buf, len, flags, errcode);
    }
    return mprs_socket_dgram_recv(self, buf, len, flags, ip, port, errcode);
}

static mp_obj_t mprs_socket_recv_common(size_t n_args, const mp_obj_t *args, bool from) {
    mprs_socket_obj_t *self = mprs_socket_open(args[0]);
    mp_int_t len = mp_obj_get_int(args[1]);
    mp_int_t flags = n_args > 2 ? mp_obj_get_int(args[2]) : 0;
    if (len < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("negative length"));
    }
    vstr_t vstr;
    vstr_init_len(&vstr, len);
    int errcode = 0;
    ip_addr_t ip;
    u16_t port = 0;
    ip_addr_set_zero(&ip);
    mp_uint_t n = mprs_socket_recv_any(self, (uint8_t *)vstr.buf, len, (int)flags, &ip, &port, &errcode);
    if (n == MP_STREAM_ERROR) {
        vstr_clear(&vstr);
        mprs_socket_raise(errcode);
    }
    vstr.len = n;
    mp_obj_t data = mp_obj_new_bytes_from_vstr(&vstr);
    if (!from) {
        return data;
    }
    if (self->kind == MOD_NETWORK_SOCK_STREAM) {
        // The peer's address.
        MPRS_LWIP_ENTER
        struct tcp_pcb *pcb = mprs_lwip_pcb(&self->shim);
        if (pcb != NULL) {
            ip_addr_copy(ip, pcb->remote_ip);
            port = pcb->remote_port;
        }
        MPRS_LWIP_EXIT
    }
    mp_obj_t tuple[2] = { data, mprs_socket_format_addr(&ip, port) };
    return mp_obj_new_tuple(2, tuple);
}

static mp_obj_t mprs_socket_recv(size_t n_args, const mp_obj_t *args) {
    return mprs_socket_recv_common(n_args, args, false);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mprs_socket_recv_obj, 2, 3, mprs_socket_recv);

static mp_obj_t mprs_socket_recvfrom(size_t n_args, const mp_obj_t *args) {
    return mprs_socket_recv_common(n_args, args, true);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mprs_socket_recvfrom_obj, 2, 3, mprs_socket_recvfrom);

static mp_obj_t mprs_socket_settimeout(mp_obj_t self_in, mp_obj_t timeout_in) {
    mprs_socket_obj_t *self = mprs_socket_open(self_in);
    mp_int_t timeout;
    if (timeout_in == mp_const_none) {
        timeout = -1;
    } else {
        #if MICROPY_PY_BUILTINS_FLOAT
        mp_float_t secs = mp_obj_get_float(timeout_in);
        if (secs < 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("timeout must be >= 0"));
        }
        timeout = secs * 1000 > 0x7fffffff ? 0x7fffffff : (mp_int_t)(secs * 1000);
        #else
        timeout = mp_obj_get_int(timeout_in);
        if (timeout < 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("timeout must be >= 0"));
        }
        timeout = timeout > 0x7fffffff / 1000 ? 0x7fffffff : timeout * 1000;
        #endif
    }
    self->timeout = (int32_t)timeout;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(mprs_socket_settimeout_obj, mprs_socket_settimeout);

static mp_obj_t mprs_socket_setblocking(mp_obj_t self_in, mp_obj_t flag) {
    mprs_socket_obj_t *self = mprs_socket_open(self_in);
    self->timeout = mp_obj_is_true(flag) ? -1 : 0;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(mprs_socket_setblocking_obj, mprs_socket_setblocking);

// The ip_pcb fields (so_options, ...) of whichever pcb the socket has.
static struct ip_pcb *mprs_socket_ip_pcb(mprs_socket_obj_t *self) {
    switch (self->kind) {
        case MOD_NETWORK_SOCK_STREAM: {
            struct tcp_pcb *pcb = self->pcb.tcp != NULL ? self->pcb.tcp : mprs_lwip_pcb(&self->shim);
            return (struct ip_pcb *)pcb;
        }
        case MOD_NETWORK_SOCK_DGRAM:
            return (struct ip_pcb *)self->pcb.udp;
        default:
            return (struct ip_pcb *)self->pcb.raw;
    }
}

static mp_obj_t mprs_socket_setsockopt(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    mprs_socket_obj_t *self = mprs_socket_open(args[0]);
    mp_int_t level = mp_obj_get_int(args[1]);
    mp_int_t opt = mp_obj_get_int(args[2]);
    if (level == 1 && opt == MPRS_SO_CALLBACK) {
        mp_obj_t cb = args[3];
        if (cb != mp_const_none && !mp_obj_is_callable(cb)) {
            mp_raise_TypeError(MP_ERROR_TEXT("callback must be callable or None"));
        }
        MPRS_LWIP_ENTER
        self->callback = cb == mp_const_none ? MP_OBJ_NULL : cb;
        if (self->kind == MOD_NETWORK_SOCK_STREAM) {
            mprs_lwip_set_callback(&self->shim, cb != mp_const_none);
        }
        MPRS_LWIP_EXIT
        return mp_const_none;
    }
    err_t err = ERR_OK;
    bool nodelay = level == IP_PROTO_TCP && opt == MPRS_TCP_NODELAY;
    if (nodelay || (level == 1 && (opt == SOF_REUSEADDR || opt == SOF_BROADCAST))) {
        bool on = mp_obj_get_int(args[3]) != 0;
        if (nodelay && self->kind != MOD_NETWORK_SOCK_STREAM) {
            mprs_socket_raise(MP_EOPNOTSUPP);
        }
        MPRS_LWIP_ENTER
        struct ip_pcb *pcb = mprs_socket_ip_pcb(self);
        if (pcb == NULL) {
            err = ERR_CONN;
        } else if (nodelay) {
            struct tcp_pcb *tcp = (struct tcp_pcb *)pcb;
            if (on) {
                tcp_nagle_disable(tcp);
            } else {
                tcp_nagle_enable(tcp);
            }
        } else if (on) {
            ip_set_option(pcb, opt);
        } else {
            ip_reset_option(pcb, opt);
        }
        MPRS_LWIP_EXIT
    #if LWIP_IGMP
    } else if (level == 0 && (opt == MPRS_IP_ADD_MEMBERSHIP || opt == MPRS_IP_DROP_MEMBERSHIP)) {
        mp_buffer_info_t bufinfo;
        mp_get_buffer_raise(args[3], &bufinfo, MP_BUFFER_READ);
        if (bufinfo.len != sizeof(ip4_addr_t) * 2) {
            mp_raise_ValueError(MP_ERROR_TEXT("membership needs 8 bytes"));
        }
        ip4_addr_t group, iface;
        memcpy(&group, bufinfo.buf, sizeof(group));
        memcpy(&iface, (const uint8_t *)bufinfo.buf + sizeof(group), sizeof(iface));
        MPRS_LWIP_ENTER
        err = opt == MPRS_IP_ADD_MEMBERSHIP ? igmp_joingroup(&iface, &group) : igmp_leavegroup(&iface, &group);
        MPRS_LWIP_EXIT
    #endif
    } else {
        mprs_socket_raise(MP_EOPNOTSUPP);
    }
    mprs_socket_check(err);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mprs_socket_setsockopt_obj, 4, 4, mprs_socket_setsockopt);

static mp_obj_t mprs_socket_makefile(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    return args[0];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mprs_socket_makefile_obj, 1, 3, mprs_socket_makefile);

/******************************************************************************/
// The stream protocol (read, readinto, readline, write, poll, close).

static mp_uint_t mprs_socket_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mprs_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->closed) {
        *errcode = MP_EBADF;
        return MP_STREAM_ERROR;
    }
    ip_addr_t ip;
    u16_t port;
    return mprs_socket_recv_any(self, buf, size, 0, &ip, &port, errcode);
}

static mp_uint_t mprs_socket_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    mprs_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->closed) {
        *errcode = MP_EBADF;
        return MP_STREAM_ERROR;
    }
    return mprs_socket_send_any(self, buf, size, NULL, 0, errcode);
}

// poll(): Rust says what is ready from the socket's state; the glue reads lwIP's send buffer.
static mp_uint_t mprs_socket_poll_flags(mprs_socket_obj_t *self, mp_uint_t flags) {
    if (self->closed) {
        return MP_STREAM_POLL_NVAL;
    }
    bool tcp = self->kind == MOD_NETWORK_SOCK_STREAM;
    MPRS_LWIP_ENTER
    struct tcp_pcb *pcb;
    bool room = tcp && mprs_socket_room(self, &pcb) > 0;
    mp_uint_t ret = mprs_socket_poll_events(&self->st, tcp ? &self->shim : NULL, (size_t)flags, room);
    MPRS_LWIP_EXIT
    return ret;
}

static mp_uint_t mprs_socket_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mprs_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (request) {
        case MP_STREAM_POLL:
            return mprs_socket_poll_flags(self, arg);
        case MP_STREAM_CLOSE:
            mprs_socket_do_close(self);
            return 0;
        default:
            *errcode = MP_EINVAL;
            return MP_STREAM_ERROR;
    }
}

static const mp_rom_map_elem_t mprs_socket_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_bind), MP_ROM_PTR(&mprs_socket_bind_obj) },
    { MP_ROM_QSTR(MP_QSTR_listen), MP_ROM_PTR(&mprs_socket_listen_obj) },
    { MP_ROM_QSTR(MP_QSTR_accept), MP_ROM_PTR(&mprs_socket_accept_obj) },
    { MP_ROM_QSTR(MP_QSTR_connect), MP_ROM_PTR(&mprs_socket_connect_obj) },
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&mprs_socket_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_recv), MP_ROM_PTR(&mprs_socket_recv_obj) },
    { MP_ROM_QSTR(MP_QSTR_sendto), MP_ROM_PTR(&mprs_socket_sendto_obj) },
    { MP_ROM_QSTR(MP_QSTR_recvfrom), MP_ROM_PTR(&mprs_socket_recvfrom_obj) },
    { MP_ROM_QSTR(MP_QSTR_sendall), MP_ROM_PTR(&mprs_socket_sendall_obj) },
    { MP_ROM_QSTR(MP_QSTR_settimeout), MP_ROM_PTR(&mprs_socket_settimeout_obj) },
    { MP_ROM_QSTR(MP_QSTR_setblocking), MP_ROM_PTR(&mprs_socket_setblocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_setsockopt), MP_ROM_PTR(&mprs_socket_setsockopt_obj) },
    { MP_ROM_QSTR(MP_QSTR_makefile), MP_ROM_PTR(&mprs_socket_makefile_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
};
static MP_DEFINE_CONST_DICT(mprs_socket_locals_dict, mprs_socket_locals_dict_table);

static const mp_stream_p_t mprs_socket_stream_p = {
    .read = mprs_socket_read,
    .write = mprs_socket_write,
    .ioctl = mprs_socket_ioctl,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    mprs_socket_type,
    MP_QSTR_socket,
    MP_TYPE_FLAG_NONE,
    make_new, mprs_socket_make_new,
    print, mprs_socket_print,
    protocol, &mprs_socket_stream_p,
    locals_dict, &mprs_socket_locals_dict
    );

/******************************************************************************/
// The module.

static mp_obj_t mprs_lwip_reset(void) {
    MPRS_LWIP_ENTER
    lwip_init();
    MPRS_LWIP_EXIT
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_lwip_reset_obj, mprs_lwip_reset);

static mp_obj_t mprs_lwip_callback(void) {
    MPRS_LWIP_ENTER
    sys_check_timeouts();
    MPRS_LWIP_EXIT
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_lwip_callback_obj, mprs_lwip_callback);

static mp_obj_t mprs_lwip_print_pcbs(void) {
    MPRS_LWIP_ENTER
    tcp_debug_print_pcbs();
    MPRS_LWIP_EXIT
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_lwip_print_pcbs_obj, mprs_lwip_print_pcbs);

// getaddrinfo(host, port, af=0, type=0, proto=0, flags=0): one IPv4 (or IPv6) entry.
static mp_obj_t mprs_lwip_getaddrinfo(size_t n_args, const mp_obj_t *args) {
    const char *host = mp_obj_str_get_str(args[0]);
    mp_int_t port = mp_obj_get_int(args[1]);
    mp_int_t family = n_args > 2 ? mp_obj_get_int(args[2]) : 0;
    if (port < 0 || port > 0xffff) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid port"));
    }
    ip_addr_t ip;
    mprs_socket_resolve(host, (int)family, &ip);
    mp_obj_t items[5] = {
        MP_OBJ_NEW_SMALL_INT(MOD_NETWORK_AF_INET),
        MP_OBJ_NEW_SMALL_INT(MOD_NETWORK_SOCK_STREAM),
        MP_OBJ_NEW_SMALL_INT(0),
        MP_OBJ_NEW_QSTR(MP_QSTR_),
        mprs_socket_format_addr(&ip, (u16_t)port),
    };
    mp_obj_t tuple = mp_obj_new_tuple(5, items);
    return mp_obj_new_list(1, &tuple);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mprs_lwip_getaddrinfo_obj, 2, 6, mprs_lwip_getaddrinfo);

static const mp_rom_map_elem_t mprs_lwip_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_lwip) },
    { MP_ROM_QSTR(MP_QSTR_reset), MP_ROM_PTR(&mprs_lwip_reset_obj) },
    { MP_ROM_QSTR(MP_QSTR_callback), MP_ROM_PTR(&mprs_lwip_callback_obj) },
    { MP_ROM_QSTR(MP_QSTR_getaddrinfo), MP_ROM_PTR(&mprs_lwip_getaddrinfo_obj) },
    { MP_ROM_QSTR(MP_QSTR_print_pcbs), MP_ROM_PTR(&mprs_lwip_print_pcbs_obj) },
    { MP_ROM_QSTR(MP_QSTR_socket), MP_ROM_PTR(&mprs_socket_type) },
    { MP_ROM_QSTR(MP_QSTR_AF_INET), MP_ROM_INT(MOD_NETWORK_AF_INET) },
    { MP_ROM_QSTR(MP_QSTR_AF_INET6), MP_ROM_INT(MOD_NETWORK_AF_INET6) },
    { MP_ROM_QSTR(MP_QSTR_SOCK_STREAM), MP_ROM_INT(MOD_NETWORK_SOCK_STREAM) },
    { MP_ROM_QSTR(MP_QSTR_SOCK_DGRAM), MP_ROM_INT(MOD_NETWORK_SOCK_DGRAM) },
    { MP_ROM_QSTR(MP_QSTR_SOCK_RAW), MP_ROM_INT(MOD_NETWORK_SOCK_RAW) },
    { MP_ROM_QSTR(MP_QSTR_SOL_SOCKET), MP_ROM_INT(1) },
    { MP_ROM_QSTR(MP_QSTR_SO_REUSEADDR), MP_ROM_INT(SOF_REUSEADDR) },
    { MP_ROM_QSTR(MP_QSTR_SO_BROADCAST), MP_ROM_INT(SOF_BROADCAST) },
    { MP_ROM_QSTR(MP_QSTR_IPPROTO_IP), MP_ROM_INT(0) },
    { MP_ROM_QSTR(MP_QSTR_IP_ADD_MEMBERSHIP), MP_ROM_INT(MPRS_IP_ADD_MEMBERSHIP) },
    { MP_ROM_QSTR(MP_QSTR_IP_DROP_MEMBERSHIP), MP_ROM_INT(MPRS_IP_DROP_MEMBERSHIP) },
    { MP_ROM_QSTR(MP_QSTR_IPPROTO_TCP), MP_ROM_INT(IP_PROTO_TCP) },
    { MP_ROM_QSTR(MP_QSTR_TCP_NODELAY), MP_ROM_INT(MPRS_TCP_NODELAY) },
    { MP_ROM_QSTR(MP_QSTR_MSG_PEEK), MP_ROM_INT(MPRS_MSG_PEEK) },
    { MP_ROM_QSTR(MP_QSTR_MSG_DONTWAIT), MP_ROM_INT(MPRS_MSG_DONTWAIT) },
};
static MP_DEFINE_CONST_DICT(mprs_lwip_module_globals, mprs_lwip_module_globals_table);

const mp_obj_module_t mp_module_lwip = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mprs_lwip_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_lwip, mp_module_lwip);
// The same module as `socket`, which Python code may extend.
MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_socket, mp_module_lwip);

#endif // MICROPY_PY_LWIP
