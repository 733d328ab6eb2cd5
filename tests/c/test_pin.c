// Virtual pins through libmprs.a: a C pin implementing the ioctl, a Rust pin (the latch
// pin) through its C vtable, the default MPHAL operations, and requests a pin lacks.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "host_pin.h"

#define MP_PIN_READ 1
#define MP_PIN_WRITE 2
#define MP_PIN_INPUT 3
#define MP_PIN_OUTPUT 4

// A C pin: a level and a direction, logging each request; it can be made to fail.
typedef struct {
    const mprs_pin_p_t *proto;
    int level, output;
    char log[64];
    size_t n_log;
    int fail_errno; // answer every request with this errno
    int raise;      // every request raises
    int null_errcode_seen;
} c_pin_t;

static mprs_uint_t c_pin_ioctl(mprs_obj_t obj, mprs_uint_t request, size_t arg, int *errcode) {
    c_pin_t *p = (c_pin_t *)(uintptr_t)obj;
    if (errcode == NULL) {
        p->null_errcode_seen = 1;
    }
    if (p->raise) {
        return HOST_PIN_RAISE;
    }
    if (p->fail_errno) {
        *errcode = p->fail_errno;
        return (mprs_uint_t)-1;
    }
    static const char codes[] = "?RWIO";
    if (p->n_log + 1 < sizeof(p->log)) {
        p->log[p->n_log++] = request <= 4 ? codes[request] : '?';
        p->log[p->n_log] = '\0';
    }
    switch (request) {
        case MP_PIN_READ:
            return (mprs_uint_t)p->level;
        case MP_PIN_WRITE:
            p->level = arg != 0;
            return 0;
        case MP_PIN_INPUT:
            p->output = 0;
            p->level = 1; // pulled up
            return 0;
        case MP_PIN_OUTPUT:
            p->output = 1;
            return 0;
    }
    // An unknown request answered as MicroPython's PinBase does: -1, no errno.
    return (mprs_uint_t)-1;
}

static const mprs_pin_p_t c_pin_proto = { c_pin_ioctl };

static mprs_obj_t obj(void *p) {
    return (mprs_obj_t)(uintptr_t)p;
}

static int apply(void *pin, mprs_pin_op op, mprs_call_t *call) {
    return host_pin_apply(call, obj(pin), op);
}

static void c_pin_read_write(void **state) {
    (void)state;
    c_pin_t p = { .proto = &c_pin_proto };
    mprs_call_t call = HOST_CALL_INIT;
    int err = -1;
    assert_int_equal(apply(&p, MPRS_PIN_OP_HIGH, &call), 0);
    assert_int_equal(host_pin_read(&call, obj(&p), &err), 1);
    assert_int_equal(err, 0);
    assert_int_equal(apply(&p, MPRS_PIN_OP_LOW, &call), 0);
    assert_int_equal(host_pin_read(&call, obj(&p), NULL), 0);
    assert_string_equal(p.log, "WRWR");
    assert_int_equal(p.null_errcode_seen, 0); // pins always get somewhere to put an errno
}

static void default_mphal_operations(void **state) {
    (void)state;
    c_pin_t p = { .proto = &c_pin_proto, .level = 1 };
    mprs_call_t call = HOST_CALL_INIT;
    assert_int_equal(apply(&p, MPRS_PIN_OP_OD_LOW, &call), 0);
    assert_string_equal(p.log, "WO"); // level first, then output: no glitch high
    assert_int_equal(p.level, 0);
    assert_int_equal(p.output, 1);
    assert_int_equal(apply(&p, MPRS_PIN_OP_OD_HIGH, &call), 0);
    assert_int_equal(p.output, 0);
    assert_int_equal(host_pin_read(&call, obj(&p), NULL), 1); // released, pulled up
    assert_int_equal(apply(&p, MPRS_PIN_OP_OUTPUT, &call), 0);
    assert_int_equal(apply(&p, MPRS_PIN_OP_INPUT, &call), 0);
    assert_string_equal(p.log, "WOIROI");
}

static void pin_errors_and_exceptions(void **state) {
    (void)state;
    c_pin_t p = { .proto = &c_pin_proto, .fail_errno = 19 };
    mprs_call_t call = HOST_CALL_INIT;
    int err;
    assert_int_equal(host_pin_read(&call, obj(&p), &err), -1);
    assert_int_equal(err, 19);
    assert_int_equal(apply(&p, MPRS_PIN_OP_OD_LOW, &call), 19);
    p.fail_errno = 0;
    p.raise = 1;
    assert_int_equal(apply(&p, MPRS_PIN_OP_HIGH, &call), MPRS_RAISED);
    assert_true(call.raised);
    assert_string_equal(call.exc, "RuntimeError: pin broke");
}

static void unknown_request_is_a_value_as_in_pinbase(void **state) {
    (void)state;
    // -1 without an errno: read gives -1, as the C original returns it.
    c_pin_t p = { .proto = &c_pin_proto };
    int err = -1;
    assert_int_equal((int)c_pin_ioctl(obj(&p), 99, 0, &err), -1);
    mprs_call_t call = HOST_CALL_INIT;
    static const mprs_pin_p_t no_ioctl = { NULL };
    const mprs_pin_p_t *not_a_pin = &no_ioctl;
    assert_int_equal(host_pin_read(&call, obj(&not_a_pin), &err), -1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
}

// A Rust pin, through the vtable the adapter made for it.
static void rust_pin_through_its_vtable(void **state) {
    (void)state;
    const mprs_pin_p_t *proto = mprs_pin_latch_protocol();
    assert_non_null(proto);
    assert_non_null(proto->ioctl);
    mprs_latch_pin_obj_t latch;
    mprs_pin_latch_init(&latch, (const void *)proto);
    assert_ptr_equal(latch.base.type_, proto);
    int err = 0;
    // Called directly, as MicroPython calls a pin's protocol.
    assert_int_equal(proto->ioctl(obj(&latch), MP_PIN_WRITE, 1, &err), 0);
    assert_int_equal(proto->ioctl(obj(&latch), MP_PIN_READ, 0, &err), 1);
    assert_int_equal(proto->ioctl(obj(&latch), MP_PIN_OUTPUT, 0, &err), 0);
    assert_true(latch.pin.output);
    assert_int_equal(err, 0);
    // Unsupported requests: EINVAL, and a NULL errcode (as the C original passes) is fine.
    assert_int_equal(proto->ioctl(obj(&latch), 42, 0, &err), (mprs_uint_t)-1);
    assert_int_equal(err, host_errno(MPRS_ERRNO_EINVAL));
    assert_int_equal(proto->ioctl(obj(&latch), 42, 0, NULL), (mprs_uint_t)-1);
    assert_int_equal(proto->ioctl(0, MP_PIN_READ, 0, &err), (mprs_uint_t)-1);
    // And through the MPHAL operations, like any pin (the latch's base is its "type").
    mprs_call_t call = HOST_CALL_INIT;
    assert_int_equal(host_pin_apply(&call, obj(&latch), MPRS_PIN_OP_OD_LOW), 0);
    assert_false(latch.pin.level);
    assert_int_equal(host_pin_apply(&call, obj(&latch), MPRS_PIN_OP_OD_HIGH), 0);
    assert_int_equal(host_pin_read(&call, obj(&latch), NULL), 1);
    mprs_pin_latch_init(NULL, NULL); // ignored
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(c_pin_read_write),
        cmocka_unit_test(default_mphal_operations),
        cmocka_unit_test(pin_errors_and_exceptions),
        cmocka_unit_test(unknown_request_is_a_value_as_in_pinbase),
        cmocka_unit_test(rust_pin_through_its_vtable),
    };
    return cmocka_run_group_tests_name("pin", tests, NULL, NULL);
}
