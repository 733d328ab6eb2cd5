// Test support for the lwIP shim; see harness.h.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/priv/tcp_priv.h"
#include "netif/ethernet.h"
#include "harness.h"
#include "py/runtime.h"

ip_addr_t harness_addr;
volatile size_t harness_sched_calls;
volatile size_t harness_sched_calls_from_lwip;

static pthread_t main_thread;
static pthread_t lwip_thread;
static volatile bool lwip_ready;
static struct netif test_netif;

static void tcpip_ready(void *arg) {
    (void)arg;
    lwip_thread = pthread_self();
    lwip_ready = true;
}

static void start_lwip(void) {
    main_thread = pthread_self();
    tcpip_init(tcpip_ready, NULL);
    while (!lwip_ready) {
        usleep(100);
    }
}


/******************************************************************************/
// Loopback netif: lwIP loops packets for the netif's own address (LWIP_NETIF_LOOPBACK)
// and delivers them on its thread; nothing else is routed here.

static err_t loop_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *dest) {
    (void)netif;
    (void)p;
    (void)dest;
    return ERR_OK;
}

static err_t loop_output_ip6(struct netif *netif, struct pbuf *p, const ip6_addr_t *dest) {
    (void)netif;
    (void)p;
    (void)dest;
    return ERR_OK;
}

static err_t loop_netif_init(struct netif *netif) {
    netif->name[0] = 'm';
    netif->name[1] = 'p';
    netif->output = loop_output;
    netif->output_ip6 = loop_output_ip6;
    netif->mtu = 1500;
    return ERR_OK;
}

// Starts lwIP and brings up the test netif at `ip`/24, the harness's address.
static void add_test_netif(const ip4_addr_t *ip, netif_init_fn init) {
    start_lwip();
    ip4_addr_t mask, gw;
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 0, 0, 0, 0);
    ip_addr_copy_from_ip4(harness_addr, *ip);
    LOCK_TCPIP_CORE();
    netif_add(&test_netif, ip, &mask, &gw, NULL, init, tcpip_input);
    netif_set_default(&test_netif);
    netif_set_up(&test_netif);
    netif_set_link_up(&test_netif);
    UNLOCK_TCPIP_CORE();
}

void harness_init(void) {
    ip4_addr_t ip;
    IP4_ADDR(&ip, 198, 51, 100, 1);
    add_test_netif(&ip, loop_netif_init);
}

/******************************************************************************/
// TAP netif: Ethernet frames to and from a kernel TAP device.

static int tap_fd = -1;

static err_t tap_linkoutput(struct netif *netif, struct pbuf *p) {
    (void)netif;
    uint8_t frame[1600];
    if (p->tot_len > sizeof(frame)) {
        return ERR_BUF;
    }
    pbuf_copy_partial(p, frame, p->tot_len, 0);
    return write(tap_fd, frame, p->tot_len) == (ssize_t)p->tot_len ? ERR_OK : ERR_IF;
}

static err_t tap_netif_init(struct netif *netif) {
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->output = etharp_output;
    netif->output_ip6 = loop_output_ip6;
    netif->linkoutput = tap_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = 6;
    static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x00, 0x02, 0x01};
    memcpy(netif->hwaddr, mac, 6);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

static void *tap_reader(void *arg) {
    (void)arg;
    uint8_t frame[1600];
    for (;;) {
        ssize_t n = read(tap_fd, frame, sizeof(frame));
        if (n <= 0) {
            return NULL;
        }
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (p == NULL) {
            continue;
        }
        pbuf_take(p, frame, (u16_t)n);
        if (test_netif.input(p, &test_netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
}

bool harness_init_tap(const char *tap, const char *addr) {
    tap_fd = open("/dev/net/tun", O_RDWR);
    if (tap_fd < 0) {
        perror("open /dev/net/tun");
        return false;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, tap, IFNAMSIZ - 1);
    if (ioctl(tap_fd, TUNSETIFF, &ifr) < 0) {
        perror("TUNSETIFF");
        return false;
    }
    ip4_addr_t ip;
    if (!ip4addr_aton(addr, &ip)) {
        return false;
    }
    add_test_netif(&ip, tap_netif_init);
    pthread_t reader;
    return pthread_create(&reader, NULL, tap_reader, NULL) == 0;
}

/******************************************************************************/
// The scheduler.

void mprs_lwip_port_run_callback(void *owner) {
    test_sock_t *s = owner;
    if (mprs_lwip_callback_due(&s->shim)) {
        s->callback_runs += 1;
        if (!pthread_equal(pthread_self(), main_thread)) {
            s->callback_off_main = true;
        }
    }
}

#if MPRS_LWIP_HOST_SCHEDULER

// mp_sched_schedule for c-glue/lwip.c (tests/lwip/mp-standin/runtime.h): a bounded queue, as
// MicroPython's.
static pthread_mutex_t sched_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct {
    mp_obj_t function, arg;
} sched_queue[64];
static size_t sched_head, sched_len, sched_capacity = 4;

bool mp_sched_schedule(mp_obj_t function, mp_obj_t arg) {
    pthread_mutex_lock(&sched_mutex);
    harness_sched_calls += 1;
    if (pthread_equal(pthread_self(), lwip_thread)) {
        harness_sched_calls_from_lwip += 1;
    }
    bool ok = sched_len < sched_capacity;
    if (ok) {
        sched_queue[(sched_head + sched_len) % 64].function = function;
        sched_queue[(sched_head + sched_len) % 64].arg = arg;
        sched_len += 1;
    }
    pthread_mutex_unlock(&sched_mutex);
    return ok;
}

void harness_sched_capacity(size_t n) {
    pthread_mutex_lock(&sched_mutex);
    sched_capacity = n < 64 ? n : 64;
    pthread_mutex_unlock(&sched_mutex);
}

size_t harness_drain(void) {
    size_t ran = 0;
    for (;;) {
        pthread_mutex_lock(&sched_mutex);
        const mp_obj_fun_builtin_fixed_t *function = NULL;
        mp_obj_t arg = NULL;
        if (sched_len > 0) {
            function = sched_queue[sched_head].function;
            arg = sched_queue[sched_head].arg;
            sched_head = (sched_head + 1) % 64;
            sched_len -= 1;
        }
        pthread_mutex_unlock(&sched_mutex);
        if (function == NULL) {
            return ran;
        }
        // The glue's scheduled function, as the VM would call it.
        function->fun(arg);
        ran += 1;
    }
}

#else

void harness_sched_capacity(size_t n) {
    (void)n;
}

size_t harness_drain(void) {
    return mprs_lwip_run_deferred();
}

#endif

/******************************************************************************/
// Sockets through the shim.

void sock_init(test_sock_t *s) {
    memset(s, 0, sizeof(*s));
    if (mprs_lwip_init(&s->shim, s) != ERR_OK) {
        fprintf(stderr, "sock_init: mprs_lwip_init failed\n");
        abort();
    }
}

void sock_listen(test_sock_t *s, uint16_t port, int backlog) {
    sock_init(s);
    LOCK_TCPIP_CORE();
    struct tcp_pcb *pcb = tcp_new();
    ip_set_option(pcb, SOF_REUSEADDR);
    err_t err = tcp_bind(pcb, &harness_addr, port);
    struct tcp_pcb *lpcb = err == ERR_OK ? tcp_listen_with_backlog(pcb, (u8_t)backlog) : NULL;
    UNLOCK_TCPIP_CORE();
    if (lpcb == NULL || mprs_lwip_tcp_listen(&s->shim, lpcb, backlog) != ERR_OK) {
        fprintf(stderr, "sock_listen: port %u failed (%d)\n", port, err);
        abort();
    }
}

size_t sock_read(test_sock_t *s, uint8_t *buf, size_t want, int ms, bool *eof, err_t *err) {
    size_t got = 0;
    *eof = false;
    *err = ERR_OK;
    for (long i = 0; got < want && i < (long)ms * 5; ++i) {
        err_t e;
        ptrdiff_t n = mprs_lwip_tcp_recv(&s->shim, buf + got, want - got, &e);
        if (n > 0) {
            got += (size_t)n;
            i = 0;
        } else if (n == 0) {
            *eof = true;
            break;
        } else if (e != ERR_WOULDBLOCK) {
            *err = e;
            break;
        } else {
            usleep(200);
        }
    }
    return got;
}

bool sock_write(test_sock_t *s, const uint8_t *data, size_t len) {
    struct tcp_pcb *pcb = mprs_lwip_pcb(&s->shim);
    for (size_t done = 0; done < len;) {
        LOCK_TCPIP_CORE();
        size_t room = pcb != NULL ? tcp_sndbuf(pcb) : 0;
        size_t n = len - done < room ? len - done : room;
        err_t err = n > 0 ? tcp_write(pcb, data + done, (u16_t)n, TCP_WRITE_FLAG_COPY) : ERR_OK;
        if (err == ERR_OK) {
            tcp_output(pcb);
        }
        UNLOCK_TCPIP_CORE();
        if (pcb == NULL || err != ERR_OK) {
            return false;
        }
        done += n;
        if (n == 0) {
            usleep(200);
        }
    }
    return true;
}

/******************************************************************************/
// The raw-API client.

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void)pcb;
    client_t *c = arg;
    c->connected = err == ERR_OK;
    return ERR_OK;
}

static err_t client_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
    (void)pcb;
    client_t *c = arg;
    c->acked += len;
    return ERR_OK;
}

static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    (void)arg;
    (void)err;
    if (p != NULL) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    return ERR_OK;
}

static void client_err(void *arg, err_t err) {
    client_t *c = arg;
    c->pcb = NULL;
    c->failed = true;
    c->err = err;
}

void client_connect(client_t *c, uint16_t port, const uint8_t *data, size_t len) {
    memset(c, 0, sizeof(*c));
    c->data = data;
    c->len = len;
    LOCK_TCPIP_CORE();
    c->pcb = tcp_new();
    tcp_arg(c->pcb, c);
    tcp_sent(c->pcb, client_sent);
    tcp_recv(c->pcb, client_recv);
    tcp_err(c->pcb, client_err);
    err_t err = tcp_connect(c->pcb, &harness_addr, port, client_connected);
    UNLOCK_TCPIP_CORE();
    if (err != ERR_OK) {
        fprintf(stderr, "client_connect: %d\n", err);
        abort();
    }
}

bool client_pump(client_t *c) {
    LOCK_TCPIP_CORE();
    if (c->pcb != NULL && c->connected && c->written < c->len) {
        size_t room = tcp_sndbuf(c->pcb);
        size_t n = c->len - c->written;
        if (n > room) {
            n = room;
        }
        if (n > 0xffff) {
            n = 0xffff;
        }
        if (n > 0 && tcp_write(c->pcb, c->data + c->written, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK) {
            c->written += n;
            tcp_output(c->pcb);
        }
    }
    UNLOCK_TCPIP_CORE();
    return c->acked >= c->len;
}

void client_close(client_t *c) {
    LOCK_TCPIP_CORE();
    if (c->pcb != NULL) {
        tcp_arg(c->pcb, NULL);
        tcp_sent(c->pcb, NULL);
        tcp_recv(c->pcb, NULL);
        tcp_err(c->pcb, NULL);
        if (tcp_close(c->pcb) != ERR_OK) {
            tcp_abort(c->pcb);
        }
        c->pcb = NULL;
    }
    UNLOCK_TCPIP_CORE();
}

void client_reset(client_t *c) {
    LOCK_TCPIP_CORE();
    if (c->pcb != NULL) {
        tcp_arg(c->pcb, NULL);
        tcp_err(c->pcb, NULL);
        tcp_abort(c->pcb);
        c->pcb = NULL;
    }
    UNLOCK_TCPIP_CORE();
}

/******************************************************************************/
// pcb lists.

static size_t list_len(struct tcp_pcb *pcb) {
    size_t n = 0;
    for (; pcb != NULL; pcb = pcb->next) {
        n += 1;
    }
    return n;
}

pcb_counts_t harness_pcb_counts(void) {
    LOCK_TCPIP_CORE();
    pcb_counts_t counts = {
        list_len(tcp_active_pcbs), list_len((struct tcp_pcb *)tcp_listen_pcbs.pcbs),
        list_len(tcp_tw_pcbs),
    };
    UNLOCK_TCPIP_CORE();
    return counts;
}

void harness_drain_time_wait(void) {
    LOCK_TCPIP_CORE();
    while (tcp_tw_pcbs != NULL) {
        tcp_abort(tcp_tw_pcbs);
    }
    UNLOCK_TCPIP_CORE();
}

void harness_fill(uint8_t *buf, size_t len, unsigned seed) {
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; ++i) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
}
