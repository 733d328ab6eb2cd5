# Guard for mprs: a raw socket. The lwIP build opens socket(AF_INET, SOCK_RAW, 1), sends an
# ICMP echo request to the kernel at its gateway, and reads the kernel's echo reply: type 0,
# the request's identifier, sequence and payload.
import socket


def checksum(data):
    total = sum((data[i] << 8) + data[i + 1] for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def instance0():
    import lwip_tap

    gateway = lwip_tap.ifconfig()[2]
    multitest.next()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 1)
    s.settimeout(2)
    request = bytearray(b"\x08\x00\x00\x00\x12\x34\x00\x01mprs raw ping...")
    request[2:4] = checksum(request).to_bytes(2, "big")
    s.sendto(request, (gateway, 0))
    reply, addr = s.recvfrom(256)
    if reply[0] >> 4 == 4:
        # An IP header first: skip it.
        reply = reply[(reply[0] & 15) * 4 :]
    print("reply from the gateway:", addr[0] == gateway)
    print("type", reply[0], "id and sequence kept:", reply[4:8] == request[4:8], "payload kept:", reply[8:] == request[8:])
    s.close()
    multitest.broadcast("done")


def instance1():
    multitest.next()
    multitest.wait("done")
    print("done")
