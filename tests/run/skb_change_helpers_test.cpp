// The __sk_buff helpers that change the packet or its fields, against what the 6.18 kernel's
// test run gave for the same calls on the same 80-byte IPv4/UDP frame (tests/kernel/kernel_run on
// a probe program that also copied len, protocol and the VLAN fields into cb[]).
#include <doctest/doctest.h>

#include "core/context/contexts.hpp"
#include "run/packet_test_util.hpp"

namespace bpfplay::testing {

namespace {

constexpr int64_t kEinval = -22, kEfault = -14, kEnomem = -12, kEnotsupp = -524, kEalready = -114;

// 02:00:00:00:00:02 <- 02:00:00:00:00:01, IPv4 10.0.0.1 -> 10.0.0.2 UDP 4000 -> 53, then bytes
// 42.. counting from 0x40.
std::vector<uint8_t> probe_frame(size_t n = 80) {
    std::vector<uint8_t> b = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
                              0x45, 0, 0, 0x42, 0, 1, 0, 0, 0x40, 0x11, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                              0x0f, 0xa0, 0, 0x35, 0, 0x2e, 0, 0};
    while (b.size() < n) b.push_back(uint8_t(0x40 + b.size()));
    b.resize(n);
    return b;
}

struct SkbOut {
    int64_t r0;
    std::vector<uint8_t> out;
    uint32_t len, protocol, vlan_present, vlan_tci, vlan_proto;
};

// r0 = helper(ctx, a, b, c); then len, protocol and the VLAN fields copied to cb[0..4].
SkbOut call(const char* helper, int64_t a, int64_t b = 0, int64_t c = 0, std::vector<uint8_t> frame = probe_frame(),
            const std::string& before = "") {
    const std::string text = "r6 = r1\n" + before + "r1 = r6\nr2 = " + std::to_string(a) + " ll\nr3 = " +
                             std::to_string(b) + " ll\nr4 = " + std::to_string(c) + " ll\ncall " + helper + R"(
        r7 = r0
        r1 = *(u32 *)(r6 + 0)
        *(u32 *)(r6 + 48) = r1
        r1 = *(u32 *)(r6 + 16)
        *(u32 *)(r6 + 52) = r1
        r1 = *(u32 *)(r6 + 20)
        *(u32 *)(r6 + 56) = r1
        r1 = *(u32 *)(r6 + 24)
        *(u32 *)(r6 + 60) = r1
        r1 = *(u32 *)(r6 + 28)
        *(u32 *)(r6 + 64) = r1
        r0 = r7
        exit
    )";
    const PacketRun r = run_packet_asm(text, std::move(frame), "tc");
    auto cb = [&](uint32_t k) { return load_le<uint32_t>(&r.ctx[sk_buff::kCb + 4 * k]); };
    return {r.r0, r.out, cb(0), cb(1), cb(2), cb(3), cb(4)};
}

std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> v;
    for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
    return v;
}
std::vector<uint8_t> slice(const std::vector<uint8_t>& v, size_t from, size_t to) {
    return {v.begin() + ptrdiff_t(from), v.begin() + ptrdiff_t(to)};
}
std::vector<uint8_t> zeros(size_t n) { return std::vector<uint8_t>(n, 0); }

constexpr uint32_t kIpBe = 0x0008, kIpv6Be = 0xdd86;  // skb->protocol as __sk_buff shows it

}  // namespace

TEST_CASE("bpf_skb_store_bytes: up to the last byte, flags checked, BPF_F_INVALIDATE_HASH clears the hash") {
    const auto f = probe_frame();
    const std::string word = "*(u32 *)(r10 - 4) = 0xddccbbaa\n";
    auto store = [&](int64_t off, int64_t flags, const std::string& extra = "") {
        return run_packet_asm("r6 = r1\n" + word + extra +
                                  "r1 = r6\nr2 = " + std::to_string(off) +
                                  " ll\nr3 = r10\nr3 += -4\nr4 = 4\nr5 = " + std::to_string(flags) +
                                  " ll\ncall bpf_skb_store_bytes\nr1 = *(u32 *)(r6 + 68)\nr0 <<= 32\nr0 |= r1\nexit\n",
                              f, "tc");
    };
    PacketRun r = store(76, 0);
    CHECK(r.r0 == 0);
    CHECK(r.out == cat({slice(f, 0, 76), {0xaa, 0xbb, 0xcc, 0xdd}}));
    CHECK((store(77, 0).r0 >> 32) == kEfault);
    CHECK((store(0x80000000ll, 0).r0 >> 32) == kEfault);
    CHECK((store(0, 4).r0 >> 32) == kEinval);
    r = store(0, 3);
    CHECK((r.r0 >> 32) == 0);
    CHECK(slice(r.out, 0, 6) == std::vector<uint8_t>{0xaa, 0xbb, 0xcc, 0xdd, 0, 2});
    // The hash after set_hash(0x1234), then a store with and without BPF_F_INVALIDATE_HASH.
    const std::string hash = "r1 = r6\nr2 = 0x1234\ncall bpf_set_hash\n";
    CHECK(uint32_t(store(0, 0, hash).r0) == 0x1234);
    CHECK(uint32_t(store(0, 2, hash).r0) == 0);
}

TEST_CASE("bpf_skb_pull_data: the whole packet is there, more is -ENOMEM") {
    CHECK(call("bpf_skb_pull_data", 80).r0 == 0);
    CHECK(call("bpf_skb_pull_data", 0).r0 == 0);
    CHECK(call("bpf_skb_pull_data", 81).r0 == kEnomem);
}

TEST_CASE("bpf_skb_change_tail: 16064 bytes at most, the headers at least, grown bytes zero") {
    const auto f = probe_frame();
    SkbOut r = call("bpf_skb_change_tail", 90);
    CHECK(r.r0 == 0);
    CHECK(r.len == 90);
    CHECK(r.out == cat({f, zeros(10)}));
    r = call("bpf_skb_change_tail", 14);
    CHECK(r.r0 == 0);
    CHECK(r.out == slice(f, 0, 14));
    CHECK(call("bpf_skb_change_tail", 16064).out.size() == 16064);
    CHECK(call("bpf_skb_change_tail", 16065).r0 == kEinval);
    CHECK(call("bpf_skb_change_tail", 13).r0 == kEinval);  // the Ethernet header must stay
    CHECK(call("bpf_skb_change_tail", 100, 1).r0 == kEinval);
}

TEST_CASE("bpf_skb_change_head: zeroed bytes before the frame; the network header stays, so change_tail's minimum grows") {
    const auto f = probe_frame();
    SkbOut r = call("bpf_skb_change_head", 4);
    CHECK(r.r0 == 0);
    CHECK(r.len == 84);
    CHECK(r.out == cat({zeros(4), f}));
    CHECK(call("bpf_skb_change_head", 16064 - 80).out.size() == 16064);
    CHECK(call("bpf_skb_change_head", 16064 - 79).r0 == kEinval);
    CHECK(call("bpf_skb_change_head", 4, 1).r0 == kEinval);
    const std::string head14 = "r1 = r6\nr2 = 14\nr3 = 0\ncall bpf_skb_change_head\n";
    CHECK(call("bpf_skb_change_tail", 27, 0, 0, f, head14).r0 == kEinval);
    r = call("bpf_skb_change_tail", 28, 0, 0, f, head14);
    CHECK(r.r0 == 0);
    CHECK(r.out == cat({zeros(14), slice(f, 0, 14)}));
}

TEST_CASE("bpf_skb_adjust_room: room after the MAC or the network header, grown and shrunk") {
    const auto f = probe_frame();
    SkbOut r = call("bpf_skb_adjust_room", 8, 0);  // BPF_ADJ_ROOM_NET
    CHECK(r.r0 == 0);
    CHECK(r.out == cat({slice(f, 0, 34), zeros(8), slice(f, 34, 80)}));
    r = call("bpf_skb_adjust_room", 8, 1);  // BPF_ADJ_ROOM_MAC
    CHECK(r.out == cat({slice(f, 0, 14), zeros(8), slice(f, 14, 80)}));
    r = call("bpf_skb_adjust_room", -8, 0);
    CHECK(r.out == cat({slice(f, 0, 34), slice(f, 42, 80)}));
    r = call("bpf_skb_adjust_room", -20, 1);  // IPv4 header out (decapsulation)
    CHECK(r.r0 == 0);
    CHECK(r.out == cat({slice(f, 0, 14), slice(f, 34, 80)}));
    CHECK(r.protocol == kIpBe);
    CHECK(call("bpf_skb_adjust_room", 8, 2).r0 == kEnotsupp);  // no such mode
    CHECK(call("bpf_skb_adjust_room", 4095, 0).out.size() == 80 + 4095);
    CHECK(call("bpf_skb_adjust_room", 4096, 0).r0 == kEfault);
    // Shrinking must leave a network header (20 bytes for IPv4) after the network offset.
    CHECK(call("bpf_skb_adjust_room", -46, 0).out.size() == 34);
    CHECK(call("bpf_skb_adjust_room", -46, 1).out.size() == 34);
    CHECK(call("bpf_skb_adjust_room", -47, 1).r0 == kEnotsupp);
    CHECK(call("bpf_skb_adjust_room", 8, 0, 1 << 9).r0 == kEinval);
    // Not IP: -ENOTSUPP.
    auto arp = f;
    arp[12] = 0x08, arp[13] = 0x06;
    CHECK(call("bpf_skb_adjust_room", 8, 0, 0, arp).r0 == kEnotsupp);
}

TEST_CASE("bpf_skb_adjust_room: encapsulation and decapsulation flags") {
    const auto f = probe_frame();
    SkbOut r = call("bpf_skb_adjust_room", 20, 1, 2);  // ENCAP_L3_IPV4
    CHECK(r.r0 == 0);
    CHECK(r.out == cat({slice(f, 0, 14), zeros(20), slice(f, 14, 80)}));
    CHECK(r.protocol == kIpBe);
    r = call("bpf_skb_adjust_room", 40, 1, 4);  // ENCAP_L3_IPV6: skb->protocol follows
    CHECK(r.r0 == 0);
    CHECK(r.protocol == kIpv6Be);
    CHECK(call("bpf_skb_adjust_room", 40, 1, 6).r0 == kEinval);             // both L3
    CHECK(call("bpf_skb_adjust_room", 40, 1, 2 | 8 | 16).r0 == kEinval);    // GRE and UDP
    CHECK(call("bpf_skb_adjust_room", 8, 1, 1 << 7).r0 == kEinval);         // decap when growing
    CHECK(call("bpf_skb_adjust_room", 30, 1, 2 | 64).r0 == kEinval);        // L2_ETH, no inner MAC length
    CHECK(call("bpf_skb_adjust_room", 30, 1, 2 | (40ll << 56)).r0 == kEinval);  // inner MAC > room
    CHECK(call("bpf_skb_adjust_room", -8, 0, 2).r0 == kEinval);             // encap when shrinking
    r = call("bpf_skb_adjust_room", -20, 1, 1 << 8);  // DECAP_L3_IPV6
    CHECK(r.r0 == 0);
    CHECK(r.protocol == kIpv6Be);
    // A second encapsulation: -EALREADY.
    const std::string encap = "r1 = r6\nr2 = 20\nr3 = 1\nr4 = 2\ncall bpf_skb_adjust_room\n";
    CHECK(call("bpf_skb_adjust_room", 20, 1, 2, f, encap).r0 == kEalready);
    // An encapsulated packet's tail cannot change.
    CHECK(call("bpf_skb_change_tail", 120, 0, 0, f, encap).r0 == kEnotsupp);
}

TEST_CASE("bpf_skb_change_proto: IPv4 to IPv6 makes 20 bytes of room after the MAC header") {
    const auto f = probe_frame();
    SkbOut r = call("bpf_skb_change_proto", kIpv6Be);
    CHECK(r.r0 == 0);
    CHECK(r.protocol == kIpv6Be);
    CHECK(r.out == cat({slice(f, 0, 14), zeros(20), slice(f, 14, 80)}));
    CHECK(call("bpf_skb_change_proto", kIpv6Be, 1).r0 == kEinval);
    CHECK(call("bpf_skb_change_proto", kIpBe).r0 == kEnotsupp);
    // And back: the 20 bytes go again.
    const std::string to6 = "r1 = r6\nr2 = 0xdd86\nr3 = 0\ncall bpf_skb_change_proto\n";
    r = call("bpf_skb_change_proto", kIpBe, 0, 0, f, to6);
    CHECK(r.r0 == 0);
    CHECK(r.protocol == kIpBe);
    CHECK(r.out == f);
}

TEST_CASE("bpf_skb_vlan_push / pop: the outer tag in the fields, inner tags in the packet") {
    const auto f = probe_frame();
    SkbOut r = call("bpf_skb_vlan_push", 0x0081, 5);
    CHECK(r.r0 == 0);
    CHECK(r.out == f);  // an accelerated tag is not in the bytes
    CHECK(r.vlan_present == 1);
    CHECK(r.vlan_tci == 5);
    CHECK(r.vlan_proto == 0x81);
    CHECK(call("bpf_skb_vlan_push", 0x1234, 5).vlan_proto == 0x81);  // not 802.1ad: 802.1Q
    CHECK(call("bpf_skb_vlan_push", 0xa888, 0x1005).vlan_proto == 0xa888);
    // A second push puts the first tag into the packet, after the MAC addresses.
    const std::string push5 = "r1 = r6\nr2 = 0x81\nr3 = 5\ncall bpf_skb_vlan_push\n";
    r = call("bpf_skb_vlan_push", 0x88a8, 7, 0, f, push5);
    CHECK(r.r0 == 0);
    CHECK(r.len == 84);
    CHECK(r.protocol == 0x81);
    CHECK(r.vlan_tci == 7);
    CHECK(r.out == cat({slice(f, 0, 12), {0x81, 0x00, 0x00, 0x05}, slice(f, 12, 80)}));
    // Pop: the accelerated tag goes, nothing else.
    r = call("bpf_skb_vlan_pop", 0, 0, 0, f, push5);
    CHECK(r.r0 == 0);
    CHECK(r.vlan_present == 0);
    CHECK(r.out == f);
    CHECK(call("bpf_skb_vlan_pop", 0).out == f);  // no tag at all
    // A tagged frame (as received: the tag in the bytes, skb->protocol 802.1Q) is untagged.
    const auto tagged = cat({slice(f, 0, 12), {0x81, 0x00, 0x00, 0x2a}, slice(f, 12, 80)});
    r = call("bpf_skb_vlan_pop", 0, 0, 0, tagged);
    CHECK(r.r0 == 0);
    CHECK(r.out == f);
    CHECK(r.protocol == kIpBe);
    CHECK(r.vlan_present == 0);
    // QinQ: the outer tag goes, the inner one moves to the fields.
    const auto qinq = cat({slice(f, 0, 12), {0x88, 0xa8, 0x00, 0x01, 0x81, 0x00, 0x00, 0x2a}, slice(f, 12, 80)});
    r = call("bpf_skb_vlan_pop", 0, 0, 0, qinq);
    CHECK(r.r0 == 0);
    CHECK(r.out == f);
    CHECK(r.vlan_present == 1);
    CHECK(r.vlan_tci == 0x2a);
    CHECK(r.vlan_proto == 0x81);
}

TEST_CASE("bpf_get_route_realm: 0 without a route, as the kernel's test run gives") {
    CHECK(run_packet_asm("call bpf_get_route_realm\nr0 += 1000\nexit\n", probe_frame(), "tc").r0 == 1000);
}

TEST_CASE("bpf_skb_change_type, bpf_set_hash, bpf_set_hash_invalid, bpf_get_hash_recalc") {
    // pkt_type: 02:..:02 is not loopback's address: PACKET_OTHERHOST (3).
    const std::string type = "r1 = r6\nr2 = 0\ncall bpf_skb_change_type\nr0 = *(u32 *)(r6 + 4)\nexit\n";
    CHECK(run_packet_asm("r6 = r1\n" + type, probe_frame(), "tc").r0 == 0);
    CHECK(call("bpf_skb_change_type", 3).r0 == 0);
    CHECK(call("bpf_skb_change_type", 4).r0 == kEinval);
    CHECK(run_packet_asm("r6 = r1\nr2 = 0x12345678\ncall bpf_set_hash\nr1 = r6\ncall bpf_get_hash_recalc\nexit\n",
                         probe_frame(), "tc").r0 == 0x12345678);
    CHECK(run_packet_asm("r6 = r1\nr2 = 0x12345678\ncall bpf_set_hash\nr1 = r6\ncall bpf_set_hash_invalid\n"
                         "r0 = *(u32 *)(r6 + 68)\nexit\n",
                         probe_frame(), "tc").r0 == 0);
    // Without a hash, one is computed from the flow (not the kernel's: its key is random), and
    // it stays.
    const PacketRun h = run_packet_asm("r6 = r1\ncall bpf_get_hash_recalc\nr7 = r0\nr1 = r6\ncall bpf_get_hash_recalc\n"
                                       "r0 -= r7\nr1 = *(u32 *)(r6 + 68)\nr1 -= r7\nr0 |= r1\nexit\n",
                                       probe_frame(), "tc");
    CHECK(h.r0 == 0);
}

} // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("an __sk_buff test run takes at most 3712 bytes, as the kernel's bpf_test_init") {
    auto s = ObjectSession::open_assembly("r0 = *(u32 *)(r1 + 0)\nexit\n", "tc");
    REQUIRE(s.ok());
    RunInput in;
    in.packet.assign(3712, 0);
    RunResult r = s.value()->run("asm", in);
    CHECK(r.status == RunStatus::Exited);
    CHECK(r.r0 == 3712);
    in.packet.assign(3713, 0);
    r = s.value()->run("asm", in);
    CHECK(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->what.find("-EINVAL: BPF_PROG_TEST_RUN takes at most 3712 bytes") == 0);
}

} // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("bpf_skb_load_bytes_relative: from the MAC or the network header, as the kernel gave for a socket filter") {
    // Offset at 28, start header at 32 (counted from the network header, where the socket
    // filter's data begins); cb[0] = the 4 bytes read, cb[1] = the return value.
    const std::string text = R"(
        r6 = r1
        *(u32 *)(r10 - 4) = 0
        *(u32 *)(r10 - 8) = 0
        *(u32 *)(r10 - 12) = 0
        r2 = 28
        r3 = r10
        r3 += -4
        r4 = 4
        call bpf_skb_load_bytes
        r1 = r6
        r2 = 32
        r3 = r10
        r3 += -8
        r4 = 4
        call bpf_skb_load_bytes
        r1 = r6
        r2 = *(u32 *)(r10 - 4)
        r3 = r10
        r3 += -12
        r4 = 4
        r5 = *(u32 *)(r10 - 8)
        call bpf_skb_load_bytes_relative
        *(u32 *)(r6 + 52) = r0
        r1 = *(u32 *)(r10 - 12)
        *(u32 *)(r6 + 48) = r1
        r0 = 0
        exit
    )";
    auto run = [&](uint32_t offset, uint32_t start) {
        std::vector<uint8_t> f(64);
        for (size_t i = 0; i < f.size(); ++i) f[i] = uint8_t(i);
        f[12] = 8, f[13] = 0;
        store_le<uint32_t>(&f[14 + 28], offset);
        store_le<uint32_t>(&f[14 + 32], start);
        const PacketRun r = run_packet_asm(text, f, "socket");
        return std::pair{load_le<uint32_t>(&r.ctx[48]), int32_t(load_le<uint32_t>(&r.ctx[52]))};
    };
    CHECK(run(0, 0) == std::pair{0x03020100u, 0});
    CHECK(run(12, 0) == std::pair{0x0f0e0008u, 0});
    CHECK(run(0, 1) == std::pair{0x11100f0eu, 0});
    CHECK(run(46, 1) == std::pair{0x3f3e3d3cu, 0});
    CHECK(run(47, 1) == std::pair{0u, -14});
    CHECK(run(60, 0) == std::pair{0x3f3e3d3cu, 0});
    CHECK(run(61, 0) == std::pair{0u, -14});
    CHECK(run(0, 2) == std::pair{0u, -14});
    CHECK(run(65536, 1) == std::pair{0u, -14});
}

} // namespace bpfplay::testing
