// The host lwIP tests' stand-in for what c-glue/lwip.c uses of py/runtime.h: objects are
// pointers, a function object holds its C function, and mp_sched_schedule is the test
// harness's bounded queue (tests/lwip/harness.c), drained on the test's thread.
#ifndef MPRS_TEST_RUNTIME_H
#define MPRS_TEST_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include "py/mpconfig.h"

typedef void *mp_obj_t;
typedef struct {
    mp_obj_t (*fun)(mp_obj_t);
} mp_obj_fun_builtin_fixed_t;

#define mp_const_none ((mp_obj_t)NULL)
#define MP_OBJ_TO_PTR(o) ((void *)(o))
#define MP_OBJ_FROM_PTR(p) ((mp_obj_t)(p))
#define MP_DEFINE_CONST_FUN_OBJ_1(obj_name, fun_name) \
    const mp_obj_fun_builtin_fixed_t obj_name = {fun_name}

bool mp_sched_schedule(mp_obj_t function, mp_obj_t arg);

#endif // MPRS_TEST_RUNTIME_H
