// Host dupterm port services: see host_dupterm.h. The messages are the ones the C original
// (and c-glue/dupterm.c) prints.
#include <stdio.h>
#include <string.h>

#include "host_dupterm.h"

host_term_t *host_dupterm_slots[HOST_DUPTERM_SLOTS];
char host_dupterm_log[1024];
int host_interrupt_char = 3;
unsigned host_interrupts_scheduled;

void host_dupterm_reset(void) {
    memset(host_dupterm_slots, 0, sizeof(host_dupterm_slots));
    host_dupterm_log[0] = '\0';
    host_interrupt_char = 3;
    host_interrupts_scheduled = 0;
}

void host_term_init(host_term_t *t) {
    memset(t, 0, sizeof(*t));
}

void host_term_script(host_term_t *t, const int *reads, size_t n) {
    n = n < HOST_SCRIPT_MAX ? n : HOST_SCRIPT_MAX;
    memcpy(t->reads, reads, n * sizeof(int));
    t->n_reads = n;
    t->next_read = 0;
}

static void log_append(const char *s) {
    size_t len = strlen(host_dupterm_log);
    snprintf(host_dupterm_log + len, sizeof(host_dupterm_log) - len, "%s", s);
}

static host_term_t *term_of(mprs_obj_t stream) {
    return (host_term_t *)(uintptr_t)stream;
}

bool mprs_port_dupterm_stream(size_t slot, mprs_obj_t *stream) {
    host_term_t *t = slot < HOST_DUPTERM_SLOTS ? host_dupterm_slots[slot] : NULL;
    *stream = (mprs_obj_t)(uintptr_t)t;
    return t != NULL;
}

bool mprs_port_dupterm_builtin(mprs_obj_t stream) {
    return term_of(stream)->builtin;
}

static void raise_in(mprs_call_t *call, const char *exc) {
    call->raised = true;
    call->exc = exc;
}

int mprs_port_dupterm_read(mprs_call_t *call, mprs_obj_t stream, uint8_t *out) {
    host_term_t *t = term_of(stream);
    t->reads_done++;
    int step = t->next_read < t->n_reads ? t->reads[t->next_read++] : HOST_READ_WOULD_BLOCK;
    switch (step) {
        case HOST_READ_EOF:
            return MPRS_DUPTERM_EOF;
        case HOST_READ_WOULD_BLOCK:
            return MPRS_DUPTERM_WOULD_BLOCK;
        case HOST_READ_RAISE:
            if (!t->builtin) {
                raise_in(call, "ValueError: boom\n");
            }
            return MPRS_DUPTERM_FAILED;
        case HOST_READ_OSERROR:
            if (!t->builtin) {
                raise_in(call, "OSError: [Errno 5] EIO\n");
            }
            return MPRS_DUPTERM_FAILED;
        default:
            *out = (uint8_t)step;
            return 1;
    }
}

ptrdiff_t mprs_port_dupterm_write(mprs_call_t *call, mprs_obj_t stream, const uint8_t *buf, size_t len) {
    host_term_t *t = term_of(stream);
    t->writes_done++;
    size_t n = len;
    switch (t->write_mode) {
        case HOST_WRITE_RAISE:
            if (!t->builtin) {
                raise_in(call, "ValueError: boom\n");
            }
            return MPRS_DUPTERM_FAILED;
        case HOST_WRITE_NONE:
            return MPRS_DUPTERM_WOULD_BLOCK;
        case HOST_WRITE_SHORT:
            n = t->write_n < len ? t->write_n : len;
            break;
        case HOST_WRITE_ALL:
            break;
    }
    size_t room = sizeof(t->written) - t->written_len;
    size_t keep = n < room ? n : room;
    memcpy(t->written + t->written_len, buf, keep);
    t->written_len += keep;
    return (ptrdiff_t)n;
}

mprs_uint_t mprs_port_dupterm_poll(mprs_obj_t stream, mprs_uint_t flags) {
    host_term_t *t = term_of(stream);
    t->polls_done++;
    return t->poll_result == (mprs_uint_t)-1 ? t->poll_result : (t->poll_result & flags);
}

bool mprs_port_dupterm_detach(mprs_obj_t stream) {
    bool held = false;
    for (size_t i = 0; i < HOST_DUPTERM_SLOTS; i++) {
        if (host_dupterm_slots[i] == term_of(stream)) {
            host_dupterm_slots[i] = NULL;
            held = true;
        }
    }
    return held;
}

void mprs_port_dupterm_report(mprs_call_t *call, mprs_dupterm_why why, const char *msg) {
    switch (why) {
        case MPRS_DUPTERM_WHY_EOF:
            log_append("dupterm: EOF received, deactivating\n");
            break;
        case MPRS_DUPTERM_WHY_READ_FAILED:
            log_append("dupterm: Exception in read() method, deactivating: ");
            break;
        case MPRS_DUPTERM_WHY_WRITE_FAILED:
            log_append("dupterm: Exception in write() method, deactivating: ");
            break;
        case MPRS_DUPTERM_WHY_REQUESTED:
            log_append(msg != NULL ? msg : "");
            break;
    }
    if (call->raised) {
        log_append(call->exc);
        call->raised = false;
        call->exc = NULL;
    }
}

void mprs_port_dupterm_close(mprs_obj_t stream) {
    host_term_t *t = term_of(stream);
    t->closes++; // a raising close is swallowed by the port; it is still the one close
}

int mprs_port_dupterm_interrupt_char(void) {
    return host_interrupt_char;
}

void mprs_port_dupterm_schedule_interrupt(void) {
    host_interrupts_scheduled++;
}
