// The raw-API side of extmod/modlwip.c over libmprs.a: lwIP's callbacks and the pbuf and
// scheduler services Rust imports. What each callback decides (queue or refuse, keep or
// drop, schedule or coalesce) is in Rust (src/lwip/); this file does the lwIP calls that
// need lwIP's struct layouts, which change with each port's lwipopts.h. See mprs_lwip.h.
//
// Compiled where MPRS_SUBSYSTEMS has lwip (libmprs.a is then built with its feature), on
// the port's lwIP headers, scheduling with mp_sched_schedule when the port has a scheduler.
// (The host tests build it as it is, over Debian's lwIP and a stand-in for the few
// MicroPython headers it includes: tests/lwip/mp-standin/.)

#include "py/mpconfig.h"
#include <string.h>
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "mprs.h"
#include "mprs_lwip.h"

// Ticks of lwIP's slow timer (500 ms) between poll callbacks, which retry a user callback
// the scheduler had no room for.
#ifndef MPRS_LWIP_POLL_INTERVAL
#define MPRS_LWIP_POLL_INTERVAL (1)
#endif

// Events a port without a scheduler keeps until mprs_lwip_run_deferred(): a setting
// (-DMPRS_LWIP_DEFERRED_MAX=n in the port's CFLAGS, or in mpconfigport.h).
#ifndef MPRS_LWIP_DEFERRED_MAX
#define MPRS_LWIP_DEFERRED_MAX (8)
#endif
#if MPRS_LWIP_DEFERRED_MAX < 1
#error "MPRS_LWIP_DEFERRED_MAX must be at least 1"
#endif

// Rust mirrors lwIP's error codes and the backlog bound.
_Static_assert(ERR_OK == 0 && ERR_MEM == -1 && ERR_VAL == -6 && ERR_WOULDBLOCK == -7,
    "lwIP err_t values differ from src/lwip/mod.rs");
_Static_assert(ERR_ISCONN == -10 && ERR_CONN == -11 && ERR_ABRT == -13 && ERR_RST == -14,
    "lwIP err_t values differ from src/lwip/mod.rs");
_Static_assert(ERR_CLSD == -15 && ERR_ARG == -16, "lwIP err_t values differ from src/lwip/mod.rs");
_Static_assert(MPRS_LWIP_BACKLOG_MAX == 8, "MPRS_LWIP_BACKLOG_MAX (BACKLOG_MAX in src/lwip/mod.rs) "
    "changed: give mprs_lwip_pending_err one callback per backlog slot");

/******************************************************************************/
// Port services for Rust: pbuf chains and the scheduler.

void *mprs_port_lwip_pbuf_cat(void *head, void *p) {
    if (head == NULL) {
        return p;
    }
    pbuf_cat((struct pbuf *)head, (struct pbuf *)p);
    return head;
}

size_t mprs_port_lwip_pbuf_take(void *head, size_t offset, uint8_t *buf, size_t len,
    void **new_head, size_t *new_offset) {
    struct pbuf *p = head;
    size_t done = 0;
    while (p != NULL && (done < len || offset >= p->len)) {
        if (offset < p->len) {
            size_t n = p->len - offset;
            if (n > len - done) {
                n = len - done;
            }
            memcpy(buf + done, (const uint8_t *)p->payload + offset, n);
            done += n;
            offset += n;
        }
        if (offset >= p->len) {
            // Free this pbuf alone: with next's count raised, pbuf_free stops there.
            struct pbuf *next = p->next;
            if (next != NULL) {
                pbuf_ref(next);
            }
            pbuf_free(p);
            p = next;
            offset = 0;
        }
    }
    *new_head = p;
    *new_offset = offset;
    return done;
}

size_t mprs_port_lwip_pbuf_copy(void *head, size_t offset, uint8_t *buf, size_t len) {
    struct pbuf *p = head;
    if (p == NULL || offset >= p->tot_len) {
        return 0;
    }
    if (len > (size_t)(p->tot_len - offset)) {
        len = p->tot_len - offset;
    }
    return pbuf_copy_partial(p, buf, (u16_t)len, (u16_t)offset);
}

void mprs_port_lwip_pbuf_free(void *head) {
    if (head != NULL) {
        pbuf_free((struct pbuf *)head);
    }
}

#if MICROPY_ENABLE_SCHEDULER

#include "py/runtime.h"
static mp_obj_t mprs_lwip_dispatch(mp_obj_t owner) {
    mprs_lwip_port_run_callback(MP_OBJ_TO_PTR(owner));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_lwip_dispatch_obj, mprs_lwip_dispatch);

bool mprs_port_lwip_schedule(void *owner) {
    return mp_sched_schedule(MP_OBJ_FROM_PTR(&mprs_lwip_dispatch_obj), MP_OBJ_FROM_PTR(owner));
}

size_t mprs_lwip_run_deferred(void) {
    // Nothing is deferred here: the scheduler runs the callbacks.
    return 0;
}

#else

// No scheduler: a ring of the owners with an event, drained by the VM. Written in lwIP's
// context and read by the VM, both under the lwIP lock and the atomic section. The ring
// is a GC root, so a socket waiting in it is not collected.
#include "py/mpstate.h"
// The QSTR pass collects this line preprocessed, so the size is MPRS_LWIP_DEFERRED_MAX as
// defined above (mpstate.h itself need not see the macro).
MP_REGISTER_ROOT_POINTER(void *mprs_lwip_deferred[MPRS_LWIP_DEFERRED_MAX]);
#define MPRS_DEFERRED MP_STATE_VM(mprs_lwip_deferred)
static size_t deferred_head;
static size_t deferred_len;

bool mprs_port_lwip_schedule(void *owner) {
    if (deferred_len == MPRS_LWIP_DEFERRED_MAX) {
        return false;
    }
    MPRS_DEFERRED[(deferred_head + deferred_len) % MPRS_LWIP_DEFERRED_MAX] = owner;
    deferred_len += 1;
    return true;
}

size_t mprs_lwip_run_deferred(void) {
    size_t ran = 0;
    for (;;) {
        void *owner = NULL;
        MPRS_LWIP_ENTER
        mprs_port_atomic_begin();
        if (deferred_len > 0) {
            owner = MPRS_DEFERRED[deferred_head];
            MPRS_DEFERRED[deferred_head] = NULL;
            deferred_head = (deferred_head + 1) % MPRS_LWIP_DEFERRED_MAX;
            deferred_len -= 1;
        }
        mprs_port_atomic_end();
        MPRS_LWIP_EXIT
        if (owner == NULL) {
            return ran;
        }
        // Outside the locks: the callback may call the socket API.
        mprs_lwip_port_run_callback(owner);
        ran += 1;
    }
}

#endif // MICROPY_ENABLE_SCHEDULER

/******************************************************************************/
// lwIP's callbacks.

// Takes every callback of ours off a pcb that is about to be aborted or handed back.
static void mprs_lwip_detach(struct tcp_pcb *pcb) {
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
}

// Aborts a pcb the shim refused (not ours, or bad arguments), so nothing stays behind.
static err_t mprs_lwip_refuse(struct tcp_pcb *pcb, struct pbuf *p) {
    if (p != NULL) {
        pbuf_free(p);
    }
    mprs_lwip_detach(pcb);
    tcp_abort(pcb);
    return ERR_ABRT;
}

// A receive callback: `on_recv` keeps the data (or notes the peer's close) or refuses.
static err_t mprs_lwip_receive(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err,
    int (*on_recv)(mprs_lwip_socket_t *, void *, void *, size_t)) {
    if (pcb == NULL) {
        return ERR_ARG;
    }
    if (err != ERR_OK) {
        // lwIP 2 passes only ERR_OK; anything else carries no data worth keeping.
        if (p != NULL) {
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (on_recv(arg, pcb, p, p != NULL ? p->tot_len : 0) != ERR_OK) {
        return mprs_lwip_refuse(pcb, p);
    }
    return ERR_OK;
}

static err_t mprs_lwip_sock_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    return mprs_lwip_receive(arg, pcb, p, err, mprs_lwip_on_recv);
}

static void mprs_lwip_sock_err(void *arg, err_t err) {
    mprs_lwip_on_error(arg, err);
}

static err_t mprs_lwip_sock_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
    (void)pcb;
    (void)len;
    mprs_lwip_retry(arg);
    return ERR_OK;
}

// lwIP's poll callback, on accepted and queued connections alike: the argument is the
// socket whose user callback may be owed (the listening pcb has no poll callback of its
// own, so its queued connections retry for it).
static err_t mprs_lwip_poll_retry(void *arg, struct tcp_pcb *pcb) {
    (void)pcb;
    mprs_lwip_retry(arg);
    return ERR_OK;
}

// A pcb that belongs to a socket, accepted or connected.
static void mprs_lwip_own(struct tcp_pcb *pcb, mprs_lwip_socket_t *sock) {
    tcp_arg(pcb, sock);
    tcp_recv(pcb, mprs_lwip_sock_recv);
    tcp_sent(pcb, mprs_lwip_sock_sent);
    tcp_err(pcb, mprs_lwip_sock_err);
    tcp_poll(pcb, mprs_lwip_poll_retry, MPRS_LWIP_POLL_INTERVAL);
}

// A queued connection: its argument is the listening socket, and it keeps what it receives.
static err_t mprs_lwip_pending_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    return mprs_lwip_receive(arg, pcb, p, err, mprs_lwip_on_pending_recv);
}

// lwIP's error callback does not say which pcb died, so each backlog slot has its own.
#define MPRS_LWIP_PENDING_ERR(slot) \
    static void mprs_lwip_pending_err_##slot(void *arg, err_t err) { \
        (void)err; \
        mprs_lwip_on_pending_error(arg, slot); \
    }
MPRS_LWIP_PENDING_ERR(0)
MPRS_LWIP_PENDING_ERR(1)
MPRS_LWIP_PENDING_ERR(2)
MPRS_LWIP_PENDING_ERR(3)
MPRS_LWIP_PENDING_ERR(4)
MPRS_LWIP_PENDING_ERR(5)
MPRS_LWIP_PENDING_ERR(6)
MPRS_LWIP_PENDING_ERR(7)

static const tcp_err_fn mprs_lwip_pending_err[MPRS_LWIP_BACKLOG_MAX] = {
    mprs_lwip_pending_err_0, mprs_lwip_pending_err_1, mprs_lwip_pending_err_2,
    mprs_lwip_pending_err_3, mprs_lwip_pending_err_4, mprs_lwip_pending_err_5,
    mprs_lwip_pending_err_6, mprs_lwip_pending_err_7,
};

static err_t mprs_lwip_listen_accept(void *arg, struct tcp_pcb *newpcb, err_t err) {
    size_t slot = 0;
    err_t ret = mprs_lwip_on_accept(arg, newpcb, err, &slot);
    if (newpcb == NULL) {
        // lwIP's ERR_MEM notice: no connection, and lwIP ignores what we return.
        return ERR_OK;
    }
    if (ret != ERR_OK || slot >= MPRS_LWIP_BACKLOG_MAX) {
        // Refused: lwIP aborts the connection (the peer gets a reset).
        return ret != ERR_OK ? ret : ERR_VAL;
    }
    // Set only now: lwIP's abort of a refused pcb must not reach a slot's error callback.
    tcp_arg(newpcb, arg);
    tcp_recv(newpcb, mprs_lwip_pending_recv);
    tcp_err(newpcb, mprs_lwip_pending_err[slot]);
    tcp_poll(newpcb, mprs_lwip_poll_retry, MPRS_LWIP_POLL_INTERVAL);
    return ERR_OK;
}

/******************************************************************************/
// The VM's API (mprs_lwip.h).

err_t mprs_lwip_tcp_listen_locked(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb, int backlog) {
    if (pcb == NULL) {
        return ERR_ARG;
    }
    err_t ret = (err_t)mprs_lwip_listen(sock, pcb, backlog);
    if (ret == ERR_OK) {
        tcp_arg(pcb, sock);
        tcp_accept(pcb, mprs_lwip_listen_accept);
    }
    return ret;
}

err_t mprs_lwip_tcp_listen(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb, int backlog) {
    MPRS_LWIP_ENTER
    err_t ret = mprs_lwip_tcp_listen_locked(sock, pcb, backlog);
    MPRS_LWIP_EXIT
    return ret;
}

err_t mprs_lwip_tcp_attach_locked(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb) {
    if (pcb == NULL) {
        return ERR_ARG;
    }
    err_t ret = (err_t)mprs_lwip_attach(sock, pcb);
    if (ret == ERR_OK) {
        mprs_lwip_own(pcb, sock);
    }
    return ret;
}

err_t mprs_lwip_tcp_attach(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb) {
    MPRS_LWIP_ENTER
    err_t ret = mprs_lwip_tcp_attach_locked(sock, pcb);
    MPRS_LWIP_EXIT
    return ret;
}

err_t mprs_lwip_tcp_accept(mprs_lwip_socket_t *listener, mprs_lwip_socket_t *into,
    struct tcp_pcb **pcb) {
    void *accepted = NULL;
    MPRS_LWIP_ENTER
    err_t ret = (err_t)mprs_lwip_accept(listener, into, &accepted);
    if (ret == ERR_OK) {
        // Under the same lock as the move, so no callback sees the pcb half handed over.
        mprs_lwip_own(accepted, into);
    }
    MPRS_LWIP_EXIT
    if (pcb != NULL) {
        *pcb = ret == ERR_OK ? accepted : NULL;
    }
    return ret;
}

ptrdiff_t mprs_lwip_tcp_recv(mprs_lwip_socket_t *sock, void *buf, size_t len, err_t *err) {
    void *pcb = NULL;
    MPRS_LWIP_ENTER
    ptrdiff_t n = mprs_lwip_read(sock, buf, len, &pcb);
    if (n > 0 && pcb != NULL) {
        // Reopen the window by what was read (tcp_recved takes 16 bits at a time).
        for (size_t left = (size_t)n; left > 0;) {
            u16_t chunk = left > 0xffff ? 0xffff : (u16_t)left;
            tcp_recved(pcb, chunk);
            left -= chunk;
        }
    }
    MPRS_LWIP_EXIT
    if (n < 0) {
        *err = (err_t)n;
        return -1;
    }
    *err = ERR_OK;
    return n;
}

ptrdiff_t mprs_lwip_tcp_peek(mprs_lwip_socket_t *sock, void *buf, size_t len, err_t *err) {
    MPRS_LWIP_ENTER
    ptrdiff_t n = mprs_lwip_peek(sock, buf, len);
    MPRS_LWIP_EXIT
    if (n < 0) {
        *err = (err_t)n;
        return -1;
    }
    *err = ERR_OK;
    return n;
}

bool mprs_lwip_tcp_writable(mprs_lwip_socket_t *sock) {
    MPRS_LWIP_ENTER
    struct tcp_pcb *pcb = mprs_lwip_pcb(sock);
    bool writable = pcb != NULL && pcb->state != LISTEN && tcp_sndbuf(pcb) > 0;
    MPRS_LWIP_EXIT
    return writable;
}

void mprs_lwip_tcp_close(mprs_lwip_socket_t *sock) {
    mprs_lwip_teardown_t t;
    MPRS_LWIP_ENTER
    if (mprs_lwip_close(sock, &t) == ERR_OK) {
        for (size_t i = 0; i < MPRS_LWIP_BACKLOG_MAX; ++i) {
            if (t.pending[i] != NULL) {
                mprs_lwip_detach(t.pending[i]);
                tcp_abort(t.pending[i]);
            }
        }
        struct tcp_pcb *pcb = t.pcb;
        if (pcb != NULL && t.listening) {
            tcp_arg(pcb, NULL);
            tcp_accept(pcb, NULL);
            tcp_close(pcb);
        } else if (pcb != NULL) {
            mprs_lwip_detach(pcb);
            if (tcp_close(pcb) != ERR_OK) {
                // Out of memory for the FIN: abort rather than leak the pcb.
                tcp_abort(pcb);
            }
        }
    }
    MPRS_LWIP_EXIT
}
