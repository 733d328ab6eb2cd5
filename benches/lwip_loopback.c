// Benchmark driver for the lwIP shim over Debian's lwIP and the loopback netif.
//   lwip_loopback            wall time (noisy): connections accepted per second, MB/s read
//   lwip_loopback callgrind  1,000 one-segment receives, each scheduling the socket's
//                            callback, for callgrind --toggle-collect=mprs_lwip_on_recv;
//                            prints the number of calls last.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what) {
    fprintf(stderr, "bench-lwip: %s\n", what);
    exit(1);
}

static void accepts_per_second(void) {
    enum { N = 2000 };
    test_sock_t listener;
    sock_listen(&listener, 6000, 8);
    static const uint8_t one[1] = {42};
    double t0 = now();
    for (int i = 0; i < N; ++i) {
        client_t c;
        client_connect(&c, 6000, one, 1);
        test_sock_t conn;
        sock_init(&conn);
        if (!WAIT_UNTIL(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL) == ERR_OK, 2000)) {
            fail("accept timed out");
        }
        client_close(&c);
        mprs_lwip_tcp_close(&conn.shim);
        if (i % 500 == 499) {
            harness_drain_time_wait();
        }
    }
    double dt = now() - t0;
    mprs_lwip_tcp_close(&listener.shim);
    harness_drain_time_wait();
    printf("lwIP shim over loopback: %d connect+accept+close cycles, %.0f accepts/s (wall time)\n", N, N / dt);
}

static void megabytes_per_second(void) {
    const size_t total = 64u << 20;
    static uint8_t data[1 << 20], buf[16384];
    harness_fill(data, sizeof(data), 3);
    test_sock_t listener, conn;
    sock_listen(&listener, 6001, 1);
    client_t c;
    // The client sends the 1 MiB buffer 64 times over (client_t sends one buffer).
    client_connect(&c, 6001, data, sizeof(data));
    sock_init(&conn);
    if (!WAIT_UNTIL(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL) == ERR_OK, 2000)) {
        fail("accept timed out");
    }
    size_t got = 0;
    double t0 = now();
    while (got < total) {
        if (client_pump(&c) || c.written == c.len) {
            c.written = 0;
            c.acked = 0;
        }
        err_t err;
        ptrdiff_t n = mprs_lwip_tcp_recv(&conn.shim, buf, sizeof(buf), &err);
        if (n > 0) {
            got += (size_t)n;
        } else if (n == 0 || err != ERR_WOULDBLOCK) {
            fail("connection ended early");
        }
    }
    double dt = now() - t0;
    client_close(&c);
    mprs_lwip_tcp_close(&conn.shim);
    mprs_lwip_tcp_close(&listener.shim);
    printf("lwIP shim over loopback: %zu MiB read through mprs_lwip_tcp_recv, %.1f MB/s (wall time)\n",
        total >> 20, (double)total / dt / 1e6);
}

static void recv_callbacks(void) {
    enum { N = 1000 };
    test_sock_t listener, conn;
    sock_listen(&listener, 6002, 1);
    static const uint8_t seg[100];
    client_t c;
    client_connect(&c, 6002, seg, 0);
    sock_init(&conn);
    if (!WAIT_UNTIL(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL) == ERR_OK, 5000)) {
        fail("accept timed out");
    }
    mprs_lwip_set_callback(&conn.shim, true);
    for (int i = 0; i < N; ++i) {
        LOCK_TCPIP_CORE();
        tcp_write(c.pcb, seg, sizeof(seg), TCP_WRITE_FLAG_COPY);
        tcp_output(c.pcb);
        UNLOCK_TCPIP_CORE();
        // One segment, one recv callback: wait for it, read it (reopening the window).
        if (!WAIT_UNTIL(mprs_lwip_buffered(&conn.shim) == sizeof(seg), 5000)) {
            fail("segment lost");
        }
        uint8_t buf[sizeof(seg)];
        bool eof;
        err_t err;
        sock_read(&conn, buf, sizeof(buf), 1000, &eof, &err);
        harness_drain();
    }
    if (conn.callback_runs != N) {
        fail("callback count");
    }
    printf("%d\n", N);
}

int main(int argc, char **argv) {
    harness_init();
    if (argc > 1 && strcmp(argv[1], "callgrind") == 0) {
        recv_callbacks();
    } else {
        accepts_per_second();
        megabytes_per_second();
    }
    return 0;
}
