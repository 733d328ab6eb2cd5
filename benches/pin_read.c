// Benchmark driver: mp_virtual_pin_read of a C pin whose ioctl returns its level, as the
// glue runs it (host_pin_read drives libmprs.a's machine the same way). Run under callgrind
// with --toggle-collect=host_pin_read.
#include <stdio.h>

#include "host_pin.h"

#define CALLS 1000

typedef struct {
    const mprs_pin_p_t *proto;
    int level;
} level_pin_t;

static mprs_uint_t level_pin_ioctl(mprs_obj_t obj, mprs_uint_t request, size_t arg, int *errcode) {
    (void)arg;
    (void)errcode;
    return request == 1 ? (mprs_uint_t)((level_pin_t *)(uintptr_t)obj)->level : 0;
}

static const mprs_pin_p_t level_pin_proto = { level_pin_ioctl };

int main(void) {
    level_pin_t pin = { &level_pin_proto, 1 };
    int sum = 0;
    for (int i = 0; i < CALLS; i++) {
        mprs_call_t call = HOST_CALL_INIT;
        sum += host_pin_read(&call, (mprs_obj_t)(uintptr_t)&pin, NULL);
    }
    if (sum != CALLS) {
        fprintf(stderr, "bench: wrong reads\n");
        return 1;
    }
    printf("%d\n", CALLS);
    return 0;
}
