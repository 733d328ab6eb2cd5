# Leak check: N connect/send/accept/recv/close cycles between a kernel client and the lwIP
# build's server; afterwards lwIP's pcb lists and memory pools (lwip_tap.stats(): every
# memp pool, pbufs included, and the mem heap) must be back where they began, but for pcbs
# in TIME-WAIT (lwIP keeps them 2 MSL, and reuses them when it runs out). Runs on both
# builds alike: a guard for mprs. N is 50; the stage's soak runs it with
# MPRS_CYCLES=10000 (set for both instances), and reads the cycles, the echoes and the
# pcbs left in TIME-WAIT from its metrics.
import os
import socket

# Shared helpers: listener(), connect(), recv_upto(), in_use(), left_in_use() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8004
N = int(os.getenv("MPRS_CYCLES") or 50)
SIZE = 100
# A metric line every so many cycles: run-multitests.py ends an instance that is silent
# for 10 s (C serves a few hundred cycles a second here, waiting now and then on the
# kernel's retransmission of data sent before accept()).
PROGRESS = 100


def instance0():
    import lwip_tap

    multitest.globals(IP=multitest.get_network_ip())
    before = in_use()
    s = listener(PORT, 2)
    multitest.next()
    echoed = 0
    for i in range(N):
        c, _ = s.accept()
        data = recv_upto(c, SIZE)
        c.send(data)
        echoed += len(data)
        c.close()
        if (i + 1) % PROGRESS == 0:
            multitest.output_metric("server: %d cycles" % (i + 1))
    s.close()
    print("echoed all" if echoed == N * SIZE else "echoed %d of %d bytes" % (echoed, N * SIZE))
    print("left in use:", left_in_use(before))
    multitest.output_metric("server: %d cycles, %d pcbs in TIME-WAIT" % (N, lwip_tap.stats()["tcp_tw"]))


def instance1():
    multitest.next()
    got = 0
    for i in range(N):
        c = connect(PORT)
        c.send(bytes([i & 0xFF]) * SIZE)
        got += recv_upto(c, SIZE) == bytes([i & 0xFF]) * SIZE
        c.close()
        if (i + 1) % PROGRESS == 0:
            multitest.output_metric("client: %d cycles" % (i + 1))
    print("echoes intact:", "all" if got == N else "%d of %d" % (got, N))
    multitest.output_metric("client: %d cycles, echoes intact %d" % (N, got))
