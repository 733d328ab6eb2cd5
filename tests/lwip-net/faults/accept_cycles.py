# Leak check: N connect/send/accept/recv/close cycles between a kernel client and the lwIP
# build's server; afterwards lwIP's pcb lists and memory pools (lwip_tap.stats()) must be
# back where they began, but for pcbs in TIME-WAIT (lwIP keeps them 2 MSL, and reuses
# them when it runs out). Runs on both builds alike: a guard for mprs.
import socket
import time

# Shared helpers: listener(), connect(), recv_upto(), in_use() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8004
N = 50
SIZE = 100


def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    before = in_use()
    s = listener(PORT, 2)
    multitest.next()
    echoed = 0
    for _ in range(N):
        c, _ = s.accept()
        data = recv_upto(c, SIZE)
        c.send(data)
        echoed += len(data)
        c.close()
    s.close()
    # The last connections finish closing while lwIP runs (time.sleep polls it): 5 s at most.
    for _ in range(50):
        after = in_use()
        if after == before:
            break
        time.sleep(0.1)
    print("echoed", echoed)
    print("left in use:", sorted((k, after[k] - before[k]) for k in after if after[k] != before[k]))


def instance1():
    multitest.next()
    got = 0
    for i in range(N):
        c = connect(PORT)
        c.send(bytes([i]) * SIZE)
        got += recv_upto(c, SIZE) == bytes([i]) * SIZE
        c.close()
    print("echoes intact", got)
