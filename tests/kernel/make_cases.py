#!/usr/bin/env python3
"""Regenerates examples/cases/*.json: inputs for every example and the real kernel's results.

    sudo python3 tests/kernel/make_cases.py            all examples
    sudo python3 tests/kernel/make_cases.py atomics    some of them
    sudo python3 tests/kernel/make_cases.py --check    compare with the committed files only

Needs root (bpf(2)), gcc and libbpf-dev to build tests/kernel/kernel_run (into build/), and the
objects in public/examples/ (examples/build.sh makes them). Exits 77 without writing anything
when the kernel refuses bpf(2).

Each case is run by kernel_run on a freshly loaded object, pinned to CPU 0. "repeat": N means
the packet sequence ("packet", or "packets" for several) is run N times over, each run its own
BPF_PROG_TEST_RUN call (opts.repeat = 1) on that one loaded object, so maps carry over from run
to run; the maps are dumped after the last run.
"""

import json
import os
import platform
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import packets as P  # noqa: E402

KERNEL_RUN = os.path.join(ROOT, "build", "kernel_run")
OBJ_DIR = os.path.join(ROOT, "public", "examples")
CASE_DIR = os.path.join(ROOT, "examples", "cases")
CPU = 0

A, B, C = "10.0.0.1", "10.0.0.2", "192.168.1.7"
A6, B6 = "2001:db8::1", "2001:db8::2"


def case(name, program, description, packet=None, packets=None, repeat=1, ctx=None,
         map_init=None, trace=False, perf_readers=True, host=None):
    c = {"name": name, "description": description, "program": program}
    if host is not None:
        c["host"] = host
    if packet is not None:
        c["packet"] = packet.hex()
    if packets is not None:
        c["packets"] = [p.hex() for p in packets]
    if ctx is not None:
        c["ctx"] = ctx.hex()
    if map_init is not None:
        c["map_init"] = map_init
    if trace:
        c["trace"] = True
    if not perf_readers:
        c["perf_readers"] = False
    c["repeat"] = repeat
    return c


def udp6_tclass(traffic_class, payload):
    """IPv6 UDP A6 -> B6 with the given traffic class (its low two bits are the ECN field)."""
    return P.ethernet(P.ETH_P_IPV6, P.ipv6(A6, B6, P.IPPROTO_UDP,
                                           P.udp_datagram(A6, B6, 40000, 4000, payload),
                                           traffic_class=traffic_class))


def claiming_tot_len(frame, tot_len):
    """An IPv4 frame whose header claims `tot_len` bytes (checksum fixed), for length checks."""
    ip = bytearray(frame[14:34])
    struct.pack_into("!H", ip, 2, tot_len)
    struct.pack_into("!H", ip, 10, 0)
    struct.pack_into("!H", ip, 10, P.checksum(bytes(ip)))
    return frame[:14] + bytes(ip) + frame[34:]


def big_udp4(size, dport=53):
    """A UDP/IPv4 frame of exactly `size` bytes."""
    return P.udp4(A, B, 4000, dport, payload=b"x" * (size - 14 - 20 - 8))


def with_ip_options():
    """IPv4 with a 4-byte option (NOP NOP NOP EOL): ihl = 6, checksum correct."""
    seg = P.udp_datagram(A, B, 1, 2, b"opt")
    return P.ethernet(P.ETH_P_IP, P.ipv4(A, B, P.IPPROTO_UDP, seg, options=b"\x01\x01\x01\x00"))


def corrupt(frame, offset, xor=0xFF):
    b = bytearray(frame)
    b[offset] ^= xor
    return bytes(b)


def truncated_ip_header():
    """Claims ihl = 15 (60 bytes) but the frame ends 30 bytes into the IPv4 header."""
    f = bytearray(P.tcp4(A, B, 1, 2))
    f[14] = 0x4F
    return bytes(f[:44])


def flow(i, proto="tcp"):
    src = f"10.1.0.{i}"
    if proto == "tcp":
        return P.tcp4(src, B, 1000 + i, 80, flags="A")
    return P.udp4(src, B, 2000 + i, 53)


def syscall_args(key, value, flags=0, slots_fd=5):
    """syscall_maps.c's struct args (80 bytes): the inputs, the results zeroed. slots_fd 5 is
    where libbpf's load puts map "slots" (3 is the object's BTF; the inner map template holds
    4 while "slots" is created, then .rodata.str1.1 gets 4), in kernel_run as in bpfplay."""
    return struct.pack("<IIQiI", key, flags, value, slots_fd, 0) + bytes(56)
def route(prefix, prefixlen, action, rid):
    """An xdp_lpm_router "routes" entry: key u32 prefixlen + the address (network order), value
    struct route {u32 action, u32 id, u64 packets, u64 bytes}."""
    key = prefixlen.to_bytes(4, "little") + bytes(int(x) for x in prefix.split("."))
    value = action.to_bytes(4, "little") + rid.to_bytes(4, "little") + bytes(16)
    return {"key": key.hex(), "value": value.hex()}


def u32(v):
    return v.to_bytes(4, "little").hex()


ROUTES = [route("10.0.0.0", 8, 2, 1), route("10.1.0.0", 16, 1, 2), route("10.1.2.0", 24, 2, 3),
          route("192.168.0.0", 16, 1, 4),
          route("172.16.5.9", 12, 2, 5)]  # bits past the prefix are kept as given


def to(dst, size=60):
    """A UDP/IPv4 frame of `size` bytes to `dst`."""
    return P.udp4(A, dst, 4000, 53, payload=b"r" * (size - 14 - 20 - 8))


# cgroup_filter's cgroups: kernel_run makes them under the cgroup v2 mount and runs the case in
# the task's; bpfplay's host gets the same tree. A CGROUP_ARRAY value names one by its id.
CGF = "/bpfplay-cgroup-filter"
CGF_CGROUPS = [{"id": 1, "path": "/"}, {"id": 2, "path": CGF}, {"id": 3, "path": CGF + "/app"},
               {"id": 4, "path": CGF + "/other"}]
# Slot 0: app (the runner's own cgroup), 1: other (a sibling), 2: their parent, 3: the root,
# 4: empty. Ports 8000 + slot.
CGF_SERVICES = [{"key": u32(0), "value": u32(3)}, {"key": u32(1), "value": u32(4)},
                {"key": u32(2), "value": u32(2)}, {"key": u32(3), "value": u32(1)}]


def service(port, proto="udp"):
    if proto == "tcp":
        return P.tcp4(A, B, 40000, port)
    return P.udp4(A, B, 40000, port, b"svc")


NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING = range(5)
NFPROTO_IPV4, NFPROTO_IPV6 = 2, 10


def nf_hook_state(hook, pf):
    """A netfilter test run's ctx_in: struct nf_hook_state (48 bytes) with only hook and pf set."""
    return bytes([hook, pf]) + bytes(46)


def with_ip_options_to(dport):
    """TCP/IPv4 A -> B:dport (an Ethernet frame) with a 4-byte IP option (NOP NOP NOP EOL): ihl 6."""
    seg = P.tcp_segment(A, B, 40000, dport, flags="S")
    return P.ethernet(P.ETH_P_IP, P.ipv4(A, B, P.IPPROTO_TCP, seg, options=b"\x01\x01\x01\x00"))


# netfilter_drop's rules: source C blocked, TCP destination port 23 blocked.
NF_RULES = {"blocked_sources": [{"key": bytes(int(x) for x in C.split(".")).hex(), "value": "01"}],
            "blocked_ports": [{"key": (23).to_bytes(2, "little").hex(), "value": "01"}]}


# xdp_ipip_encap's backends: destination port (u16, host order) -> backend address.
BACKENDS = [{"key": "5000", "value": "0a090001"}, {"key": "3500", "value": "0a090002"}]


def gre_from_tunnel(frame):
    """`frame`'s IP packet in GRE in IPv4 from 172.16.0.2 to 172.16.0.1."""
    inner = frame[14:]
    gre = struct.pack("!HH", 0, P.ETH_P_IP) + inner
    return P.ethernet(P.ETH_P_IP, P.ipv4("172.16.0.2", "172.16.0.1", P.IPPROTO_GRE, gre))


def vlan_tagged(frame, vid, tpid=0x8100):
    """`frame` with an 802.1Q tag (VLAN `vid`) after its MAC addresses."""
    return frame[:12] + struct.pack("!HH", tpid, vid) + frame[12:]


def without_udp_checksum(frame):
    """A UDP/IPv4 frame (20-byte IP header) with its UDP checksum 0: "no checksum"."""
    return frame[:40] + b"\0\0" + frame[42:]


EXAMPLES = {
    "xdp_drop_port": [
        case("tcp4_to_blocked_port", "xdp_drop_port", "TCP/IPv4 to port 8080: XDP_DROP (1)",
             packet=P.tcp4(A, B, 40000, 8080)),
        case("udp6_to_blocked_port", "xdp_drop_port", "UDP/IPv6 to port 8080: XDP_DROP (1)",
             packet=P.udp6(A6, B6, 40000, 8080, b"hello")),
        case("tcp4_to_port_80", "xdp_drop_port", "TCP/IPv4 to port 80: XDP_PASS (2)",
             packet=P.tcp4(A, B, 40000, 80)),
        case("later_fragment", "xdp_drop_port",
             "a non-first IPv4 fragment whose payload looks like UDP to 8080: no L4 header, "
             "XDP_PASS", packet=P.udp4(A, B, 40000, 8080, frag_off=0x0010)),
        case("rodata_port_53", "xdp_drop_port",
             "blocked_port set to 53 in .rodata before loading; UDP to 53: XDP_DROP",
             packet=P.udp4(A, B, 40000, 53),
             map_init={"xdp_drop.rodata": [{"key": "00000000", "value": "3500"}]}),
    ],
    "xdp_proto_count": [
        case("mixed_protocols", "xdp_proto_count",
             "TCP, UDP, ICMP over IPv4 and TCP over IPv6 in one load: keys 1, 6 and 17",
             packets=[P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53), P.icmp4_echo(A, B),
                      P.tcp6(A6, B6, 3, 443), P.tcp4(A, B, 1, 80, payload=b"GET /")]),
        case("same_packet_x3", "xdp_proto_count", "one UDP packet run 3 times: packets 3",
             packet=P.udp4(A, B, 2, 53, b"q"), repeat=3),
        case("arp_not_counted", "xdp_proto_count", "ARP is not IP: the map stays empty",
             packet=P.arp_request()),
    ],
    "xdp_percpu_stats": [
        case("one_packet", "xdp_percpu_stats", "one TCP packet: only CPU 0's value changes",
             packet=P.tcp4(A, B, 1, 80)),
        case("drops", "xdp_percpu_stats",
             "a normal packet, one with TTL 1 (dropped), a runt (dropped) and ARP (passed), "
             "twice over",
             packets=[P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53, ttl=1),
                      P.tcp4(A, B, 1, 80)[:20], P.arp_request()], repeat=2),
    ],
    "xdp_lru_conntrack": [
        case("four_flows", "xdp_lru_conntrack", "4 flows fill the 4-entry table",
             packets=[flow(1), flow(2), flow(3), flow(4, "udp")]),
        case("six_flows_evict", "xdp_lru_conntrack",
             "6 flows into 4 entries: the LRU map evicts to make room",
             packets=[flow(1), flow(2), flow(3), flow(4), flow(5), flow(6)]),
        case("revisit_keeps_flow", "xdp_lru_conntrack",
             "flows 1-4, flow 1 again (marked recently used), then flows 5 and 6",
             packets=[flow(1), flow(2), flow(3), flow(4), flow(1), flow(5), flow(6)]),
        case("one_flow_x5", "xdp_lru_conntrack", "one flow, 5 packets: packets 5",
             packet=flow(1), repeat=5),
    ],
    "xdp_tail_call": [
        case("tcp", "xdp_dispatcher", "TCP: tail call into handle_tcp, XDP_PASS (2)",
             packet=P.tcp4(A, B, 1, 80)),
        case("udp", "xdp_dispatcher", "UDP: tail call into handle_udp, XDP_DROP (1)",
             packet=P.udp4(A, B, 2, 53)),
        case("icmp_echo", "xdp_dispatcher",
             "ICMP echo request: handle_icmp answers it, XDP_TX (3), packet_out is the reply",
             packet=P.icmp4_echo(C, A, ident=7, seq=3)),
        case("gre_miss", "xdp_dispatcher",
             "protocol 47 has no slot: the tail call falls through, miss counted, XDP_PASS",
             packet=P.gre4(A, B)),
        case("all_twice", "xdp_dispatcher", "all four, twice over: the hits map",
             packets=[P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53), P.icmp4_echo(C, A),
                      P.gre4(A, B)], repeat=2),
    ],
    "xdp_subprog_tail_call": [
        case("tcp", "xdp_classify",
             "TCP: classify() tail-calls handle_tcp, whose XDP_PASS comes back to xdp_classify "
             "(AFTER_CLASSIFY counted, verdicts[2] gets the packet)",
             packet=P.tcp4(A, B, 1, 80)),
        case("udp", "xdp_classify", "UDP: handle_udp's XDP_DROP (1) comes back to xdp_classify",
             packet=P.udp4(A, B, 2, 53, b"q")),
        case("icmp_miss", "xdp_classify",
             "ICMP has no slot: the tail call falls through, classify() counts a miss and "
             "returns miss_verdict (XDP_PASS)",
             packet=P.icmp4_echo(A, B)),
        case("miss_verdict_drop", "xdp_classify",
             "miss_verdict set to XDP_DROP in .rodata: ICMP is dropped, TCP still passes",
             packets=[P.icmp4_echo(A, B), P.tcp4(A, B, 1, 80)],
             map_init={"xdp_subp.rodata": [{"key": "00000000", "value": "01000000"}]}),
        case("mixed_twice", "xdp_classify", "TCP, UDP, ICMP and ARP, twice over: the maps",
             packets=[P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53), P.icmp4_echo(A, B),
                      P.arp_request()], repeat=2),
        case("chain", "xdp_chain",
             "xdp_chain tail-calls itself from hop(): 33 tail calls, 34 nested runs, each "
             "returning into the one before; r0 = 34, the number of the run whose tail call failed",
             packet=P.udp4(A, B, 2, 53)),
    ],
    "xdp_map_in_map": [
        case("v4_and_v6", "xdp_map_in_map",
             "IPv4 TCP/UDP and IPv6 TCP/ICMPv6: counts land in v4_counts and v6_counts",
             packets=[P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53), P.tcp6(A6, B6, 3, 443),
                      P.icmp6_echo_frame(A6, B6), P.tcp4(A, B, 1, 80)]),
        case("arp_ignored", "xdp_map_in_map", "ARP: neither inner map changes",
             packet=P.arp_request()),
    ],
    "bpf2bpf_calls": [
        case("udp_ephemeral_drop", "xdp_bpf2bpf", "UDP to port 60000 (ephemeral): XDP_DROP",
             packet=P.udp4(A, B, 53, 60000, b"reply")),
        case("tcp_ssh_pass", "xdp_bpf2bpf", "TCP to port 22 (well-known): XDP_PASS",
             packet=P.tcp4(A, B, 50000, 22)),
        case("udp_registered_pass", "xdp_bpf2bpf", "UDP to port 5353 (registered): XDP_PASS",
             packet=P.udp4(A, B, 5353, 5353)),
        case("too_long_drop", "xdp_bpf2bpf", "a 1600-byte frame: longer than 1514, XDP_DROP",
             packet=big_udp4(1600)),
        case("icmp_no_ports", "xdp_bpf2bpf", "ICMP: no ports, class PORT_NONE, XDP_PASS",
             packet=P.icmp4_echo(A, B)),
    ],
    "global_vars": [
        case("three_runs", "xdp_global_vars",
             "a 64-byte frame 3 times: packets_seen 100 -> 103, bytes_seen 192",
             packet=P.udp4(A, B, 1, 2, b"x" * 22), repeat=3),
        case("runt", "xdp_global_vars", "a 54-byte frame: shorter than min_len, XDP_DROP",
             packet=P.tcp4(A, B, 1, 2)),
        case("rodata_and_data_set", "xdp_global_vars",
             "min_len set to 0 (.rodata) and packets_seen to 1000 (.data) before loading: "
             "the 54-byte frame passes",
             packet=P.tcp4(A, B, 1, 2),
             map_init={"global_v.rodata": [{"key": "00000000", "value": "00000000ea050000"}],
                       "global_v.data": [{"key": "00000000",
                                          "value": "e8030000000000006e6f6e6500000000"}]}),
    ],
    "atomics": [
        case("one_run", "xdp_atomics", "one 54-byte frame", packet=P.tcp4(A, B, 1, 2)),
        case("three_runs", "xdp_atomics", "the same frame 3 times: watch each field evolve",
             packet=P.tcp4(A, B, 1, 2), repeat=3),
        case("different_lengths", "xdp_atomics", "frames of 54, 60 and 100 bytes",
             packets=[P.tcp4(A, B, 1, 2), big_udp4(60), big_udp4(100)]),
    ],
    "kprobe_regs": [
        case("openat_cwd", "trace_openat2",
             "pt_regs with rdi = AT_FDCWD (-100) and rsi = a user pointer; the kernel loads "
             "(verifies) the program but cannot test-run a kprobe",
             ctx=P.pt_regs_ctx(rdi=-100, rsi=0x7FFD12340000, rdx=0x7FFD12340100)),
    ],
    "kprobe_stackcount": [
        case("openat_stacks", "count_stacks",
             "a kprobe counting stack ids; the kernel loads (verifies) the program but cannot "
             "test-run a kprobe",
             ctx=P.pt_regs_ctx(rdi=-100, rsi=0x7FFD12340000, rdx=0x7FFD12340100)),
    ],
    "socket_filter": [
        case("icmp_whole", "socket_filter", "ICMP/IPv4: r0 = skb->len, keep it all",
             packet=P.icmp4_echo(A, B, payload=b"x" * 56)),
        case("tcp_snaplen", "socket_filter", "a 200-byte TCP frame: r0 = 64",
             packet=P.tcp4(A, B, 1, 80, payload=b"y" * 146)),
        case("udp6_snaplen", "socket_filter", "UDP/IPv6: r0 = 64",
             packet=P.udp6(A6, B6, 1, 53, b"z" * 40)),
        case("arp_drop", "socket_filter", "ARP: r0 = 0, dropped", packet=P.arp_request()),
        case("mixed", "socket_filter", "ICMPv6, TCP, UDP, ARP, GRE in one load: the seen map",
             packets=[P.icmp6_echo_frame(A6, B6), P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53),
                      P.arp_request(), P.gre4(A, B)]),
    ],
    "xdp_vlan_tag": [
        case("push", "xdp_vlan_tag",
             "an untagged UDP frame: a tag with VLAN 42 pushed (4 bytes longer), 4 bytes of "
             "metadata (0) before it in data_out, XDP_TX (3)",
             packet=P.udp4(A, B, 4000, 53, b"hello")),
        case("pop", "xdp_vlan_tag",
             "a frame tagged VLAN 7: the tag popped, metadata 7, XDP_PASS (2)",
             packet=vlan_tagged(P.udp4(A, B, 4000, 53, b"hello"), 7)),
        case("runt_tag", "xdp_vlan_tag",
             "a 14-byte frame claiming a VLAN tag that is not there: XDP_DROP (1)",
             packet=bytes.fromhex("020000000002020000000001") + b"\x81\x00"),
        case("mixed", "xdp_vlan_tag",
             "untagged, VLAN 7, VLAN 100, untagged: tags[0] = 2 pushes, tags[1] = 2 pops with "
             "107 in the top half",
             packets=[P.tcp4(A, B, 1, 80), vlan_tagged(P.tcp4(A, B, 2, 80), 7),
                      vlan_tagged(P.udp4(A, B, 3, 53), 100), P.udp4(A, B, 4, 53)]),
    ],
    "xdp_ipip_encap": [
        case("tcp_80", "xdp_ipip_encap",
             "TCP to port 80: wrapped in IPv4 10.0.0.100 -> 10.9.0.1 (protocol 4, checksum from "
             "bpf_csum_diff), XDP_TX (3)",
             packet=P.tcp4(A, B, 40000, 80), map_init={"backends": BACKENDS}),
        case("udp_53", "xdp_ipip_encap", "UDP to port 53: to backend 10.9.0.2",
             packet=P.udp4(A, B, 40000, 53, b"dns?"), map_init={"backends": BACKENDS}),
        case("long_frame", "xdp_ipip_encap",
             "a 400-byte frame to port 80: cut to 256 bytes by bpf_xdp_adjust_tail, then wrapped "
             "(276 bytes)", packet=P.tcp4(A, B, 40000, 80, payload=b"p" * 346),
             map_init={"backends": BACKENDS}),
        case("no_backend", "xdp_ipip_encap", "UDP to port 9999, no backend: XDP_PASS, untouched",
             packet=P.udp4(A, B, 40000, 9999), map_init={"backends": BACKENDS}),
    ],
    "tc_mtu_guard": [
        case("tc_small_udp", "tc_mtu_guard",
             "a 46-byte UDP frame on lo (MTU 65536): fits with 20 more bytes; map: the answers",
             packet=P.udp4(A, B, 40000, 53, b"dns?")),
        case("tc_l3_too_long", "tc_mtu_guard",
             "an IPv4 header claiming 65530 bytes, passed in as the L3 length: + 20 does not fit "
             "(1, TC_ACT_SHOT)", packet=claiming_tot_len(P.udp4(A, B, 40000, 53, b"dns?"), 65530)),
        case("tc_l3_exact", "tc_mtu_guard",
             "an IPv4 header claiming 65516 bytes: + 20 is exactly the MTU, which fits",
             packet=claiming_tot_len(P.udp4(A, B, 40000, 53, b"dns?"), 65516)),
        case("xdp_small_udp", "xdp_mtu_guard", "the small UDP frame from XDP: fits; flags -EINVAL",
             packet=P.udp4(A, B, 40000, 53, b"dns?")),
        case("xdp_l3_too_long", "xdp_mtu_guard", "65530 claimed bytes from XDP: XDP_DROP",
             packet=claiming_tot_len(P.udp4(A, B, 40000, 53, b"dns?"), 65530)),
        case("xdp_l3_one_over", "xdp_mtu_guard", "65517 claimed bytes: one over the MTU",
             packet=claiming_tot_len(P.udp4(A, B, 40000, 53, b"dns?"), 65517)),
    ],
    "tc_ecn_mark": [
        case("ect0_marked", "tc_ecn_mark",
             "a 228-byte UDP frame with ECT(0): tos 0x02 -> 0x03 (CE), IP checksum one less; "
             "TC_ACT_OK, marked 1, mirror 0 (sent to lo)",
             packet=P.udp4(A, B, 40000, 4000, b"x" * 186, tos=0x02)),
        case("not_ect_dropped", "tc_ecn_mark",
             "the same frame without ECN (tos 0): bpf_skb_ecn_set_ce returns 0, TC_ACT_SHOT",
             packet=P.udp4(A, B, 40000, 4000, b"x" * 186)),
        case("already_ce", "tc_ecn_mark", "a frame already marked CE: 1, unchanged, TC_ACT_OK",
             packet=P.udp4(A, B, 40000, 4000, b"x" * 186, tos=0xb3)),
        case("short_passes", "tc_ecn_mark", "a 46-byte Not-ECT frame: not marked, not dropped",
             packet=P.udp4(A, B, 40000, 53, b"dns?")),
        case("ipv6_ect1", "tc_ecn_mark",
             "IPv6 with traffic class 0x01 (ECT(1)): becomes 0x03, no checksum to fix",
             packet=udp6_tclass(0x01, b"y" * 120)),
        case("arp", "tc_ecn_mark", "ARP: mirrored, then left alone", packet=P.arp_request()),
    ],
    "tc_gre_tunnel": [
        case("encap", "tc_gre_tunnel",
             "UDP from 10.0.0.1: 24 bytes of outer IPv4 (172.16.0.1 -> 172.16.0.2, GRE) and GRE "
             "after the Ethernet header; VLAN 10 in skb->vlan_tci (cb[1]), not in the bytes",
             packet=P.udp4(A, B, 40000, 53, b"dns?")),
        case("decap", "tc_gre_tunnel",
             "a GRE packet from 172.16.0.2 carrying UDP: the outer headers removed (cb[0] = the "
             "inner frame's length)", packet=gre_from_tunnel(P.udp4(A, B, 40000, 53, b"dns?"))),
        case("arp", "tc_gre_tunnel", "ARP: left alone", packet=P.arp_request()),
    ],
    "tc_nat_rewrite": [
        case("udp_dns", "tc_nat_rewrite",
             "UDP 10.0.0.1:40000 -> 10.0.0.2:53 becomes -> 192.168.1.7:5353, both checksums "
             "fixed; mark = bpf_csum_diff of the addresses",
             packet=P.udp4(A, B, 40000, 53, b"dns?")),
        case("tcp_http", "tc_nat_rewrite",
             "TCP 10.0.0.1:40000 -> 10.0.0.2:80 becomes -> 192.168.1.7:8080",
             packet=P.tcp4(A, B, 40000, 80)),
        case("udp_no_checksum", "tc_nat_rewrite",
             "UDP without a checksum (0): BPF_F_MARK_MANGLED_0 keeps it 0, the IP checksum is "
             "fixed", packet=without_udp_checksum(P.udp4(A, B, 40000, 53, b"dns?"))),
        case("other_address", "tc_nat_rewrite", "UDP to 192.168.1.7: left alone",
             packet=P.udp4(A, C, 40000, 53, b"dns?")),
    ],
    "tc_classifier": [
        case("ssh_priority", "tc_classifier", "TCP to port 22: priority 6 (see ctx_out)",
             packet=P.tcp4(A, B, 50000, 22)),
        case("dns_mark", "tc_classifier", "UDP to port 53: mark 0x53 (see ctx_out)",
             packet=P.udp4(A, B, 50000, 53, b"dns?")),
        case("already_marked", "tc_classifier",
             "UDP to port 53 whose context carries mark 7: left alone",
             packet=P.udp4(A, B, 50000, 53, b"dns?"), ctx=P.sk_buff_ctx(mark=7)),
        case("too_long_shot", "tc_classifier", "a 1100-byte frame: TC_ACT_SHOT (2)",
             packet=big_udp4(1100)),
        case("tos_in_cb", "tc_classifier", "IPv4 with TOS 0x10: cb[0] = 0x10",
             packet=P.ethernet(P.ETH_P_IP, P.ipv4(A, B, P.IPPROTO_UDP,
                                                  P.udp_datagram(A, B, 1, 2, b"t"), tos=0x10))),
    ],
    "xdp_ringbuf": [
        case("syn", "xdp_ringbuf", "a TCP SYN: one 16-byte syn_event record",
             packet=P.tcp4(A, B, 40000, 443, flags="S", seq=0x11223344)),
        case("syn_ack", "xdp_ringbuf", "a SYN-ACK: no record", packet=P.tcp4(B, A, 443, 40000,
                                                                              flags="SA")),
        case("syns_and_udp", "xdp_ringbuf",
             "3 SYNs and a UDP packet: 3 syn_event records and one 4-byte udp_event",
             packets=[P.tcp4(A, B, 40000 + i, 443, flags="S", seq=i) for i in range(3)]
             + [P.udp4(A, B, 1, 53, b"abcd")]),
    ],
    "xdp_dynptr": [
        case("tcp", "xdp_dynptr",
             "a TCP packet: one 16-byte record (addresses, ports, protocol 6, TTL 64, l4_offset 34)",
             packet=P.tcp4(A, B, 40000, 443, flags="S")),
        case("dns_discarded", "xdp_dynptr",
             "UDP to port 53: the record is reserved, written, read back and discarded",
             packet=P.udp4(A, B, 40000, 53, b"abcd")),
        case("ip_options", "xdp_dynptr",
             "IPv4 with a 4-byte option (ihl 6): the ports are read at the run-time offset 38",
             packet=with_ip_options()),
        case("ports_cut_off", "xdp_dynptr",
             "a frame cut 2 bytes into the UDP header: bpf_dynptr_read of the ports returns -E2BIG "
             "(last_error -7), the record has ports 0",
             packet=P.udp4(A, B, 40000, 4000, b"abcd")[:36]),
        case("runt", "xdp_dynptr",
             "a 14-byte frame (an Ethernet header for IPv4 and nothing after it): reading the IPv4 "
             "header returns -E2BIG (last_error -7); nothing is reserved",
             packet=P.ethernet(P.ETH_P_IP, b"")),
        case("ringbuf_full", "xdp_dynptr",
             "172 TCP packets: 170 records fill the 4096-byte buffer, then two reservations fail "
             "with -EINVAL (reserve_failed 2) and their invalid dynptrs are discarded",
             packet=P.tcp4(A, B, 40000, 443, flags="S"), repeat=172),
    ],
    "xdp_dynptr_slice": [
        case("xdp_tcp", "xdp_parse",
             "a TCP SYN-ACK through bpf_dynptr_from_xdp and slices: ports, flags, TTL 63 written "
             "back, the kfuncs' answers and errors in results, the first two bytes and the last "
             "rewritten", packet=P.tcp4(A, B, 12345, 80, flags="SA")),
        case("xdp_short", "xdp_parse",
             "a frame cut 2 bytes into the TCP header: its slice is NULL (XDP_DROP)",
             packet=P.tcp4(A, B, 12345, 80, flags="SA")[:36]),
        case("tc_tcp", "tc_parse",
             "the same through bpf_dynptr_from_skb in TC, and an empty skb metadata dynptr",
             packet=P.tcp4(A, B, 12345, 80, flags="SA")),
        case("socket_tcp", "socket_parse",
             "a socket filter's read-only skb dynptr from the IP header on: writes are -EINVAL",
             packet=P.tcp4(A, B, 12345, 80, flags="SA")),
        case("frags", "xdp_frags",
             "a 4000-byte multi-buffer packet: slices, reads, writes and memsets across fragments",
             packet=bytes(i & 0xff for i in range(4000))),
        case("probe_read", "xdp_probe_read",
             "bpf_probe_read_kernel(_str)_dynptr into a map value and the packet, -E2BIG, -ERANGE, "
             "-EFAULT", packet=P.tcp4(A, B, 12345, 80, flags="SA")),
    ],
    "xdp_perf_event": [
        case("tcp", "xdp_perf_event",
             "a TCP packet: one 28-byte sample on CPU 0 (12-byte summary, 16 packet bytes)",
             packet=P.tcp4(A, B, 40000, 443, flags="S")),
        case("runt_padded", "xdp_perf_event",
             "a 14-byte frame (only an Ethernet header): 12 + 14 bytes, zero-padded to 28",
             packet=P.ethernet(P.ETH_P_IP, b"")),
        case("three_packets", "xdp_perf_event", "TCP, UDP and ARP: three samples in order",
             packets=[P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53, b"abcd"), P.arp_request()]),
        case("no_readers", "xdp_perf_event",
             "no reader in the map (user space never opened one): every call fails with "
             "-ENOENT, counted under key -2 in failures",
             packets=[P.tcp4(A, B, 1, 80), P.udp4(A, B, 2, 53)], perf_readers=False),
    ],
    "xdp_redirect_map": [
        case("redirect_to_lo", "xdp_redirect_map",
             "tx_ports[0] = ifindex 1 (lo); UDP to 4000 (bucket 0): XDP_REDIRECT (4)",
             packet=P.udp4(A, B, 40000, 4000, b"hi"),
             map_init={"tx_ports": [{"key": "00000000", "value": "01000000"}]}),
        case("no_entry", "xdp_redirect_map",
             "UDP to 53 (bucket 1, no device): the flags' low bits, XDP_PASS (2)",
             packet=P.udp4(A, B, 40000, 53, b"q"),
             map_init={"tx_ports": [{"key": "00000000", "value": "01000000"}]}),
        case("tcp_passes", "xdp_redirect_map", "TCP is not redirected: XDP_PASS, nothing counted",
             packet=P.tcp4(A, B, 40000, 4000)),
    ],
    "xdp_ipv4_checksum": [
        case("good", "xdp_ipv4_checksum", "a correct IPv4 header: XDP_PASS",
             packet=P.tcp4(A, B, 1, 80)),
        case("bad", "xdp_ipv4_checksum", "the TTL byte changed, checksum not: XDP_DROP",
             packet=corrupt(P.tcp4(A, B, 1, 80), 22, 0x01)),
        case("with_options", "xdp_ipv4_checksum", "ihl 6 (one option word), correct: PASS",
             packet=with_ip_options()),
        case("truncated_header", "xdp_ipv4_checksum",
             "ihl 15 but the frame ends early: bpf_xdp_load_bytes fails, XDP_DROP",
             packet=truncated_ip_header()),
        case("bad_twice", "xdp_ipv4_checksum", "a bad header twice: bad_checksums 2",
             packet=corrupt(P.udp4(A, B, 1, 2), 15, 0x04), repeat=2),
    ],
    "syscall_maps": [
        case("create_update_read", "syscall_maps",
             "key 1, value 42: the map is created, updated, published in slots and read back "
             "(read_back 42); a lookup through bpf_sys_bpf is -EINVAL; after freezing an update "
             "is -EPERM; the second close is -EBADF",
             ctx=syscall_args(1, 42)),
        case("key_past_max_entries", "syscall_maps",
             "key 9 of a 4-entry array: the update is -E2BIG and nothing is read back",
             ctx=syscall_args(9, 7)),
        case("noexist_on_array", "syscall_maps",
             "flags BPF_NOEXIST on an array, whose elements always exist: -EEXIST",
             ctx=syscall_args(2, 5, flags=1)),
        case("wrong_slots_fd", "syscall_maps",
             "slots_fd 3 is the object's BTF, not a map: publishing is -EINVAL and slots stays "
             "empty", ctx=syscall_args(1, 42, slots_fd=3)),
        case("two_runs", "syscall_maps",
             "the same context twice: each run creates its own map; the second replaces the "
             "first in slots (which frees the first)", ctx=syscall_args(3, 99), repeat=2),
    ],
    "xdp_lpm_router": [
        case("mixed", "xdp_lpm_router",
             "routes 10/8 PASS, 10.1/16 DROP, 10.1.2/24 PASS, 192.168/16 DROP, 172.16/12 PASS; "
             "packets to 10.1.2.3 (/24), 10.1.9.9 (/16), 10.200.0.1 (/8), 192.168.1.7, 8.8.8.8 "
             "(no route), 172.20.1.1 (/12) and ARP",
             packets=[to("10.1.2.3"), to("10.1.9.9", 70), to("10.200.0.1", 80), to(C, 90),
                      to("8.8.8.8", 100), to("172.20.1.1"), P.arp_request()],
             map_init={"routes": ROUTES}),
        case("same_route_x3", "xdp_lpm_router", "10.1.2.3 three times: route 3 counts 3 packets",
             packet=to("10.1.2.3"), repeat=3, map_init={"routes": ROUTES}),
        case("no_routes", "xdp_lpm_router", "an empty trie: every lookup misses, all pass",
             packets=[to("10.1.2.3"), to(C)]),
    ],
    "kfunc_iter_num": [
        case("sum_32_bytes", "sum_header",
             "bytes 0..63: the loop reads 32 (sum 496); the bad ranges give -EINVAL and -E2BIG",
             packet=bytes(range(64))),
        case("short_frame", "sum_header",
             "a 20-byte frame: the loop stops at the packet's end after 20 bytes",
             packet=bytes(range(100, 120))),
    ],
    "graph_kfuncs": [
        case("lists_and_tree", "graph",
             "objects from bpf_obj_new in a hash map value's list (pushes, front/back, a refcounted "
             "node pushed twice: -EINVAL, pops from both ends, one on the empty list) and in a "
             "global rbtree (7 ascending adds, 15 less() calls; root/left/right, the root removed, "
             "the rest drained smallest first)",
             ctx=bytes(8)),
    ],
    "kfunc_strings": [
        case("strings", "strings",
             "the string kfuncs' 42 results and error paths, the bit iterator, and "
             "bpf_copy_from_user_str from a NULL user pointer (-EFAULT, the buffer zeroed)",
             ctx=bytes(8)),
    ],
    "xdp_queue_stack": [
        case("push_then_pop", "xdp_queue_stack",
             "UDP 60 and 70 bytes pushed, then 3 TCP pops: 60 then 70 from the queue, 70 then "
             "60 from the stack, the third finds them empty (XDP_DROP)",
             packets=[big_udp4(60), big_udp4(70), P.tcp4(A, B, 1, 80), P.tcp4(A, B, 1, 80),
                      P.tcp4(A, B, 1, 80)]),
        case("overflow", "xdp_queue_stack",
             "5 UDP lengths (60..100) into maps of 3: the queue (BPF_EXIST) keeps 80 90 100, "
             "the stack keeps 60 70 80 and refuses 2 pushes (-E2BIG)",
             packets=[big_udp4(60), big_udp4(70), big_udp4(80), big_udp4(90), big_udp4(100)]),
        case("preloaded", "xdp_queue_stack",
             "user space pushed 1000 and 2000 into the queue and 7 into the stack before the "
             "run; 3 TCP packets pop them",
             packets=[P.tcp4(A, B, 1, 80)] * 3,
             map_init={"fifo": [{"key": "", "value": u32(1000)}, {"key": "", "value": u32(2000)}],
                       "lifo": [{"key": "", "value": u32(7)}]}),
    ],
    "xdp_callbacks": [
        case("flows_and_eviction", "xdp_callbacks",
             "sources A, B, A, A, C: the walk after the 4th packet sees A's 3rd packet and evicts "
             "A; C's packet has 13 bytes after its IPv4 header, so the byte loop stops early (XDP_DROP)",
             packets=[P.udp4(A, B, 1, 53, payload=b"0123456789abcdefXYZ"),
                      P.udp4("10.0.0.3", B, 1, 53, payload=b"payload of sixteen!"),
                      P.udp4(A, B, 1, 53, payload=b"0123456789abcdef"),
                      P.udp4(A, B, 1, 53, payload=b"another 16 bytes"),
                      P.udp4(C, B, 1, 53, payload=b"short")]),
        case("one_packet", "xdp_callbacks", "one UDP packet with 24 bytes after its IPv4 header: XDP_PASS",
             packet=P.udp4(A, B, 1, 53, payload=b"bpf_loop example")),
        case("not_ipv4", "xdp_callbacks", "an ARP request: XDP_PASS before any callback",
             packet=P.arp_request()),
    ],
    "xdp_timer": [
        case("udp_then_tcp", "xdp_timer",
             "two UDP packets arm the timer (each callback copies the length: 60 then 70), a TCP "
             "packet cancels it (bpf_timer_cancel = 1, no callback); bpf_timer_init is -EBUSY "
             "after the first packet",
             packets=[big_udp4(60), big_udp4(70), P.tcp4(A, B, 1, 80)]),
        case("one_packet", "xdp_timer", "one UDP packet: the timer is created and fires once",
             packet=big_udp4(64)),
    ],
    "xdp_bloom_filter": [
        case("repeats", "xdp_bloom_filter",
             "sources A, B, A, C, B: new ones pass, repeated ones are dropped",
             packets=[P.udp4(s, B, 1, 53) for s in (A, "10.0.0.3", A, C, "10.0.0.3")]),
        case("false_positives", "xdp_bloom_filter",
             "24 different sources through a 64-bit filter with one hash function: some new "
             "sources collide with earlier ones, are reported \"maybe seen\" and dropped "
             "(stats[2]); the kernel and bpfplay hash them identically (BPF_F_ZERO_SEED)",
             packets=[P.udp4(f"10.1.0.{i}", B, 1, 53) for i in range(1, 25)]),
        case("preloaded", "xdp_bloom_filter",
             "user space pushed A into the filter and its exact table before the run: A's "
             "packet is a repeat (XDP_DROP), C's is new",
             packets=[P.udp4(A, B, 1, 53), P.udp4(C, B, 1, 53)],
             map_init={"seen": [{"key": "", "value": "0a000001"}],
                       "sources": [{"key": "0a000001", "value": "0100000000000000"}]}),
    ],
    "trace_printk": [
        case("ipv4_tcp", "xdp_trace_printk", "TCP/IPv4: three lines in the trace",
             packet=P.tcp4(A, B, 1, 80), trace=True),
        case("ipv6_udp", "xdp_trace_printk", "UDP/IPv6: %pI6 addresses", trace=True,
             packet=P.udp6("fe80::1", B6, 1, 53)),
        case("arp", "xdp_trace_printk", "ARP: only the first and last lines", trace=True,
             packet=P.arp_request()),
    ],
    "xdp_btf_print": [
        case("tcp_syn", "xdp_btf_print",
             "an IPv4 TCP packet: its headers, stack structs and an enum printed by bpf_snprintf_btf "
             "with each flag, a truncated print, and the five errors",
             packet=P.tcp4(A, B, 40000, 80)),
    ],
    "xdp_strings": [
        case("set_8080", "xdp_strings", "\"SET 8080 please!\": strncmp 0, strtol 4 chars, the line formatted",
             packet=P.udp4(A, B, 4000, 9000, b"SET 8080 please!")),
        case("get", "xdp_strings", "\"GET ...\": bpf_strncmp returns -1 ('G' < 'S'), XDP_DROP",
             packet=P.udp4(A, B, 4000, 9000, b"GET 8080 please!")),
        case("negative_truncated", "xdp_strings",
             "\"SET   -999999999\": spaces and sign consumed (12 chars); the line is cut to 39 bytes and a NUL",
             packet=P.udp4(A, B, 4000, 9000, b"SET   -999999999")),
        case("no_digits", "xdp_strings", "\"SET port 80 now!\": bpf_strtol -EINVAL, value 0, XDP_DROP",
             packet=P.udp4(A, B, 4000, 9000, b"SET port 80 now!")),
        case("short", "xdp_strings", "8 payload bytes: bpf_xdp_load_bytes fails, XDP_ABORTED",
             packet=P.udp4(A, B, 4000, 9000, b"SET 8080")),
    ],
    "xdp_spin_lock": [
        case("three_packets", "xdp_spin_lock", "three packets of 60, 42 and 1000 bytes counted under the lock",
             packets=[big_udp4(60), P.udp4(A, B, 1, 2), big_udp4(1000)]),
        case("repeated", "xdp_spin_lock", "one packet 5 times: packets 5, the lock word 0 between runs",
             packet=P.tcp4(A, B, 1, 80), repeat=5),
    ],
    "xdp_conntrack": [
        # The case ends both flows (an RST, a DNS answer: their entries expire at once), so the
        # machine's real conntrack table does not find them when the case runs again.
        case("new_flows", "xdp_conntrack",
             "a SYN (its flow inserted), the SYN-ACK (found by its reply tuple), an ACK of no "
             "known connection (dropped, lookup error -ENOENT), a UDP query (inserted), the same "
             "again (found: status SEEN_REPLY | CONFIRMED), its answer (found, the flow ended), "
             "an RST (found, the flow ended)",
             packets=[P.tcp4(A, B, 45000, 80, "S"), P.tcp4(B, A, 80, 45000, "SA"),
                      P.tcp4(A, B, 45001, 80, "A"), P.udp4(A, B, 5300, 53, b"q"),
                      P.udp4(A, B, 5300, 53, b"q"), P.udp4(B, A, 53, 5300, b"a"),
                      P.tcp4(A, B, 45000, 80, "R")]),
        case("ended_flows", "xdp_conntrack",
             "a SYN and an RST, then the same SYN again: the lookup collects the expired entry "
             "and the flow is inserted anew; its RST ends it again",
             packets=[P.tcp4(A, B, 45002, 80, "S"), P.tcp4(A, B, 45002, 80, "R"),
                      P.tcp4(A, B, 45002, 80, "S"), P.tcp4(A, B, 45002, 80, "R")]),
    ],
    "xdp_task_storage": [
        case("three_then_reset", "xdp_task_storage",
             "4 packets from one task (the test runner): 1 and 2 pass, 3 drops and deletes the "
             "task's value (then -ENOENT), 4 creates a new one",
             packets=[big_udp4(60), big_udp4(70), big_udp4(80), big_udp4(90)]),
        case("one_packet", "xdp_task_storage",
             "one packet: no value yet, so bpf_task_storage_get with F_CREATE makes one (XDP_PASS)",
             packet=P.tcp4(A, B, 1, 80)),
    ],
    "cgroup_skb_storage": [
        case("one_packet", "cgroup_skb_storage",
             "a 76-byte UDP packet: the cgroup's budget has room (1); bytes 76, this CPU's count 1 "
             "(the test run's storage: the map lists no value)",
             packet=P.udp4(A, B, 4000, 53, payload=b"x" * 34)),
        case("too_big", "cgroup_skb_storage",
             "a 400-byte packet is over the 300-byte budget on its own: dropped (0)",
             packet=big_udp4(400)),
    ],
    "xdp_user_ringbuf": [
        case("commands", "xdp_user_ringbuf",
             "records block 53, block 80, pause, a 2-byte record, unblock 53: UDP to 53 drains 3 "
             "(dropped), TCP to 80 drains 2 (one too short; dropped), UDP to 53 drains 0 (passes)",
             packets=[P.udp4(A, B, 4000, 53), P.tcp4(A, B, 4000, 80), P.udp4(A, B, 4000, 53)],
             map_init={"commands": [{"key": "", "value": "01003500"}, {"key": "", "value": "01005000"},
                                    {"key": "", "value": "03000000"}, {"key": "", "value": "0100"},
                                    {"key": "", "value": "02003500"}]}),
        case("empty", "xdp_user_ringbuf", "no records: the drain returns 0 and the packet passes",
             packet=P.udp4(A, B, 4000, 53)),
    ],
    "cgroup_filter": [
        case("every_outcome", "cgroup_filter",
             "the runner in /bpfplay-cgroup-filter/app: UDP to 8000 (its own cgroup: 1, passes), "
             "8001 (a sibling: 0, TC_ACT_SHOT), 8002 (the parent: 1), 8003 (the root: 1), 8004 (an "
             "empty slot: -EAGAIN), 8005 (past max_entries: -E2BIG), then 53 (not a service)",
             packets=[service(p) for p in (8000, 8001, 8002, 8003, 8004, 8005, 53)],
             map_init={"services": CGF_SERVICES},
             host={"cgroups": CGF_CGROUPS, "task": {"cgroup": 3}}),
        case("runner_in_root", "cgroup_filter",
             "the runner in the root cgroup, which is under no other: 8000, 8001 and 8002 answer 0 "
             "(dropped), 8003 (the root itself) 1",
             packets=[service(p) for p in (8000, 8001, 8002, 8003)],
             map_init={"services": CGF_SERVICES},
             host={"cgroups": CGF_CGROUPS, "task": {"cgroup": 1}}),
        case("no_cgroups", "cgroup_filter",
             "an empty array: UDP to 8000 and TCP to 8001 find empty slots (-EAGAIN), UDP to 8007 "
             "is past max_entries (-E2BIG); all pass",
             packets=[service(8000), service(8001, "tcp"), service(8007)]),
    ],
    "xdp_steer": [
        case("cpu0_only", "xdp_steer",
             "CPU 0 has a queue (qsize 2048), CPU 1 none: UDP from port 4000 goes to CPU 0 (XDP_REDIRECT), "
             "from 4001 falls back to XDP_PASS; UDP to 9999 finds no AF_XDP socket (XDP_PASS); TCP passes",
             packets=[P.udp4(A, B, 4000, 53), P.udp4(A, B, 4001, 53), P.udp4(A, B, 4000, 9999),
                      P.tcp4(A, B, 4000, 80)],
             map_init={"cpus": [{"key": u32(0), "value": "0008000000000000"}]}),
    ],
    "netfilter_drop": [
        case("local_out", "nf_filter",
             "the default hook, IPv4 NF_INET_LOCAL_OUT: IP packets without an Ethernet header; TCP "
             "to 80 and UDP to 53 accepted, TCP to the blocked port 23 and anything from the blocked "
             "source C dropped; state->in and ->out both NULL (no ctx_in)",
             packets=[P.tcp4(A, B, 40000, 80)[14:], P.tcp4(A, B, 40000, 23)[14:],
                      P.udp4(C, B, 4000, 53)[14:], P.udp4(A, B, 4000, 53)[14:]],
             map_init=NF_RULES),
        case("pre_routing", "nf_filter",
             "IPv4 NF_INET_PRE_ROUTING: Ethernet frames (skb->len without the Ethernet header); "
             "the blocked source dropped, others accepted; state->out set, state->in not (the test "
             "run picks the devices by its default hook)",
             packets=[P.tcp4(A, B, 40000, 80), P.tcp4(C, B, 40000, 80), P.icmp4_echo(A, B)],
             ctx=nf_hook_state(NF_INET_PRE_ROUTING, NFPROTO_IPV4), map_init=NF_RULES),
        case("forward_ip_options", "nf_filter",
             "IPv4 NF_INET_FORWARD: TCP to port 23 behind a 24-byte IP header (ihl 6) is found "
             "and dropped; to 443 accepted",
             packets=[with_ip_options_to(23), with_ip_options_to(443)],
             ctx=nf_hook_state(NF_INET_FORWARD, NFPROTO_IPV4), map_init=NF_RULES),
        case("ipv6_local_in", "nf_filter",
             "IPv6 NF_INET_LOCAL_IN: IPv6 frames are counted and accepted (the rules are IPv4 only), "
             "even TCP to port 23",
             packets=[P.tcp6(A6, B6, 40000, 23), P.udp6(A6, B6, 4000, 53)],
             ctx=nf_hook_state(NF_INET_LOCAL_IN, NFPROTO_IPV6), map_init=NF_RULES),
        case("ipv6_local_out", "nf_filter",
             "IPv6 NF_INET_LOCAL_OUT: an IPv6 packet without an Ethernet header, skb->protocol "
             "0x86dd from pf",
             packet=P.udp6(A6, B6, 4000, 53)[14:],
             ctx=nf_hook_state(NF_INET_LOCAL_OUT, NFPROTO_IPV6), map_init=NF_RULES),
        case("post_routing", "nf_filter",
             "IPv4 NF_INET_POST_ROUTING: UDP from the blocked source dropped, TCP to 23 dropped",
             packets=[P.udp4(C, B, 4000, 53), P.tcp4(A, B, 40000, 23, flags="A")],
             ctx=nf_hook_state(NF_INET_POST_ROUTING, NFPROTO_IPV4), map_init=NF_RULES),
    ],
}


def ensure_kernel_run():
    src = os.path.join(HERE, "kernel_run.c")
    if (not os.path.exists(KERNEL_RUN)
            or os.path.getmtime(KERNEL_RUN) < os.path.getmtime(src)):
        subprocess.run(["bash", os.path.join(HERE, "build.sh"), KERNEL_RUN], check=True,
                       stdout=sys.stderr)


def ensure_tracefs():
    """bpf_printk output is read from the trace buffer: mount tracefs if it is not there."""
    if os.path.exists("/sys/kernel/tracing/trace") or \
            os.path.exists("/sys/kernel/debug/tracing/trace"):
        return
    subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], check=False)


def run_case(example, c):
    argv = [KERNEL_RUN, os.path.join(OBJ_DIR, example + ".o"), c["program"], "--cpu", str(CPU)]
    for p in c.get("packets", [c["packet"]] if "packet" in c else []):
        argv += ["--packet", p]
    if "ctx" in c:
        argv += ["--ctx", c["ctx"]]
    if c.get("repeat", 1) != 1:
        argv += ["--repeat", str(c["repeat"])]
    if "map_init" in c:
        argv += ["--map-init", json.dumps(c["map_init"])]
    if c.get("trace"):
        argv += ["--trace"]
    if not c.get("perf_readers", True):
        argv += ["--no-perf-readers"]
    if "host" in c:
        argv += ["--host", json.dumps(c["host"])]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode == 77:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.stderr.write("make_cases: the kernel refuses bpf(2) here; nothing written.\n")
        sys.exit(77)
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"make_cases: {example}/{c['name']}: kernel_run printed no JSON "
                 f"(exit {proc.returncode}): {proc.stdout}{proc.stderr}")
    if proc.returncode == 1:
        sys.exit(f"make_cases: {example}/{c['name']}: the kernel refused the program:\n"
                 f"{result.get('error')}\n{result.get('log', '')}")
    return result


def check_icmp_reply(result):
    """The ICMP handler must produce a valid echo reply: verify its checksum here."""
    out = bytes.fromhex(result["packet_out"])
    assert out[34] == 0, "ICMP type is not echo reply"
    assert P.checksum(out[34:]) == 0, "the echo reply's ICMP checksum is wrong"


def build_file(example):
    cases = []
    for c in EXAMPLES[example]:
        c = dict(c)
        result = run_case(example, c)
        if example in ("kprobe_regs", "kprobe_stackcount"):
            c["note"] = ("BPF_PROG_TEST_RUN does not support kprobe programs: the kernel "
                         "loaded and verified this one, but there is no kernel result to "
                         "compare with (\"return\" is absent, \"error\" says why).")
        elif result.get("error"):
            sys.exit(f"make_cases: {example}/{c['name']}: {result['error']}")
        if example == "xdp_tail_call" and c["name"] == "icmp_echo":
            check_icmp_reply(result)
        c["kernel"] = result
        cases.append(c)
    return {
        "example": example,
        "source": f"examples/{example}.c",
        "object": f"public/examples/{example}.o",
        "cpu": CPU,
        "kernel_release": platform.release(),
        "repeat_mode": "loop: each run is one BPF_PROG_TEST_RUN call with opts.repeat = 1 on "
                       "the same loaded object; the packet sequence is run 'repeat' times; "
                       "maps are dumped after the last run",
        "generated_by": "tests/kernel/make_cases.py",
        "cases": cases,
    }


def strip_volatile(doc):
    """What --check compares: everything but the kernel release."""
    d = dict(doc)
    d.pop("kernel_release", None)
    return d


def main(argv):
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")] or sorted(EXAMPLES)
    unknown = [n for n in names if n not in EXAMPLES]
    if unknown:
        sys.exit(f"make_cases: unknown example(s): {', '.join(unknown)}")
    if os.geteuid() != 0:
        sys.stderr.write("make_cases: bpf(2) needs root; trying anyway\n")
    ensure_kernel_run()
    ensure_tracefs()
    os.makedirs(CASE_DIR, exist_ok=True)
    mismatches = 0
    for name in names:
        doc = build_file(name)
        path = os.path.join(CASE_DIR, name + ".json")
        text = json.dumps(doc, indent=2) + "\n"
        if check:
            with open(path) as f:
                old = json.load(f)
            same = strip_volatile(old) == strip_volatile(doc)
            mismatches += not same
            print(f"{'same' if same else 'DIFFERENT'}  {path}")
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {os.path.relpath(path, ROOT)} ({len(doc['cases'])} cases)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
