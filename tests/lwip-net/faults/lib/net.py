# What the fault tests share, run in each instance with
#     exec(open("lib/net.py").read())
# (run-multitests.py runs an instance in the test's folder; `socket` must be imported).


def listener(port, backlog=1):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("0.0.0.0", port)[0][-1])
    s.listen(backlog)
    return s


def connect(port):
    c = socket.socket()
    c.connect(socket.getaddrinfo(IP, port)[0][-1])
    return c


def recv_upto(c, size):
    """Up to size bytes: fewer only at end of file."""
    data = b""
    while len(data) < size:
        chunk = c.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def in_use():
    """lwIP's pcb lists and pools in use (lwip_tap.stats(), the lwIP build only), less what
    TIME-WAIT holds: lwIP keeps those pcbs 2 MSL and reuses them when it runs out."""
    import lwip_tap

    # Counts in use only: not the link's frame counters, nor the TCP segments received.
    st = {k: v for k, v in lwip_tap.stats().items() if not k.startswith("link_") and k != "tcp_recv"}
    # TIME-WAIT pcbs come from the TCP_PCB pool too.
    st["memp_TCP_PCB"] -= st["tcp_tw"]
    # So does lwIP's TCP timer (one SYS_TIMEOUT), which runs while any pcb is left.
    if st["tcp_tw"] and not st["tcp_active"]:
        st["memp_SYS_TIMEOUT"] -= 1
    del st["tcp_tw"], st["tcp_active_states"]
    return st


def left_in_use(before):
    """What in_use() holds beyond `before`, once lwIP has had up to 5 s to finish closing
    (time.sleep polls it): [(name, extra)], empty when everything is back."""
    import time

    for _ in range(50):
        after = in_use()
        if after == before:
            break
        time.sleep(0.1)
    return sorted((k, after[k] - before[k]) for k in after if after[k] != before[k])
