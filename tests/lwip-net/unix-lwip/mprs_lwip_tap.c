// The port side of lwIP for the unix lwIP test variant, as a board has it: the lwIP lock
// (a depth counter) and its checks, lwIP's clock, a TAP network interface polled from the
// VM's event hook, and a small `lwip_tap` module (ifconfig() for run-multitests.py's
// get_network_ip(), stats() for leak checks, dns() for the resolver).
//
// Environment, read once at start-up:
//   MPRS_LWIP_TAP="<tap device> <ip> <netmask> <gateway>"  bring the TAP interface up
//       (else lwIP has only its loopback interface, 127.0.0.1);
//   MPRS_LWIP_LOCK_CHECK=abort|log  an lwIP call without the lock aborts (default) or is
//       recorded and let through;
//   MPRS_LWIP_ASSERT=abort|log  a failed lwIP assertion aborts (default) or is recorded
//       and let through, as on a board whose LWIP_PLATFORM_ASSERT is empty;
//   MPRS_LWIP_CHECKS_LOG=<file>  where "log" mode appends one line per event;
//   MPRS_LWIP_TAP_LINGER_MS=<n>  after a frame, wait up to n milliseconds for the next one
//       before returning to the VM (default 0): a board's lwIP interrupt handles frames as
//       they come, between any two VM instructions; lingering widens our window alike.

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#include "py/objlist.h"
#include "py/runtime.h"
#include "py/mphal.h"
#include "extmod/misc.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"
#include "netif/ethernet.h"

#define MPRS_TAP_FRAME_MAX (1514)
#define MPRS_TAP_FRAMES_PER_POLL (64)

static int mprs_lwip_depth;
static bool mprs_lwip_ready;
static bool mprs_lock_abort = true;
static bool mprs_assert_abort = true;
static const char *mprs_checks_log;
static int mprs_tap_fd = -1;
static int mprs_tap_linger_ms;
static struct netif mprs_tap_netif;

// ---- checks ------------------------------------------------------------------------------

// The checks let through ("log" mode), for lwip_tap.checks(): the first 32 distinct ones.
#define MPRS_CHECKS_MAX (32)
static char mprs_checks[MPRS_CHECKS_MAX][96];
static size_t mprs_checks_len;

static void mprs_check_record(const char *kind, const char *what) {
    char line[sizeof(mprs_checks[0])];
    snprintf(line, sizeof(line), "%s %s", kind, what);
    size_t i = 0;
    while (i < mprs_checks_len && strcmp(mprs_checks[i], line) != 0) {
        ++i;
    }
    if (i == mprs_checks_len && i < MPRS_CHECKS_MAX) {
        memcpy(mprs_checks[i], line, sizeof(line));
        ++mprs_checks_len;
    }
    if (mprs_checks_log == NULL) {
        return;
    }
    int fd = open(mprs_checks_log, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0) {
        size_t n = strlen(line);
        line[n] = '\n';
        if (write(fd, line, n + 1) < 0) {
            // Nothing more to do: the record is best effort.
        }
        close(fd);
    }
}

void mprs_lwip_assert_core_locked(const char *func) {
    if (mprs_lwip_depth > 0) {
        return;
    }
    if (mprs_lock_abort) {
        fprintf(stderr, "lwIP: %s called without the lwIP lock (MICROPY_PY_LWIP_ENTER not held)\n", func);
        fflush(NULL);
        abort();
    }
    mprs_check_record("lock", func);
}

void mprs_lwip_platform_assert(const char *msg, const char *file, int line) {
    const char *base = strrchr(file, '/');
    char what[200];
    snprintf(what, sizeof(what), "\"%s\" at %s:%d", msg, base ? base + 1 : file, line);
    if (mprs_assert_abort) {
        fprintf(stderr, "lwIP: assertion %s failed\n", what);
        fflush(NULL);
        abort();
    }
    mprs_check_record("assert", what);
}

void mprs_lwip_lock_enter(void) {
    ++mprs_lwip_depth;
}

void mprs_lwip_lock_exit(void) {
    if (mprs_lwip_depth <= 0) {
        fprintf(stderr, "lwIP: MICROPY_PY_LWIP_EXIT without MICROPY_PY_LWIP_ENTER\n");
        fflush(NULL);
        abort();
    }
    --mprs_lwip_depth;
}

// ---- lwIP's platform services ------------------------------------------------------------

u32_t sys_now(void) {
    return (u32_t)mp_hal_ticks_ms();
}

// What network.ipconfig(prefer=...) sets where the port has a `network` module (this one
// has none); modlwip.c's getaddrinfo reads it.
int mp_mod_network_prefer_dns_use_ip_version = 4;

uint32_t mprs_lwip_rand(void) {
    return (uint32_t)random();
}

// ---- the TAP interface -------------------------------------------------------------------

static err_t mprs_tap_linkoutput(struct netif *netif, struct pbuf *p) {
    uint8_t frame[MPRS_TAP_FRAME_MAX];
    u16_t len = pbuf_copy_partial(p, frame, sizeof(frame), 0);
    if (len != p->tot_len) {
        return ERR_BUF;
    }
    // As a driver waits for a free transmit descriptor: the device's queue may be full.
    ssize_t n;
    for (int i = 0; (n = write(mprs_tap_fd, frame, len)) < 0 && errno == EAGAIN && i < 100; ++i) {
        struct pollfd pfd = { .fd = mprs_tap_fd, .events = POLLOUT };
        poll(&pfd, 1, 1);
    }
    if (n != (ssize_t)len) {
        LINK_STATS_INC(link.drop);
        return ERR_IF;
    }
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

static err_t mprs_tap_init(struct netif *netif) {
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    // A locally administered address.
    static const uint8_t mac[ETH_HWADDR_LEN] = {0x02, 0x00, 0x00, 0xc0, 0x00, 0x01};
    memcpy(netif->hwaddr, mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP;
    netif->output = etharp_output;
    netif->linkoutput = mprs_tap_linkoutput;
    return ERR_OK;
}

// Hands the frames waiting on the TAP device to lwIP (lock held).
static void mprs_tap_input(void) {
    if (mprs_tap_fd < 0) {
        return;
    }
    uint8_t frame[MPRS_TAP_FRAME_MAX];
    for (int i = 0; i < MPRS_TAP_FRAMES_PER_POLL; ++i) {
        ssize_t n = read(mprs_tap_fd, frame, sizeof(frame));
        if (n <= 0 && i > 0 && mprs_tap_linger_ms > 0) {
            struct pollfd pfd = { .fd = mprs_tap_fd, .events = POLLIN };
            if (poll(&pfd, 1, mprs_tap_linger_ms) == 1) {
                n = read(mprs_tap_fd, frame, sizeof(frame));
            }
        }
        if (n <= 0) {
            break;
        }
        // From lwIP's pbuf pool, as board drivers take received frames (cyw43, the stm32
        // Ethernet): a chain of pool pbufs that pbuf_take() fills across. Not PBUF_RAM: taken
        // from lwIP's small heap (MEM_SIZE), where TCP keeps its unacknowledged data, the
        // ACKs that would free that data find no room once it is full, and a send stalls.
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);
        if (p == NULL) {
            LINK_STATS_INC(link.memerr);
            break;
        }
        pbuf_take(p, frame, (u16_t)n);
        if (mprs_tap_netif.input(p, &mprs_tap_netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
}

// Resolves the gateway's (the kernel side's) MAC address before the first test runs, as
// DHCP would on a LAN: with ARP_QUEUEING off, lwIP keeps one packet per unresolved address
// and a test's first UDP datagrams would be lost to ARP, on any socket module. The kernel
// may take a second to see the device's carrier after an earlier process let it go.
static void mprs_tap_resolve_gateway(const ip4_addr_t *gw) {
    for (int i = 0; i < 3000; ++i) {
        if (i % 100 == 0) {
            etharp_request(&mprs_tap_netif, gw);
        }
        struct eth_addr *eth;
        const ip4_addr_t *ip;
        mprs_tap_input();
        if (etharp_find_addr(&mprs_tap_netif, gw, &eth, &ip) >= 0) {
            return;
        }
        usleep(1000);
    }
    fprintf(stderr, "lwip_tap: warning: no ARP reply from the gateway in 3 s\n");
}

static void mprs_fatal(const char *what, const char *detail) {
    fprintf(stderr, "lwip_tap: %s: %s\n", what, detail);
    exit(1);
}

static void mprs_tap_open(const char *spec) {
    char dev[IFNAMSIZ], ip[16], mask[16], gw[16];
    if (sscanf(spec, "%15s %15s %15s %15s", dev, ip, mask, gw) != 4) {
        mprs_fatal("MPRS_LWIP_TAP must be '<device> <ip> <netmask> <gateway>'", spec);
    }
    ip4_addr_t a_ip, a_mask, a_gw;
    if (!ip4addr_aton(ip, &a_ip) || !ip4addr_aton(mask, &a_mask) || !ip4addr_aton(gw, &a_gw)) {
        mprs_fatal("bad address in MPRS_LWIP_TAP", spec);
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        mprs_fatal("cannot open /dev/net/tun", strerror(errno));
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        mprs_fatal("cannot attach to the TAP device", strerror(errno));
    }
    mprs_tap_fd = fd;
    netif_add(&mprs_tap_netif, &a_ip, &a_mask, &a_gw, NULL, mprs_tap_init, ethernet_input);
    netif_set_default(&mprs_tap_netif);
    netif_set_up(&mprs_tap_netif);
    netif_set_link_up(&mprs_tap_netif);
    mprs_tap_resolve_gateway(&a_gw);
}

__attribute__((constructor))
static void mprs_lwip_start(void) {
    const char *mode = getenv("MPRS_LWIP_LOCK_CHECK");
    mprs_lock_abort = !(mode && strcmp(mode, "log") == 0);
    mode = getenv("MPRS_LWIP_ASSERT");
    mprs_assert_abort = !(mode && strcmp(mode, "log") == 0);
    mprs_checks_log = getenv("MPRS_LWIP_CHECKS_LOG");
    const char *linger = getenv("MPRS_LWIP_TAP_LINGER_MS");
    mprs_tap_linger_ms = linger ? atoi(linger) : 0;
    srandom((unsigned)getpid());
    mprs_lwip_lock_enter();
    lwip_init();
    const char *tap = getenv("MPRS_LWIP_TAP");
    if (tap != NULL && *tap) {
        mprs_tap_open(tap);
    }
    mprs_lwip_lock_exit();
    mprs_lwip_ready = true;
}

// Called wherever the VM waits (MICROPY_INTERNAL_EVENT_HOOK). Like a board's lwIP interrupt,
// it does nothing while the VM holds the lwIP lock.
void mprs_lwip_poll(void) {
    if (!mprs_lwip_ready || mprs_lwip_depth > 0) {
        return;
    }
    mprs_lwip_lock_enter();
    mprs_tap_input();
    netif_poll_all();
    sys_check_timeouts();
    mprs_lwip_lock_exit();
}

// ---- the lwip_tap module -----------------------------------------------------------------

static mp_obj_t mprs_ip_str(const ip4_addr_t *a) {
    char buf[IP4ADDR_STRLEN_MAX];
    ip4addr_ntoa_r(a, buf, sizeof(buf));
    return mp_obj_new_str(buf, strlen(buf));
}

// (ip, netmask, gateway, dns), as network.LAN().ifconfig() gives.
static mp_obj_t mprs_tap_ifconfig(void) {
    ip4_addr_t none;
    ip4_addr_set_zero(&none);
    bool up = mprs_tap_fd >= 0;
    mp_obj_t items[4] = {
        mprs_ip_str(up ? netif_ip4_addr(&mprs_tap_netif) : &none),
        mprs_ip_str(up ? netif_ip4_netmask(&mprs_tap_netif) : &none),
        mprs_ip_str(up ? netif_ip4_gw(&mprs_tap_netif) : &none),
        mprs_ip_str(ip_2_ip4(dns_getserver(0))),
    };
    return mp_obj_new_tuple(4, items);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_tap_ifconfig_obj, mprs_tap_ifconfig);

// dns(addr): lwIP's DNS server, as a board's ifconfig((ip, mask, gw, dns)) sets it.
static mp_obj_t mprs_tap_dns(mp_obj_t addr_in) {
    ip_addr_t server;
    if (!ipaddr_aton(mp_obj_str_get_str(addr_in), &server)) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid address"));
    }
    MICROPY_PY_LWIP_ENTER
    dns_setserver(0, &server);
    MICROPY_PY_LWIP_EXIT
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_tap_dns_obj, mprs_tap_dns);

static mp_int_t mprs_count_tcp(struct tcp_pcb *pcb) {
    mp_int_t n = 0;
    for (; pcb != NULL; pcb = pcb->next) {
        ++n;
    }
    return n;
}

static void mprs_stat(mp_obj_t dict, const char *name, mp_int_t value) {
    mp_obj_dict_store(dict, mp_obj_new_str(name, strlen(name)), mp_obj_new_int(value));
}

static const char *const mprs_memp_names[] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

// lwIP's pcb lists and pool use, for leak checks: {'tcp_active': n, 'tcp_listen': n,
// 'tcp_tw': n, 'tcp_bound': n, 'udp': n, 'mem_used': bytes, 'memp_<POOL>': n, ...}, the
// frames the TAP netif sent ('link_xmit') and could not send ('link_drop') and the TCP
// segments lwIP took in ('tcp_recv', lwIP's tcp.recv statistic) so far, and
// 'tcp_active_states': the lwIP states (enum tcp_state) of the active pcbs, as a string of
// digits, e.g. '47' for one in ESTABLISHED and one in FIN_WAIT_2.
static mp_obj_t mprs_tap_stats(void) {
    mp_obj_t d = mp_obj_new_dict(0);
    mprs_lwip_lock_enter();
    mprs_stat(d, "tcp_active", mprs_count_tcp(tcp_active_pcbs));
    char states[64];
    size_t n_states = 0;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL && n_states < sizeof(states); pcb = pcb->next) {
        states[n_states++] = (char)('0' + pcb->state);
    }
    mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(MP_QSTR_tcp_active_states), mp_obj_new_str(states, n_states));
    mprs_stat(d, "tcp_listen", mprs_count_tcp((struct tcp_pcb *)tcp_listen_pcbs.pcbs));
    mprs_stat(d, "tcp_tw", mprs_count_tcp(tcp_tw_pcbs));
    mprs_stat(d, "tcp_bound", mprs_count_tcp(tcp_bound_pcbs));
    mp_int_t udp = 0;
    for (struct udp_pcb *u = udp_pcbs; u != NULL; u = u->next) {
        ++udp;
    }
    mprs_stat(d, "udp", udp);
    mprs_stat(d, "mem_used", lwip_stats.mem.used);
    mprs_stat(d, "link_xmit", lwip_stats.link.xmit);
    mprs_stat(d, "link_drop", lwip_stats.link.drop);
    mprs_stat(d, "tcp_recv", lwip_stats.tcp.recv);
    for (size_t i = 0; i < MEMP_MAX; ++i) {
        char name[40];
        snprintf(name, sizeof(name), "memp_%s", mprs_memp_names[i]);
        mprs_stat(d, name, lwip_stats.memp[i]->used);
    }
    mprs_lwip_lock_exit();
    return d;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_tap_stats_obj, mprs_tap_stats);

// Runs lwIP once (frames, loopback, timers), as the VM's waits do.
static mp_obj_t mprs_tap_poll(void) {
    mprs_lwip_poll();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_tap_poll_obj, mprs_tap_poll);

// checks(kind): the distinct checks let through since the last call, whose kind ("lock" or
// "assert") matches, as a sorted list of "<kind> <what>" strings; forgets all of them.
static mp_obj_t mprs_tap_checks(mp_obj_t kind_in) {
    const char *kind = mp_obj_str_get_str(kind_in);
    size_t kind_len = strlen(kind);
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (size_t i = 0; i < mprs_checks_len; ++i) {
        if (strncmp(mprs_checks[i], kind, kind_len) == 0 && mprs_checks[i][kind_len] == ' ') {
            mp_obj_list_append(list, mp_obj_new_str(mprs_checks[i], strlen(mprs_checks[i])));
        }
    }
    mprs_checks_len = 0;
    mp_obj_list_sort(1, &list, (mp_map_t *)&mp_const_empty_map);
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_tap_checks_obj, mprs_tap_checks);

static const mp_rom_map_elem_t mprs_tap_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_checks), MP_ROM_PTR(&mprs_tap_checks_obj) },
    { MP_ROM_QSTR(MP_QSTR_dns), MP_ROM_PTR(&mprs_tap_dns_obj) },
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_lwip_tap) },
    { MP_ROM_QSTR(MP_QSTR_ifconfig), MP_ROM_PTR(&mprs_tap_ifconfig_obj) },
    { MP_ROM_QSTR(MP_QSTR_stats), MP_ROM_PTR(&mprs_tap_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_poll), MP_ROM_PTR(&mprs_tap_poll_obj) },
};
static MP_DEFINE_CONST_DICT(mprs_tap_globals, mprs_tap_globals_table);

const mp_obj_module_t mprs_tap_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mprs_tap_globals,
};

MP_REGISTER_MODULE(MP_QSTR_lwip_tap, mprs_tap_module);

// ---- the REPL's input --------------------------------------------------------------------

// Stands for ports/unix/unix_mphal.c's mp_hal_stdin_rx_chr (linked with
// -Wl,--wrap=mp_hal_stdin_rx_chr, see mpconfigvariant.mk). That one blocks in read() on
// stdin, where lwIP and scheduled callbacks (WebREPL's accept, option 20) never run, and
// spins on a dupterm stream with no data. This one waits as a board's REPL does: the
// dupterm slot first (mp_os_dupterm_rx_chr: non-blocking, detaches a stream at EOF or
// error), then stdin if it has a byte, else mp_event_wait_ms(1) (lwIP polled, scheduled
// callbacks run; an exception they raise is printed, not thrown into the REPL's readline).
#if MICROPY_PY_OS_DUPTERM
// dupterm compares each byte read with the interrupt character; the unix port (whose ctrl-C
// is a signal) has no shared/runtime/interrupt_char.c, so it is here and stays -1: a ctrl-C
// sent over WebREPL is an ordinary byte.
int mp_interrupt_char = -1;
#endif

int __wrap_mp_hal_stdin_rx_chr(void) {
    for (;;) {
        #if MICROPY_PY_OS_DUPTERM
        int c = mp_os_dupterm_rx_chr();
        if (c >= 0) {
            return c == '\n' ? '\r' : c; // as unix_mphal.c (the client ends lines with \r\n)
        }
        #endif
        struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
        if (poll(&in, 1, 0) > 0) {
            unsigned char ch;
            ssize_t n = read(STDIN_FILENO, &ch, 1);
            if (n <= 0) {
                return 4; // end of input: ctrl-D, as the unix port
            }
            return ch == '\n' ? '\r' : ch;
        }
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            mp_event_wait_ms(1);
            nlr_pop();
        } else {
            mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
        }
    }
}
