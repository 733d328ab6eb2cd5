// Benchmark driver: exact 4 KiB reads through mprs_stream_rw over a host stream that moves
// at most `chunk` bytes a call. Run under callgrind with --toggle-collect=mprs_stream_rw,
// so only the call (with the host stream's own work under it) is counted.
#include <stdio.h>
#include <stdlib.h>

#include "host_port.h"

#define READ_SIZE 4096
#define CALLS 100

int main(int argc, char **argv) {
    int chunk = argc > 1 ? atoi(argv[1]) : 64;
    static uint8_t src[READ_SIZE], buf[READ_SIZE];
    for (size_t i = 0; i < sizeof(src); i++) {
        src[i] = (uint8_t)i;
    }
    static host_stream_t s;
    for (int i = 0; i < CALLS; i++) {
        host_stream_init(&s, src, sizeof(src), chunk);
        mprs_call_t call = HOST_CALL_INIT;
        int err;
        if (mprs_stream_rw(&call, host_obj(&s), buf, READ_SIZE, &err, 0) != READ_SIZE || err != 0) {
            fprintf(stderr, "bench: short read\n");
            return 1;
        }
    }
    printf("%d\n", CALLS);
    return 0;
}
