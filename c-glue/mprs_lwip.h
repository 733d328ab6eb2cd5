// The lwIP shim's C API (c-glue/lwip.c), for a socket module built on lwIP's raw API:
// the accept queue, keep-before-accept, receive buffering and the scheduled user callback
// of extmod/modlwip.c, with the decisions in Rust (src/lwip/).
//
// The VM's API, in one list: a socket object embeds an mprs_lwip_socket_t, zeroed, and
// calls from the VM
// - mprs_lwip_init (from mprs.h) to start it, then
// - the mprs_lwip_tcp_* functions below, which make the lwIP calls (listen, attach,
//   accept, recv, writable, close), and
// - from mprs.h, for the socket's state alone (no lwIP call): mprs_lwip_set_callback,
//   mprs_lwip_callback_due, and for poll mprs_lwip_readable, mprs_lwip_peer_closed and
//   mprs_lwip_failed.
// The other mprs_lwip_* functions of mprs.h are this glue's, for lwIP's callbacks.
//
// lwIP's callbacks point at the socket's storage, so the object must be closed
// (mprs_lwip_tcp_close, e.g. from its finaliser) before its memory is freed. Each
// mprs_lwip_tcp_* function takes the lwIP lock (MPRS_LWIP_ENTER/EXIT: MICROPY_PY_LWIP_ENTER/EXIT in a MicroPython port,
// LOCK_TCPIP_CORE in a threaded lwIP) for its lwIP calls. lwIP's own callbacks are the
// glue's: the socket object must not set tcp_arg/recv/sent/err/poll/accept on a pcb it
// has handed over.
//
// User callbacks never run in lwIP's context. An event (data or peer close on a
// connected socket, a connection on a listening one) calls mprs_port_lwip_schedule(owner);
// the VM later calls mprs_lwip_callback_due() and, if true, the user's callback. With
// MICROPY_ENABLE_SCHEDULER the glue schedules through mp_sched_schedule and the socket
// module provides mprs_lwip_port_run_callback(owner); without it, events wait in a ring
// of MPRS_LWIP_DEFERRED_MAX entries (default 8; -DMPRS_LWIP_DEFERRED_MAX=n in the port's
// CFLAGS sets it), which the port drains with mprs_lwip_run_deferred()
// from its event-poll hook. A full scheduler or ring leaves the event pending; lwIP's
// poll and sent callbacks and the socket's next VM call retry it, so none is lost.
#ifndef MPRS_LWIP_H
#define MPRS_LWIP_H

#include <stddef.h>
#include "lwip/tcp.h"
#include "mprs.h"

// The lwIP lock, for the VM's calls; lwIP's callbacks already hold it.
#ifndef MPRS_LWIP_ENTER
#if defined(MICROPY_PY_LWIP_ENTER)
#define MPRS_LWIP_ENTER MICROPY_PY_LWIP_ENTER
#define MPRS_LWIP_EXIT MICROPY_PY_LWIP_EXIT
#else
#define MPRS_LWIP_ENTER
#define MPRS_LWIP_EXIT
#endif
#endif

// listen(): `pcb` is what tcp_listen_with_backlog() returned; up to `backlog` connections
// (1..MPRS_LWIP_BACKLOG_MAX) wait for accept(), with the data they send meanwhile.
err_t mprs_lwip_tcp_listen(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb, int backlog);
// A connected pcb (connect()'s connected callback) now belongs to the socket.
err_t mprs_lwip_tcp_attach(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb);
// The same two, for a caller that already holds the lwIP lock (lwIP's own callbacks, or a
// socket module inside MPRS_LWIP_ENTER), so no lock is taken twice.
err_t mprs_lwip_tcp_listen_locked(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb, int backlog);
err_t mprs_lwip_tcp_attach_locked(mprs_lwip_socket_t *sock, struct tcp_pcb *pcb);
// accept(): the oldest queued connection moves into `into` (initialised, unused), with
// the data it has received. ERR_WOULDBLOCK when none is waiting.
err_t mprs_lwip_tcp_accept(mprs_lwip_socket_t *listener, mprs_lwip_socket_t *into,
    struct tcp_pcb **pcb);
// recv(): up to `len` bytes, 0 at end of file (after all the data), or -1 with `*err`:
// ERR_WOULDBLOCK when nothing has arrived yet, or lwIP's error on the connection (ERR_RST,
// ERR_ABRT, ...) once the data before it is read. Acknowledges what it reads.
ptrdiff_t mprs_lwip_tcp_recv(mprs_lwip_socket_t *sock, void *buf, size_t len, err_t *err);
// recv(MSG_PEEK): as mprs_lwip_tcp_recv, but the bytes stay buffered.
ptrdiff_t mprs_lwip_tcp_peek(mprs_lwip_socket_t *sock, void *buf, size_t len, err_t *err);
// For poll(): whether lwIP has room to send (the socket has a pcb and tcp_sndbuf > 0).
// Readable, peer-closed and failed come from mprs_lwip_readable(), mprs_lwip_peer_closed()
// and mprs_lwip_failed().
bool mprs_lwip_tcp_writable(mprs_lwip_socket_t *sock);
// close(): frees what is buffered, aborts connections never accepted, closes the pcb.
// Safe to call twice.
void mprs_lwip_tcp_close(mprs_lwip_socket_t *sock);

// Without a scheduler: run the user callbacks that events have deferred, from the VM.
// Returns how many ran.
size_t mprs_lwip_run_deferred(void);

// Called by the glue, in the VM, for each scheduled event of socket `owner`: the socket
// module checks mprs_lwip_callback_due() and calls its Python callback.
void mprs_lwip_port_run_callback(void *owner);

#endif // MPRS_LWIP_H
