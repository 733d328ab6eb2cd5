# modlwip.c fault: closing a listening socket sets tcp_err/tcp_recv on lwIP's LISTEN pcb,
# which lwIP asserts against ("invalid socket state for err callback"; boards define
# LWIP_PLATFORM_ASSERT as nothing and never see it). In "log" mode lwip_tap.checks("assert")
# lists the failed assertions: there must be none, and no listening pcb may be left.
import socket
import lwip_tap

# Shared helpers: listener(), connect(), recv_upto() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8001


def instance0():
    s = listener(PORT)
    lwip_tap.checks("assert")
    s.close()
    print("close():", lwip_tap.checks("assert"))
    stats = lwip_tap.stats()
    print("listening pcbs left:", stats["tcp_listen"], stats["memp_TCP_PCB_LISTEN"])
