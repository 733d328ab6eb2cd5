// Host dupterm slots for the C tests: each slot holds a scripted terminal stream, and what
// the port prints when it deactivates one is captured in host_dupterm_log.
#ifndef MPRS_HOST_DUPTERM_H
#define MPRS_HOST_DUPTERM_H

#include "host_port.h"

#define HOST_DUPTERM_SLOTS 3
#define HOST_SCRIPT_MAX 16

// Script entries for reads: a byte (0..255) or one of these.
#define HOST_READ_EOF (-1)
#define HOST_READ_WOULD_BLOCK (-2)
#define HOST_READ_RAISE (-3)   // read() raises ValueError('boom')
#define HOST_READ_OSERROR (-4) // read() fails with errno EIO: reported as an OSError

typedef enum {
    HOST_WRITE_ALL,
    HOST_WRITE_SHORT, // writes write_n bytes
    HOST_WRITE_NONE,  // returns None (non-blocking, nothing taken)
    HOST_WRITE_RAISE, // write() raises ValueError('boom')
} host_write_mode_t;

typedef struct {
    int reads[HOST_SCRIPT_MAX];
    size_t n_reads, next_read;
    host_write_mode_t write_mode;
    size_t write_n;
    mprs_uint_t poll_result; // (mprs_uint_t)-1: the poll ioctl raises
    bool builtin;
    // What happened to it.
    unsigned closes, reads_done, writes_done, polls_done;
    char written[256];
    size_t written_len;
} host_term_t;

// The slots: NULL is empty.
extern host_term_t *host_dupterm_slots[HOST_DUPTERM_SLOTS];
extern char host_dupterm_log[1024];
extern int host_interrupt_char;
extern unsigned host_interrupts_scheduled;

void host_dupterm_reset(void);
void host_term_init(host_term_t *t);
void host_term_script(host_term_t *t, const int *reads, size_t n);

#endif // MPRS_HOST_DUPTERM_H
