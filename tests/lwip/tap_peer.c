// The lwIP side of the namespace test (netns_test.sh): lwIP on a TAP device, a listening
// socket through the shim, and a kernel TCP client (tap_client.py) that sends 64 KiB and
// closes its side before this accepts. Checks keep-before-accept and the callback rules
// across a real TCP stack, then answers "OK <bytes> early=<bytes kept before accept>".
// Usage: tap_peer <tap device> <lwIP address> <port>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

#define PAYLOAD (64 * 1024)

static int failures;

#define CHECK(cond) do { \
        if (!(cond)) { \
            fprintf(stderr, "tap_peer: FAILED: %s (line %d)\n", #cond, __LINE__); \
            failures += 1; \
        } \
} while (0)

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: tap_peer <tap> <address> <port>\n");
        return 2;
    }
    if (!harness_init_tap(argv[1], argv[2])) {
        return 2;
    }
    test_sock_t listener, conn;
    sock_listen(&listener, (uint16_t)atoi(argv[3]), 2);
    mprs_lwip_set_callback(&listener.shim, true);
    printf("READY\n");
    fflush(stdout);

    if (!WAIT_UNTIL(mprs_lwip_queued(&listener.shim) == 1, 20000)) {
        fprintf(stderr, "tap_peer: FAILED: no connection arrived\n");
        return 1;
    }
    // Let the client's data arrive while the connection waits for accept().
    usleep(500000);
    CHECK(listener.callback_runs == 0);
    CHECK(harness_sched_calls >= 1);
    CHECK(harness_sched_calls == harness_sched_calls_from_lwip);
    CHECK(harness_drain() == 1);
    CHECK(listener.callback_runs == 1 && !listener.callback_off_main);

    sock_init(&conn);
    CHECK(mprs_lwip_tcp_accept(&listener.shim, &conn.shim, NULL) == ERR_OK);
    size_t early = mprs_lwip_buffered(&conn.shim);
    CHECK(early > 0);
    mprs_lwip_set_callback(&conn.shim, true);

    static uint8_t got[PAYLOAD + 1];
    bool eof = false;
    err_t err = ERR_OK;
    size_t n = sock_read(&conn, got, sizeof(got), 10000, &eof, &err);
    CHECK(err == ERR_OK);
    CHECK(eof);
    CHECK(n == PAYLOAD);
    for (size_t i = 0; i < n && i < PAYLOAD; ++i) {
        if (got[i] != (uint8_t)((i * 7 + 3) % 251)) {
            fprintf(stderr, "tap_peer: FAILED: byte %zu differs\n", i);
            failures += 1;
            break;
        }
    }
    // The data after accept and the peer's close scheduled the connection's callback.
    harness_drain();
    CHECK(conn.callback_runs >= 1 && !conn.callback_off_main);

    char reply[64];
    int len = snprintf(reply, sizeof(reply), "%s %zu early=%zu\n", failures ? "FAIL" : "OK", n, early);
    CHECK(sock_write(&conn, (const uint8_t *)reply, (size_t)len));
    usleep(200000);
    mprs_lwip_tcp_close(&conn.shim);
    mprs_lwip_tcp_close(&listener.shim);
    usleep(200000);
    printf("tap_peer: read %zu bytes, %zu kept before accept; %s\n", n, early, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
