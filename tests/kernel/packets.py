"""A small packet builder for the example cases, standard library only.

Builds Ethernet frames carrying IPv4 or IPv6 and TCP, UDP or ICMP/ICMPv6, with correct
lengths and checksums (IPv4 header checksum; TCP/UDP/ICMPv6 checksums over the pseudo-header;
ICMP checksum over the message). Everything returns bytes; hex() gives the form that
kernel_run and bpfplay take.

    frame = tcp4("10.0.0.1", "10.0.0.2", 1234, 80, flags="S")
    frame = udp6("2001:db8::1", "2001:db8::2", 5353, 53, payload=b"hi")
    frame = icmp4_echo("192.168.1.10", "192.168.1.1", ident=1, seq=1)
"""

import ipaddress
import struct

SRC_MAC = bytes.fromhex("020000000001")
DST_MAC = bytes.fromhex("020000000002")

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD

IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_GRE = 47
IPPROTO_ICMPV6 = 58

TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071): one's complement of the one's-complement sum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ip(addr: str) -> bytes:
    return ipaddress.ip_address(addr).packed


def ethernet(ethertype: int, payload: bytes, src: bytes = SRC_MAC, dst: bytes = DST_MAC) -> bytes:
    return dst + src + struct.pack("!H", ethertype) + payload


def ipv4(src: str, dst: str, proto: int, payload: bytes, ttl: int = 64, ident: int = 1,
         tos: int = 0, options: bytes = b"", frag_off: int = 0x4000) -> bytes:
    """An IPv4 header (with options, padded to 4 bytes) and its payload. frag_off defaults to
    the DF bit; pass e.g. 0x0010 for a later fragment (offset 16 * 8 bytes)."""
    options += b"\0" * (-len(options) % 4)
    ihl = 5 + len(options) // 4
    total_len = ihl * 4 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, total_len, ident, frag_off, ttl, proto,
                      0, _ip(src), _ip(dst)) + options
    csum = checksum(hdr)
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + payload


def ipv6(src: str, dst: str, nexthdr: int, payload: bytes, hop_limit: int = 64,
         flow_label: int = 0, traffic_class: int = 0) -> bytes:
    first = (6 << 28) | (traffic_class << 20) | flow_label
    return struct.pack("!IHBB16s16s", first, len(payload), nexthdr, hop_limit, _ip(src),
                       _ip(dst)) + payload


def _pseudo(src: str, dst: str, proto: int, length: int) -> bytes:
    if ipaddress.ip_address(src).version == 4:
        return _ip(src) + _ip(dst) + struct.pack("!BBH", 0, proto, length)
    return _ip(src) + _ip(dst) + struct.pack("!IxxxB", length, proto)


def tcp_segment(src: str, dst: str, sport: int, dport: int, flags: str = "S", seq: int = 1000,
                ack: int = 0, window: int = 65535, payload: bytes = b"") -> bytes:
    bits = 0
    for f in flags:
        bits |= TCP_FLAGS[f]
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, bits, window, 0, 0)
    seg = hdr + payload
    csum = checksum(_pseudo(src, dst, IPPROTO_TCP, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def udp_datagram(src: str, dst: str, sport: int, dport: int, payload: bytes = b"") -> bytes:
    length = 8 + len(payload)
    dgram = struct.pack("!HHHH", sport, dport, length, 0) + payload
    csum = checksum(_pseudo(src, dst, IPPROTO_UDP, length) + dgram) or 0xFFFF
    return dgram[:6] + struct.pack("!H", csum) + dgram[8:]


def icmp_echo(ident: int, seq: int, payload: bytes, reply: bool = False) -> bytes:
    msg = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident, seq) + payload
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def icmp6_echo(src: str, dst: str, ident: int, seq: int, payload: bytes) -> bytes:
    msg = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + payload
    csum = checksum(_pseudo(src, dst, IPPROTO_ICMPV6, len(msg)) + msg)
    return msg[:2] + struct.pack("!H", csum) + msg[4:]


# Whole frames -------------------------------------------------------------------------------

def tcp4(src, dst, sport, dport, flags="S", payload=b"", ttl=64, **kw) -> bytes:
    seg = tcp_segment(src, dst, sport, dport, flags=flags, payload=payload, **kw)
    return ethernet(ETH_P_IP, ipv4(src, dst, IPPROTO_TCP, seg, ttl=ttl))


def udp4(src, dst, sport, dport, payload=b"", ttl=64, **kw) -> bytes:
    return ethernet(ETH_P_IP, ipv4(src, dst, IPPROTO_UDP,
                                   udp_datagram(src, dst, sport, dport, payload), ttl=ttl, **kw))


def tcp6(src, dst, sport, dport, flags="S", payload=b"", **kw) -> bytes:
    seg = tcp_segment(src, dst, sport, dport, flags=flags, payload=payload, **kw)
    return ethernet(ETH_P_IPV6, ipv6(src, dst, IPPROTO_TCP, seg))


def udp6(src, dst, sport, dport, payload=b"") -> bytes:
    return ethernet(ETH_P_IPV6, ipv6(src, dst, IPPROTO_UDP,
                                     udp_datagram(src, dst, sport, dport, payload)))


def icmp4_echo(src, dst, ident=1, seq=1, payload=b"bpfplay!", ttl=64) -> bytes:
    return ethernet(ETH_P_IP, ipv4(src, dst, IPPROTO_ICMP, icmp_echo(ident, seq, payload),
                                   ttl=ttl))


def icmp6_echo_frame(src, dst, ident=1, seq=1, payload=b"bpfplay!") -> bytes:
    return ethernet(ETH_P_IPV6, ipv6(src, dst, IPPROTO_ICMPV6,
                                     icmp6_echo(src, dst, ident, seq, payload)))


def gre4(src, dst, payload=b"\0\0\x08\0") -> bytes:
    """IPv4 carrying protocol 47 (GRE): a protocol the examples have no handler for."""
    return ethernet(ETH_P_IP, ipv4(src, dst, IPPROTO_GRE, payload))


def arp_request(sender_ip="10.0.0.1", target_ip="10.0.0.2") -> bytes:
    body = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, SRC_MAC, _ip(sender_ip),
                       b"\0" * 6, _ip(target_ip))
    return ethernet(ETH_P_ARP, body, dst=b"\xff" * 6)


# Contexts -----------------------------------------------------------------------------------

SK_BUFF_SIZE = 192  # sizeof(struct __sk_buff)
SK_BUFF_OFFSETS = {"mark": 8, "priority": 32, "ifindex": 40, "cb": 48, "tstamp": 152,
                   "wire_len": 160}


def sk_buff_ctx(mark: int = 0, priority: int = 0, cb=(0, 0, 0, 0, 0)) -> bytes:
    """A struct __sk_buff for ctx_in. BPF_PROG_TEST_RUN accepts only a few fields (mark,
    priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_*, hwtstamp): the rest
    must be zero."""
    ctx = bytearray(SK_BUFF_SIZE)
    struct.pack_into("<I", ctx, SK_BUFF_OFFSETS["mark"], mark)
    struct.pack_into("<I", ctx, SK_BUFF_OFFSETS["priority"], priority)
    struct.pack_into("<5I", ctx, SK_BUFF_OFFSETS["cb"], *cb)
    return bytes(ctx)


PT_REGS_FIELDS = ["r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax",
                  "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss"]


def pt_regs_ctx(**regs) -> bytes:
    """x86-64 struct pt_regs (21 unsigned longs, 168 bytes) with the given registers set."""
    vals = [regs.pop(name, 0) & 0xFFFFFFFFFFFFFFFF for name in PT_REGS_FIELDS]
    if regs:
        raise ValueError(f"unknown registers: {sorted(regs)}")
    return struct.pack("<21Q", *vals)


def _selftest():
    f = tcp4("10.0.0.1", "10.0.0.2", 1234, 80)
    ip = f[14:34]
    assert checksum(ip) == 0, "IPv4 header checksum"
    seg = f[34:]
    assert checksum(_pseudo("10.0.0.1", "10.0.0.2", IPPROTO_TCP, len(seg)) + seg) == 0
    u = udp6("2001:db8::1", "2001:db8::2", 1, 2, b"abc")
    dg = u[54:]
    assert checksum(_pseudo("2001:db8::1", "2001:db8::2", IPPROTO_UDP, len(dg)) + dg) == 0
    e = icmp4_echo("10.0.0.1", "10.0.0.2")
    assert checksum(e[34:]) == 0
    assert len(sk_buff_ctx()) == 192 and len(pt_regs_ctx(rdi=1)) == 168


if __name__ == "__main__":
    _selftest()
    print(tcp4("10.0.0.1", "10.0.0.2", 1234, 80).hex())
