// The lwIP shim (c-glue/lwip.c over src/lwip/) against Debian's real, threaded lwIP 2.1,
// through an in-process netif that loops packets back. Built twice: with a scheduler
// (MPRS_LWIP_HOST_SCHEDULER=1, the mp_sched_schedule path) and without (the deferred ring,
// retried from lwIP's poll callback).
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

static uint16_t next_port = 5000;

static uint16_t new_port(void) {
    return next_port++;
}

static int setup_lwip(void **state) {
    (void)state;
    harness_init();
    return 0;
}

// Every test ends with nothing of its own left in lwIP.
static void assert_pcbs_back_to_idle(void) {
    // Closing connections pass through FIN_WAIT and LAST_ACK into TIME_WAIT.
    WAIT_UNTIL(({
        harness_drain_time_wait();
        pcb_counts_t k = harness_pcb_counts();
        k.active == 0 && k.time_wait == 0;
    }), 3000);
    pcb_counts_t c = harness_pcb_counts();
    assert_int_equal(c.active, 0);
    assert_int_equal(c.listen, 0);
    assert_int_equal(c.time_wait, 0);
}

// Sends `len` bytes before accept(), waits until lwIP has taken all it will take without
// a read, then accepts and reads them all, intact.
static void keep_before_accept(size_t len) {
    uint16_t port = new_port();
    uint8_t *data = malloc(len), *got = malloc(len);
    harness_fill(data, len, (unsigned)len);
    test_sock_t listener, conn;
    sock_listen(&listener, port, 2);
    client_t c;
    client_connect(&c, port, data, len);
    assert_true(WAIT_UNTIL(mprs_lwip_queued(&listener.shim) == 1, 2000));
    // lwIP's receive window (TCP_WND) bounds what a connection sends before accept.
    size_t target = len < TCP_WND / 2 ? len : TCP_WND / 2;
    assert_true(WAIT_UNTIL((client_pump(&c), c.acked >= target), 5000));
    // Then until the client makes no more progress for half a second (lwIP delays ACKs
    // by up to 250 ms).
    size_t before = c.acked;
    for (int still = 0; still < 250; usleep(2000)) {
        client_pump(&c);
        still = c.acked == before ? still + 1 : 0;
        before = c.acked;
    }
    assert_int_equal(mprs_lwip_queued(&listener.shim), 1);

    sock_init(&conn);
    struct tcp_pcb *pcb = NULL;
    assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, &pcb), ERR_OK);
    assert_non_null(pcb);
    // All the client saw acknowledged was kept for accept().
    assert_true(mprs_lwip_buffered(&conn.shim) >= before);
    size_t n = 0;
    bool eof = false;
    err_t err = ERR_OK;
    while (n < len && !eof && err == ERR_OK) {
        client_pump(&c);
        n += sock_read(&conn, got + n, len - n, 50, &eof, &err);
    }
    assert_int_equal(err, ERR_OK);
    assert_int_equal(n, len);
    assert_memory_equal(got, data, len);

    client_close(&c);
    assert_true(WAIT_UNTIL(sock_read(&conn, got, 1, 1, &eof, &err) == 0 && eof, 2000));
    mprs_lwip_tcp_close(&conn.shim);
    mprs_lwip_tcp_close(&listener.shim);
    free(data);
    free(got);
    assert_pcbs_back_to_idle();
}

static void keep_before_accept_1_byte(void **state) {
    (void)state;
    keep_before_accept(1);
}

static void keep_before_accept_1_mss(void **state) {
    (void)state;
    keep_before_accept(TCP_MSS);
}

static void keep_before_accept_64_kib(void **state) {
    (void)state;
    keep_before_accept(64 * 1024);
}

// lwIP's callbacks only schedule: the user callback runs when the test drains the
// scheduler, on the test's thread; a burst of data gives one call.
static void callbacks_run_only_when_drained(void **state) {
    (void)state;
    uint16_t port = new_port();
    harness_drain();
    test_sock_t listener, conn;
    sock_listen(&listener, port, 2);
    assert_int_equal(mprs_lwip_set_callback(&listener.shim, true), ERR_OK);
    size_t calls_before = harness_sched_calls;
    size_t lwip_calls_before = harness_sched_calls_from_lwip;

    static const uint8_t hello[] = "hello";
    client_t c;
    client_connect(&c, port, hello, 5);
    assert_true(WAIT_UNTIL((client_pump(&c), c.acked == 5), 2000));
    assert_int_equal(mprs_lwip_queued(&listener.shim), 1);
    usleep(20000);
    assert_int_equal(listener.callback_runs, 0);
    #if MPRS_LWIP_HOST_SCHEDULER
    assert_true(harness_sched_calls > calls_before);
    assert_int_equal(harness_sched_calls - calls_before, harness_sched_calls_from_lwip - lwip_calls_before);
    #else
    (void)calls_before;
    (void)lwip_calls_before;
    #endif
    assert_int_equal(harness_drain(), 1);
    assert_int_equal(listener.callback_runs, 1);
    assert_false(listener.callback_off_main);

    sock_init(&conn);
    assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL), ERR_OK);
    assert_int_equal(mprs_lwip_set_callback(&conn.shim, true), ERR_OK);
    // A burst: many segments before anyone drains.
    static uint8_t burst[20 * 100];
    harness_fill(burst, sizeof(burst), 7);
    client_t *cc = &c;
    cc->data = burst;
    cc->len = sizeof(burst);
    cc->written = 0;
    cc->acked = 0;
    for (int i = 0; i < 20; ++i) {
        LOCK_TCPIP_CORE();
        tcp_write(c.pcb, burst + i * 100, 100, TCP_WRITE_FLAG_COPY);
        tcp_output(c.pcb);
        UNLOCK_TCPIP_CORE();
        usleep(1000);
    }
    assert_true(WAIT_UNTIL(mprs_lwip_buffered(&conn.shim) == 5 + sizeof(burst), 2000));
    assert_int_equal(conn.callback_runs, 0);
    harness_drain();
    assert_int_equal(conn.callback_runs, 1);
    assert_false(conn.callback_off_main);

    // Peer close is an event too.
    client_close(&c);
    assert_true(WAIT_UNTIL((harness_drain(), conn.callback_runs == 2), 2000));
    // Clearing the callback stops the calls.
    assert_int_equal(mprs_lwip_set_callback(&conn.shim, false), ERR_OK);
    mprs_lwip_tcp_close(&conn.shim);
    mprs_lwip_tcp_close(&listener.shim);
    harness_drain();
    assert_int_equal(conn.callback_runs, 2);
    assert_int_equal(listener.callback_runs, 1);
    assert_pcbs_back_to_idle();
}

// With a backlog of 2, a third connection is refused; the first two keep their data.
static void backlog_two_refuses_the_third(void **state) {
    (void)state;
    uint16_t port = new_port();
    test_sock_t listener, conn[2];
    sock_listen(&listener, port, 2);
    static uint8_t data[3][100];
    client_t c[3];
    for (int i = 0; i < 3; ++i) {
        harness_fill(data[i], sizeof(data[i]), 100 + i);
        client_connect(&c[i], port, data[i], sizeof(data[i]));
        assert_true(WAIT_UNTIL(c[i].connected || c[i].failed, 2000));
        assert_true(WAIT_UNTIL((client_pump(&c[i]), c[i].acked == 100 || c[i].failed), 2000));
    }
    assert_true(WAIT_UNTIL(c[2].failed, 2000));
    assert_int_equal(c[2].err, ERR_RST);
    assert_int_equal(mprs_lwip_queued(&listener.shim), 2);
    for (int i = 0; i < 2; ++i) {
        sock_init(&conn[i]);
        assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &conn[i].shim, NULL), ERR_OK);
        uint8_t got[100];
        bool eof;
        err_t err;
        assert_int_equal(sock_read(&conn[i], got, 100, 1000, &eof, &err), 100);
        assert_memory_equal(got, data[i], 100);
    }
    assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &conn[0].shim, NULL), ERR_ISCONN);
    test_sock_t extra;
    sock_init(&extra);
    assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &extra.shim, NULL), ERR_WOULDBLOCK);
    for (int i = 0; i < 2; ++i) {
        client_close(&c[i]);
        mprs_lwip_tcp_close(&conn[i].shim);
    }
    mprs_lwip_tcp_close(&listener.shim);
    assert_pcbs_back_to_idle();
}

// A client that resets before accept() leaves the queue consistent; the next one works.
static void reset_before_accept(void **state) {
    (void)state;
    uint16_t port = new_port();
    test_sock_t listener, conn;
    sock_listen(&listener, port, 2);
    static uint8_t first[3000], second[500];
    harness_fill(first, sizeof(first), 1);
    harness_fill(second, sizeof(second), 2);
    client_t a, b;
    client_connect(&a, port, first, sizeof(first));
    assert_true(WAIT_UNTIL((client_pump(&a), a.acked == sizeof(first)), 2000));
    assert_int_equal(mprs_lwip_queued(&listener.shim), 1);
    client_reset(&a);
    assert_true(WAIT_UNTIL(mprs_lwip_queued(&listener.shim) == 0, 2000));

    client_connect(&b, port, second, sizeof(second));
    assert_true(WAIT_UNTIL((client_pump(&b), b.acked == sizeof(second)), 2000));
    sock_init(&conn);
    assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL), ERR_OK);
    uint8_t got[500];
    bool eof;
    err_t err;
    assert_int_equal(sock_read(&conn, got, sizeof(got), 1000, &eof, &err), sizeof(got));
    assert_memory_equal(got, second, sizeof(second));

    // A reset after accept: the data read, then the error.
    client_reset(&b);
    assert_true(WAIT_UNTIL(mprs_lwip_failed(&conn.shim) != ERR_OK, 2000));
    assert_int_equal(mprs_lwip_failed(&conn.shim), ERR_RST);
    assert_false(mprs_lwip_tcp_writable(&conn.shim));
    err_t e;
    assert_int_equal(mprs_lwip_tcp_recv(&conn.shim, got, 1, &e), -1);
    assert_int_equal(e, ERR_RST);
    mprs_lwip_tcp_close(&conn.shim);
    mprs_lwip_tcp_close(&listener.shim);
    assert_pcbs_back_to_idle();
}

// Peer close after data: the data, then end of file; before and after accept.
static void peer_close_reads_data_then_eof(void **state) {
    (void)state;
    uint16_t port = new_port();
    test_sock_t listener, conn;
    sock_listen(&listener, port, 1);
    static const uint8_t msg[] = "data then FIN";
    client_t c;
    client_connect(&c, port, msg, sizeof(msg));
    assert_true(WAIT_UNTIL((client_pump(&c), c.acked == sizeof(msg)), 2000));
    client_close(&c);
    usleep(20000);
    sock_init(&conn);
    assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL), ERR_OK);
    assert_true(mprs_lwip_readable(&conn.shim));
    assert_true(mprs_lwip_peer_closed(&conn.shim));
    assert_true(mprs_lwip_tcp_writable(&conn.shim));
    assert_false(mprs_lwip_tcp_writable(&listener.shim));
    uint8_t got[64];
    bool eof;
    err_t err;
    assert_int_equal(sock_read(&conn, got, 5, 1000, &eof, &err), 5);
    assert_int_equal(sock_read(&conn, got + 5, sizeof(got) - 5, 1000, &eof, &err), sizeof(msg) - 5);
    assert_true(eof);
    assert_memory_equal(got, msg, sizeof(msg));
    err_t e;
    assert_int_equal(mprs_lwip_tcp_recv(&conn.shim, got, sizeof(got), &e), 0);
    assert_int_equal(mprs_lwip_tcp_recv(&conn.shim, got, sizeof(got), &e), 0);
    mprs_lwip_tcp_close(&conn.shim);
    mprs_lwip_tcp_close(&listener.shim);
    assert_pcbs_back_to_idle();
}

// A full scheduler queue delays the callback; lwIP's poll callback retries it; none is
// lost and none is doubled.
static void full_scheduler_delays_but_loses_none(void **state) {
    (void)state;
    enum { N = 3 };
    uint16_t port = new_port();
    harness_drain();
    test_sock_t listener, conn[N];
    sock_listen(&listener, port, N);
    client_t c[N];
    static const uint8_t one[] = "x";
    for (int i = 0; i < N; ++i) {
        client_connect(&c[i], port, one, 1);
    }
    assert_true(WAIT_UNTIL(mprs_lwip_queued(&listener.shim) == N, 2000));
    for (int i = 0; i < N; ++i) {
        sock_init(&conn[i]);
        assert_int_equal(mprs_lwip_tcp_accept(&listener.shim, &conn[i].shim, NULL), ERR_OK);
        assert_int_equal(mprs_lwip_set_callback(&conn[i].shim, true), ERR_OK);
    }
    // Room for none (with a scheduler), or for MPRS_LWIP_DEFERRED_MAX (2) of the three.
    harness_sched_capacity(0);
    for (int i = 0; i < N; ++i) {
        assert_true(WAIT_UNTIL((client_pump(&c[i]), c[i].acked == 1), 2000));
    }
    harness_drain();
    int ran = 0;
    for (int i = 0; i < N; ++i) {
        ran += conn[i].callback_runs;
    }
    assert_true(ran < N);
    harness_sched_capacity(4);
    // lwIP's poll callback (every 500 ms) schedules what is owed.
    assert_true(WAIT_UNTIL((harness_drain(), conn[0].callback_runs + conn[1].callback_runs + conn[2].callback_runs == N), 3000));
    usleep(600000);
    harness_drain();
    for (int i = 0; i < N; ++i) {
        assert_int_equal(conn[i].callback_runs, 1);
        assert_false(conn[i].callback_off_main);
        client_close(&c[i]);
        mprs_lwip_tcp_close(&conn[i].shim);
    }
    mprs_lwip_tcp_close(&listener.shim);
    harness_drain();
    assert_pcbs_back_to_idle();
}

// Closing a listening socket aborts the connections it never accepted and frees their data.
static void close_aborts_queued_connections(void **state) {
    (void)state;
    uint16_t port = new_port();
    test_sock_t listener;
    sock_listen(&listener, port, 4);
    static uint8_t data[2000];
    client_t c[2];
    for (int i = 0; i < 2; ++i) {
        client_connect(&c[i], port, data, sizeof(data));
        assert_true(WAIT_UNTIL((client_pump(&c[i]), c[i].acked == sizeof(data)), 2000));
    }
    assert_int_equal(mprs_lwip_queued(&listener.shim), 2);
    mprs_lwip_tcp_close(&listener.shim);
    for (int i = 0; i < 2; ++i) {
        assert_true(WAIT_UNTIL(c[i].failed, 2000));
    }
    mprs_lwip_tcp_close(&listener.shim); // twice is harmless
    assert_pcbs_back_to_idle();
}

// Bad arguments get lwIP errors, not crashes.
static void bad_arguments_are_refused(void **state) {
    (void)state;
    mprs_lwip_socket_t zeroed;
    memset(&zeroed, 0, sizeof(zeroed));
    uint8_t buf[4];
    err_t e;
    assert_int_equal(mprs_lwip_init(NULL, NULL), ERR_ARG);
    assert_int_equal(mprs_lwip_tcp_recv(&zeroed, buf, 4, &e), -1);
    assert_int_equal(e, ERR_ARG);
    assert_int_equal(mprs_lwip_tcp_recv(NULL, buf, 4, &e), -1);
    assert_int_equal(e, ERR_ARG);
    assert_int_equal(mprs_lwip_tcp_listen(&zeroed, NULL, 1), ERR_ARG);
    assert_int_equal(mprs_lwip_tcp_accept(NULL, &zeroed, NULL), ERR_ARG);
    assert_int_equal(mprs_lwip_on_pending_error(&zeroed, 0), ERR_ARG);
    mprs_lwip_tcp_close(&zeroed);
    mprs_lwip_tcp_close(NULL);

    test_sock_t s, t;
    sock_init(&s);
    sock_init(&t);
    assert_int_equal(mprs_lwip_tcp_recv(&s.shim, buf, 4, &e), -1);
    assert_int_equal(e, ERR_CONN);
    assert_int_equal(mprs_lwip_tcp_accept(&s.shim, &t.shim, NULL), ERR_VAL);
    assert_int_equal(mprs_lwip_tcp_accept(&s.shim, &s.shim, NULL), ERR_ARG);
    assert_int_equal(mprs_lwip_on_pending_error(&s.shim, 1000), ERR_VAL);
    assert_int_equal(mprs_lwip_on_recv(&s.shim, NULL, NULL, 0), ERR_ARG);
    // Stale error callbacks for slots that hold nothing, out of range too.
    uint16_t port = new_port();
    test_sock_t listener;
    sock_listen(&listener, port, 2);
    assert_int_equal(mprs_lwip_on_pending_error(&listener.shim, 1), ERR_VAL);
    // lwIP's "no memory for a connection" notice (no pcb, ERR_MEM) queues nothing.
    size_t slot = 99;
    assert_int_equal(mprs_lwip_on_accept(&listener.shim, NULL, ERR_MEM, &slot), ERR_ARG);
    assert_int_equal(slot, 99);
    assert_int_equal(mprs_lwip_queued(&listener.shim), 0);
    assert_int_equal(mprs_lwip_on_accept(&listener.shim, (void *)&slot, ERR_OK, NULL), ERR_ARG);
    assert_int_equal(mprs_lwip_on_pending_error(&listener.shim, (size_t)-1), ERR_VAL);
    assert_int_equal(mprs_lwip_tcp_listen(&listener.shim, mprs_lwip_pcb(&listener.shim), 2), ERR_ISCONN);
    assert_int_equal(mprs_lwip_init(&listener.shim, &listener), ERR_ISCONN);
    mprs_lwip_tcp_close(&listener.shim);
    assert_int_equal(mprs_lwip_tcp_recv(&listener.shim, buf, 4, &e), -1);
    assert_int_equal(e, ERR_CLSD);
    mprs_lwip_tcp_close(&s.shim);
    mprs_lwip_tcp_close(&t.shim);
    assert_pcbs_back_to_idle();
}

// connect/send/accept/read/close, many times: lwIP's pcb lists end where they began (once
// TIME_WAIT is drained) and the shim holds no pbuf. Run under valgrind or ASan for leaks.
static void many_cycles_leave_nothing_behind(void **state) {
    (void)state;
    const char *env = getenv("MPRS_LWIP_CYCLES");
    long cycles = env != NULL ? atol(env) : 10000;
    pcb_counts_t start = harness_pcb_counts();
    uint16_t port = new_port();
    test_sock_t listener;
    sock_listen(&listener, port, 4);
    static uint8_t data[200], got[200];
    for (long i = 0; i < cycles; ++i) {
        size_t len = 1 + (size_t)(i % (long)sizeof(data));
        harness_fill(data, len, (unsigned)i);
        client_t c;
        client_connect(&c, port, data, len);
        // Not waiting for the ACK: lwIP delays it by up to 250 ms.
        assert_true(WAIT_UNTIL((client_pump(&c), c.written == len), 2000));
        test_sock_t conn;
        sock_init(&conn);
        assert_true(WAIT_UNTIL(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL) == ERR_OK, 2000));
        bool eof;
        err_t err;
        assert_int_equal(sock_read(&conn, got, len, 2000, &eof, &err), len);
        assert_memory_equal(got, data, len);
        if (i % 2 == 0) {
            client_close(&c);
            mprs_lwip_tcp_close(&conn.shim);
        } else {
            mprs_lwip_tcp_close(&conn.shim);
            client_close(&c);
        }
        assert_int_equal(mprs_lwip_buffered(&conn.shim), 0);
        if (i % 500 == 499) {
            harness_drain_time_wait();
        }
    }
    mprs_lwip_tcp_close(&listener.shim);
    assert_true(WAIT_UNTIL((harness_drain_time_wait(), harness_pcb_counts().active == start.active), 5000));
    pcb_counts_t end = harness_pcb_counts();
    assert_int_equal(end.active, start.active);
    assert_int_equal(end.listen, start.listen);
    assert_int_equal(end.time_wait, start.time_wait);
    printf("lwip: %ld connect/send/accept/read/close cycles; pcb lists back to %zu active, %zu listen, %zu time-wait\n",
        cycles, end.active, end.listen, end.time_wait);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keep_before_accept_1_byte),
        cmocka_unit_test(keep_before_accept_1_mss),
        cmocka_unit_test(keep_before_accept_64_kib),
        cmocka_unit_test(callbacks_run_only_when_drained),
        cmocka_unit_test(backlog_two_refuses_the_third),
        cmocka_unit_test(reset_before_accept),
        cmocka_unit_test(peer_close_reads_data_then_eof),
        cmocka_unit_test(full_scheduler_delays_but_loses_none),
        cmocka_unit_test(close_aborts_queued_connections),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(many_cycles_leave_nothing_behind),
    };
    #if MPRS_LWIP_HOST_SCHEDULER
    const char *name = "lwip shim, with a scheduler";
    #else
    const char *name = "lwip shim, without a scheduler";
    #endif
    return cmocka_run_group_tests_name(name, tests, setup_lwip, NULL);
}
