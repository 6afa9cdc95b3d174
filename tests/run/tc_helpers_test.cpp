// bpf_skb_ecn_set_ce (97), bpf_clone_redirect (13), bpf_redirect_neigh (152) and
// bpf_redirect_peer (155): every value below is what Linux 6.18's BPF_PROG_TEST_RUN gave for the
// same packet and arguments (a probe program run with tests/kernel/kernel_run).
#include <doctest/doctest.h>

#include "run/net_test_util.hpp"
#include "run/packet_test_util.hpp"

namespace bpfplay::testing {

namespace {

std::vector<uint8_t> from_hex(std::string_view h) {
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    std::vector<uint8_t> v;
    for (size_t i = 0; i + 1 < h.size(); i += 2) v.push_back(uint8_t(nib(h[i]) << 4 | nib(h[i + 1])));
    return v;
}

const std::string kEth = "020202020202040404040404";
// IPv4 header (tos, checksum given) 127.0.0.1 -> 127.0.0.1, then 8 bytes.
std::string ipv4(const std::string& tos, const std::string& check) {
    return "0800" "45" + tos + "001c000000004011" + check + "7f0000017f000001" "0000000000000000";
}
// IPv6 header whose first word is `word0`, then 8 bytes.
std::string ipv6(const std::string& word0) {
    return "86dd" + word0 + "00081140" + std::string(64, '0') + "0000000000000000";
}

PacketRun ecn(const std::string& hex) { return run_packet_asm("call bpf_skb_ecn_set_ce\nexit\n", from_hex(hex), "tc"); }

// The packet after the call, as hex from the network header's first byte (offset `at`).
std::string hex_from(const PacketRun& r, size_t at, size_t n) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (size_t k = at; k < at + n && k < r.out.size(); ++k) s += {d[r.out[k] >> 4], d[r.out[k] & 15]};
    return s;
}

}  // namespace

TEST_CASE("bpf_skb_ecn_set_ce on IPv4: ECT(0)/ECT(1) become CE with the checksum updated; CE stays, Not-ECT refused") {
    PacketRun r = ecn(kEth + ipv4("02", "0000"));  // ECT(0)
    CHECK(r.r0 == 1);
    CHECK(hex_from(r, 14, 12) == "4503001c000000004011fffe");
    r = ecn(kEth + ipv4("01", "0000"));  // ECT(1): the checksum moves by one more
    CHECK(r.r0 == 1);
    CHECK(hex_from(r, 14, 12) == "4503001c000000004011fffd");
    r = ecn(kEth + ipv4("01", "abcd"));
    CHECK(hex_from(r, 14, 12) == "4503001c000000004011abcb");
    r = ecn(kEth + ipv4("fe", "0000"));  // DSCP bits are kept
    CHECK(r.r0 == 1);
    CHECK(hex_from(r, 14, 12) == "45ff001c000000004011fffe");
    r = ecn(kEth + ipv4("03", "1234"));  // already CE: 1, nothing written
    CHECK(r.r0 == 1);
    CHECK(hex_from(r, 14, 12) == "4503001c0000000040111234");
    r = ecn(kEth + ipv4("00", "1234"));  // Not-ECT: 0
    CHECK(r.r0 == 0);
    CHECK(hex_from(r, 14, 12) == "4500001c0000000040111234");
}

TEST_CASE("bpf_skb_ecn_set_ce on IPv6, non-IP and VLAN-tagged frames") {
    PacketRun r = ecn(kEth + ipv6("60212345"));  // traffic class 0x02: ECT(0)
    CHECK(r.r0 == 1);
    CHECK(hex_from(r, 14, 4) == "60312345");
    r = ecn(kEth + ipv6("60112345"));  // ECT(1)
    CHECK(r.r0 == 1);
    CHECK(hex_from(r, 14, 4) == "60312345");
    CHECK(ecn(kEth + ipv6("60312345")).r0 == 1);
    r = ecn(kEth + ipv6("60012345"));
    CHECK(r.r0 == 0);
    CHECK(hex_from(r, 14, 4) == "60012345");
    // ARP: not IP, nothing to mark.
    CHECK(ecn(kEth + "0806" + ipv4("02", "0000").substr(4)).r0 == 0);
    // 802.1Q: the protocol is read past the tag, but the header written is at the skb's network
    // header, right after the Ethernet header: the kernel marks the tag's bytes as if they were
    // tos and the checksum lands 4 bytes early.
    r = ecn(kEth + "81000102" + ipv4("02", "0000"));
    CHECK(r.r0 == 1);
    CHECK(hex_from(r, 12, 14) == "8100010308004502001c0000fffe");
    CHECK(ecn(kEth + "81000102" + "0806" + ipv4("02", "0000").substr(4)).r0 == 0);
    // A tagged frame whose 20 bytes from the network header pass its end: 0, untouched.
    const std::string tagged = kEth + "81000102" + ipv4("02", "0000");
    r = ecn(tagged.substr(0, 66));  // 33 bytes
    CHECK(r.r0 == 0);
    CHECK(hex_from(r, 12, 4) == "81000102");
    CHECK(ecn(tagged.substr(0, 68)).r0 == 1);  // 34 bytes: the header just fits
}

TEST_CASE("bpf_clone_redirect: the device layer's answer, -EINVAL for other flags or no device") {
    using net_test::open_asm;
    auto call = [](int64_t ifindex, int64_t flags) {
        return "r2 = " + std::to_string(ifindex) + "\nr3 = " + std::to_string(flags) +
               " ll\ncall bpf_clone_redirect\nexit\n";
    };
    Host host;
    host.net.devices[1].up = false;  // eth0
    auto run = [&](int64_t ifindex, int64_t flags) {
        auto s = open_asm(call(ifindex, flags), "tc", host);
        return net_test::run_packet(*s);
    };
    RunResult r = run(1, 0);
    CHECK(r.r0 == 0);  // NET_XMIT_SUCCESS
    CHECK(r.host_events[0].text == "a copy of the packet is sent out of lo (ifindex 1)");
    CHECK(r.host_events[1].text == "the packet continues through the network stack");
    CHECK(run(1, 1).r0 == 0);  // BPF_F_INGRESS: NET_RX_SUCCESS
    r = run(2, 0);
    CHECK(r.r0 == 2);  // NET_XMIT_CN: a device that is down queues into noop_qdisc
    CHECK(r.host_events[0].text ==
          "the copy is dropped: eth0 (ifindex 2) is down, its qdisc is noop (returns NET_XMIT_CN)");
    CHECK(run(2, 1).r0 == 1);  // NET_RX_DROP
    CHECK(int64_t(run(1, 2).r0) == -22);
    CHECK(int64_t(run(1, int64_t(1) << 32).r0) == -22);
    CHECK(int64_t(run(999, 0).r0) == -22);
    r = run(0, 0);
    CHECK(int64_t(r.r0) == -22);
    CHECK(r.host_events.size() == 1);  // an error sends nothing
}

TEST_CASE("bpf_redirect_neigh and bpf_redirect_peer: TC_ACT_REDIRECT, or TC_ACT_SHOT for bad flags or plen") {
    using net_test::open_asm;
    // bpf_redirect_neigh(ifindex, &params on the stack, plen, flags)
    auto neigh = [](int64_t ifindex, int64_t plen, int64_t flags) {
        return "*(u32 *)(r10 - 24) = 2\nr1 = " + std::to_string(ifindex) + "\nr2 = " +
               (plen ? "r10\nr2 += -24" : std::string("0")) + "\nr3 = " + std::to_string(plen) +
               "\nr4 = " + std::to_string(flags) + "\ncall bpf_redirect_neigh\nexit\n";
    };
    auto s = open_asm(neigh(3, 0, 0), "tc");
    RunResult r = net_test::run_packet(*s);
    CHECK(r.r0 == 7);
    CHECK(s->host().net.run.redirect == RedirectTarget{true, 3, 1 << 1, "", {}});  // BPF_F_NEIGH
    CHECK(r.host_events.back().text ==
          "TC_ACT_REDIRECT: the packet is sent out of eth1 (ifindex 3) with its Ethernet header from the "
          "neighbour table (bpf_redirect_neigh)");
    s = open_asm(neigh(3, 20, 0), "tc");
    CHECK(net_test::run_packet(*s).r0 == 7);
    CHECK(s->host().net.run.redirect == RedirectTarget{true, 3, (1 << 1) | (1 << 3), "", {}});  // + NEXTHOP
    s = open_asm(neigh(3, 24, 0), "tc");
    CHECK(net_test::run_packet(*s).r0 == 7);  // longer params are fine
    s = open_asm(neigh(3, 4, 0), "tc");
    CHECK(net_test::run_packet(*s).r0 == 2);
    CHECK_FALSE(s->host().net.run.redirect.set);
    s = open_asm(neigh(3, 0, 1), "tc");
    CHECK(net_test::run_packet(*s).r0 == 2);

    auto peer = [](int64_t ifindex, int64_t flags) {
        return "r1 = " + std::to_string(ifindex) + "\nr2 = " + std::to_string(flags) + "\ncall bpf_redirect_peer\nexit\n";
    };
    s = open_asm(peer(3, 0), "tc");
    r = net_test::run_packet(*s);
    CHECK(r.r0 == 7);
    CHECK(s->host().net.run.redirect == RedirectTarget{true, 3, 1 << 2, "", {}});  // BPF_F_PEER
    CHECK(r.host_events.back().text ==
          "TC_ACT_REDIRECT (bpf_redirect_peer): the packet is dropped: eth1 (ifindex 3) has no peer (only veth "
          "and netkit devices have one, and only at tc ingress)");
    s = open_asm(peer(999, 0), "tc");
    CHECK(net_test::run_packet(*s).r0 == 7);  // the device is looked up only when tc redirects
    s = open_asm(peer(3, 1), "tc");
    CHECK(net_test::run_packet(*s).r0 == 2);
    CHECK_FALSE(s->host().net.run.redirect.set);
}

}  // namespace bpfplay::testing
