// Test support for the lwIP shim: Debian's threaded lwIP (tcpip thread, core locking) with
// an in-process netif that loops packets back (or a TAP device), a client on lwIP's raw
// API, and the scheduler the shim's user callbacks go through.
#ifndef MPRS_TEST_LWIP_HARNESS_H
#define MPRS_TEST_LWIP_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "mprs_lwip.h"

// A socket as a socket module would hold one: the shim's state and a Python-level callback,
// here a counter that records the thread it ran on.
typedef struct {
    mprs_lwip_socket_t shim;
    int callback_runs;
    bool callback_off_main;
} test_sock_t;

// Starts lwIP's thread and a netif at 198.51.100.1 that loops back to itself.
void harness_init(void);
// Or a netif on the existing TAP device `tap` at `addr` (dotted quad).
bool harness_init_tap(const char *tap, const char *addr);
extern ip_addr_t harness_addr;

// Runs the user callbacks scheduled so far, on this thread; returns how many were due.
size_t harness_drain(void);
// The scheduler: room for `n` calls (as MICROPY_SCHEDULER_DEPTH), default 4. The no-scheduler
// build has MPRS_LWIP_DEFERRED_MAX instead and ignores this.
void harness_sched_capacity(size_t n);
// Calls to the scheduler so far, and those made from lwIP's thread.
extern volatile size_t harness_sched_calls;
extern volatile size_t harness_sched_calls_from_lwip;

// A zeroed socket, initialised for the shim.
void sock_init(test_sock_t *s);
// Binds and listens on `port`, through the shim.
void sock_listen(test_sock_t *s, uint16_t port, int backlog);
// Reads until `want` bytes, end of file or `ms` milliseconds; returns the count and sets
// `*eof` at end of file, `*err` on a connection error.
size_t sock_read(test_sock_t *s, uint8_t *buf, size_t want, int ms, bool *eof, err_t *err);
// Writes through lwIP (the shim only receives); false on error.
bool sock_write(test_sock_t *s, const uint8_t *data, size_t len);

// A client on lwIP's raw API, sending `len` bytes of `data` as fast as lwIP takes them.
typedef struct {
    struct tcp_pcb *pcb;
    const uint8_t *data;
    size_t len;
    volatile size_t written;
    volatile size_t acked;
    volatile bool connected;
    volatile bool failed;
    volatile err_t err;
} client_t;

void client_connect(client_t *c, uint16_t port, const uint8_t *data, size_t len);
// Queues more of the data if lwIP has room; returns whether all of it is acknowledged.
bool client_pump(client_t *c);
void client_close(client_t *c);
// Sends a reset and frees the pcb.
void client_reset(client_t *c);

// Waits up to `ms` milliseconds for `cond` (re-evaluated every 200 us); its value.
#define WAIT_UNTIL(cond, ms) ({ \
        bool wait_ok_ = false; \
        for (long wait_i_ = 0; wait_i_ < (long)(ms) * 5 && !(wait_ok_ = (cond)); ++wait_i_) { \
            usleep(200); \
        } \
        wait_ok_ || (cond); \
    })

// lwIP's pcb lists, by length.
typedef struct {
    size_t active, listen, time_wait;
} pcb_counts_t;
pcb_counts_t harness_pcb_counts(void);
// Aborts every pcb in TIME_WAIT (lwIP would free them after 2 MSL).
void harness_drain_time_wait(void);

void harness_fill(uint8_t *buf, size_t len, unsigned seed);

#endif
