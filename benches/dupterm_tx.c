// Benchmark driver: mprs_dupterm_tx_strn of 64 bytes with 1 or 2 active host slots. Run
// under callgrind with --toggle-collect=mprs_dupterm_tx_strn.
#include <stdio.h>
#include <stdlib.h>

#include "host_dupterm.h"

#define CALLS 1000

int main(int argc, char **argv) {
    int active = argc > 1 ? atoi(argv[1]) : 1;
    static host_term_t terms[HOST_DUPTERM_SLOTS];
    static const char line[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
    host_dupterm_reset();
    for (int i = 0; i < active && i < HOST_DUPTERM_SLOTS; i++) {
        host_term_init(&terms[i]);
        host_dupterm_slots[i] = &terms[i];
    }
    for (int i = 0; i < CALLS; i++) {
        for (int j = 0; j < active; j++) {
            terms[j].written_len = 0; // keep the sink from filling
        }
        mprs_call_t call = HOST_CALL_INIT;
        if (mprs_dupterm_tx_strn(&call, HOST_DUPTERM_SLOTS, (const uint8_t *)line, sizeof(line)) != 64) {
            fprintf(stderr, "bench: short write\n");
            return 1;
        }
    }
    printf("%d\n", CALLS);
    return 0;
}
