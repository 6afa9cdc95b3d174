// The SRv6 helpers of lwt_seg6local programs (bpf_lwt_seg6_store_bytes, _adjust_srh, _action)
// and bpf_lwt_push_encap's SRv6 modes, run as the seg6local End.BPF action runs them.
//
// The expected values come from the kernel's source (net/core/filter.c, net/ipv6/seg6*.c of
// Linux 6.18), not from a kernel run: BPF_PROG_TEST_RUN answers -ENOTSUPP (524) for
// lwt_seg6local since Linux 6.11 (tried on this machine's 6.18 with tests/kernel/kernel_run.c),
// and this kernel, built without CONFIG_IPV6_SEG6_LWTUNNEL, refuses the three helpers at load
// ("program of this type cannot use helper bpf_lwt_seg6_store_bytes#74").
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "run/kfunc_test_util.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;

namespace {

constexpr uint32_t kEth = 14, kSrh = kEth + 40;  // where the SRH starts in the frame

std::vector<uint8_t> addr(uint8_t a, uint8_t b, uint8_t last) {
    std::vector<uint8_t> v(16, 0);
    v[0] = a;
    v[1] = b;
    v[15] = last;
    return v;
}

void put(std::vector<uint8_t>& v, const std::vector<uint8_t>& bytes) { v.insert(v.end(), bytes.begin(), bytes.end()); }

// Ethernet, IPv6 fd00::1 -> fc00::1 (this node's segment), an SRH of two segments (fc00::3,
// the last, then fc00::1) with segments_left `left` and next header `inner` (41: an inner IPv6
// packet fd00::1 -> fd00::2 follows; 59: nothing does).
std::vector<uint8_t> srv6_packet(uint8_t left = 1, uint8_t inner = 41) {
    std::vector<uint8_t> p = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd};
    const uint16_t payload = 40 + (inner == 41 ? 40 : 0);
    put(p, {0x60, 0, 0, 0, uint8_t(payload >> 8), uint8_t(payload), 43, 64});
    put(p, addr(0xfd, 0, 1));
    put(p, addr(0xfc, 0, 1));
    put(p, {inner, 4, 4, left, 1, 0, 0, 0});
    put(p, addr(0xfc, 0, 3));
    put(p, addr(0xfc, 0, 1));
    if (inner == 41) {
        put(p, {0x60, 0, 0, 0, 0, 0, 59, 64});
        put(p, addr(0xfd, 0, 1));
        put(p, addr(0xfd, 0, 2));
    }
    return p;
}

// Stores `bytes` at r10 - size (rounded up to 8), r3 pointing at them.
std::string stack_bytes(const std::vector<uint8_t>& bytes) {
    const size_t size = (bytes.size() + 7) / 8 * 8;
    std::string t;
    for (size_t i = 0; i < size; ++i)
        t += "*(u8 *)(r10 - " + std::to_string(size - i) + ") = " + std::to_string(i < bytes.size() ? bytes[i] : 0) + "\n";
    return t + "r3 = r10\nr3 += -" + std::to_string(size) + "\n";
}

std::string store(uint32_t offset, const std::vector<uint8_t>& bytes) {
    return "r1 = r6\n" + stack_bytes(bytes) + "r2 = " + std::to_string(offset) + "\nr4 = " +
           std::to_string(bytes.size()) + "\ncall bpf_lwt_seg6_store_bytes\n";
}
std::string adjust(uint32_t offset, int32_t delta) {
    return "r1 = r6\nr2 = " + std::to_string(offset) + "\nr3 = " + std::to_string(delta) +
           "\ncall bpf_lwt_seg6_adjust_srh\n";
}
std::string action(uint32_t act, const std::vector<uint8_t>& param) {
    return "r1 = r6\n" + stack_bytes(param) + "r2 = " + std::to_string(act) + "\nr4 = " +
           std::to_string(param.size()) + "\ncall bpf_lwt_seg6_action\n";
}
std::vector<uint8_t> le32(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }

// Runs `body` (r6 = ctx; each call's r0 lands in the next slot of r10 - 200...) and returns r0
// of the last call; `ret` is what the program returns after (BPF_OK unless given).
struct Seg6Run {
    RunResult result;
    int64_t r0 = 0;
};
Seg6Run run_seg6(const std::string& body, const std::vector<uint8_t>& packet, const char* ret = "r0 = 0",
                 const char* section = "lwt_seg6local") {
    const std::string text = "r6 = r1\n" + body + "*(u64 *)(r10 - 256) = r0\n" + ret + "\nexit\n";
    auto s = open_asm(text, section);
    RunInput in;
    in.packet = packet;
    auto started = s->start("asm", in);
    REQUIRE(started.ok());
    Vm& vm = *started.value()->vm;
    vm.run();
    REQUIRE_FALSE(vm.fault());
    Seg6Run out;
    const uint8_t* slot = vm.memory().helper_ptr(Vm::frame_pointer(0) - 256, 8, false);
    out.r0 = load_le<int64_t>(slot);
    out.result = s->finish(*started.value());
    return out;
}

std::vector<uint8_t> out_bytes(const Seg6Run& r, size_t at, size_t n) {
    REQUIRE(r.result.packet_out.size() >= at + n);
    return {r.result.packet_out.begin() + ptrdiff_t(at), r.result.packet_out.begin() + ptrdiff_t(at + n)};
}

std::string exit_text(const RunResult& r) {
    for (const HostEvent& e : r.host_events)
        if (e.helper == "exit") return e.text;
    return "";
}

}  // namespace

TEST_CASE("seg6: End.BPF advances the SRH before the program and refuses a packet without one") {
    Seg6Run r = run_seg6("r0 = 0\n", srv6_packet());
    // segments_left 1 -> 0, the destination fc00::1 -> segments[0] = fc00::3.
    CHECK(out_bytes(r, kSrh + 3, 1) == std::vector<uint8_t>{0});
    CHECK(out_bytes(r, kEth + 24, 16) == addr(0xfc, 0, 3));
    CHECK(r.result.host_events.front().helper == "End.BPF");
    CHECK(exit_text(r.result) ==
          "BPF_OK: End.BPF routes the packet by its destination address; the packet is routed to fc00::3: next hop "
          "fd00::1 on eth0 (ifindex 2)");

    auto s = open_asm("r0 = 0\nexit\n", "lwt_seg6local");
    RunInput in;
    in.packet = srv6_packet(0);  // no segments left: End.BPF drops it before the program
    auto started = s->start("asm", in);
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().what.find("End.BPF (seg6local) runs its program only on") != std::string::npos);
    in.packet = tcp_packet();
    CHECK_FALSE(s->start("asm", in).ok());
}

TEST_CASE("seg6: bpf_lwt_seg6_store_bytes writes the flags, the tag and the TLV area only") {
    // Flags (offset 40 + 5) and tag (46..47) of the SRH at offset 40 from the IPv6 header.
    Seg6Run r = run_seg6(store(45, {0x80}) + "*(u64 *)(r10 - 248) = r0\n" + store(46, {0, 42}), srv6_packet());
    CHECK(r.r0 == 0);
    CHECK(out_bytes(r, kSrh + 5, 3) == std::vector<uint8_t>{0x80, 0, 42});
    // A segment, segments_left, first_segment, a range spilling from the tag into the segments,
    // past the SRH: -EFAULT, the packet unchanged.
    for (const std::pair<uint32_t, uint8_t>& at : std::vector<std::pair<uint32_t, uint8_t>>{{48, 16}, {43, 1}, {44, 1}, {46, 4}, {80, 1}}) {
        const uint32_t off = at.first;
        CAPTURE(off);
        Seg6Run bad = run_seg6(store(off, std::vector<uint8_t>(at.second, 0xee)), srv6_packet());
        CHECK(bad.r0 == -14);
        CHECK(bad.result.packet_out == run_seg6("r0 = 0\n", srv6_packet()).result.packet_out);
    }
    // The kernel's TLV area for this helper starts at srh + (first_segment + 1) * 16 = 72: the
    // last segment's second half is writable (and the SRH is validated again after the run).
    Seg6Run quirk = run_seg6(store(72, std::vector<uint8_t>(8, 0x11)), srv6_packet());
    CHECK(quirk.r0 == 0);
    CHECK(out_bytes(quirk, kSrh + 8 + 16 + 8, 8) == std::vector<uint8_t>(8, 0x11));
    CHECK(exit_text(quirk.result).rfind("BPF_OK: End.BPF routes", 0) == 0);
}

TEST_CASE("seg6: bpf_lwt_seg6_adjust_srh grows and shrinks the TLV area") {
    // 8 bytes at the SRH's end (offset 80), then a PadN TLV (type 4, 6 bytes) written there.
    Seg6Run r = run_seg6(adjust(80, 8) + "*(u64 *)(r10 - 248) = r0\n" + store(80, {4, 6, 0, 0, 0, 0, 0, 0}),
                         srv6_packet());
    CHECK(r.r0 == 0);
    CHECK(r.result.packet_out.size() == srv6_packet().size() + 8);
    CHECK(out_bytes(r, kEth + 4, 2) == std::vector<uint8_t>{0, 88});  // payload length 80 + 8
    CHECK(out_bytes(r, kSrh + 1, 1) == std::vector<uint8_t>{5});     // hdrlen set at the check
    CHECK(out_bytes(r, kSrh + 40, 8) == std::vector<uint8_t>{4, 6, 0, 0, 0, 0, 0, 0});
    CHECK(out_bytes(r, kSrh + 48, 1) == std::vector<uint8_t>{0x60});  // the inner packet follows
    CHECK(exit_text(r.result).rfind("BPF_OK: End.BPF routes", 0) == 0);

    // Grow then shrink again: the packet is back as it was (hdrlen 4).
    Seg6Run back = run_seg6(adjust(80, 8) + adjust(80, -8), srv6_packet());
    CHECK(back.r0 == 0);
    CHECK(back.result.packet_out == run_seg6("r0 = 0\n", srv6_packet()).result.packet_out);

    // Offsets outside the TLV area [80, 80]: before it, past it, a removal past the SRH's end.
    CHECK(run_seg6(adjust(79, 8), srv6_packet()).r0 == -14);
    CHECK(run_seg6(adjust(81, 8), srv6_packet()).r0 == -14);
    CHECK(run_seg6(adjust(80, -8), srv6_packet()).r0 == -14);
}

TEST_CASE("seg6: an SRH left invalid drops the packet after the program") {
    // 4 bytes: the SRH's length (44) is not a multiple of 8.
    Seg6Run odd = run_seg6(adjust(80, 4), srv6_packet());
    CHECK(odd.r0 == 0);
    CHECK(exit_text(odd.result) == "BPF_OK, but the program left the Segment Routing Header invalid (its length, 44 "
                                   "bytes, is not a multiple of 8): End.BPF drops the packet");
    // 8 bytes holding a TLV that claims 10 bytes: the TLVs overflow the SRH.
    Seg6Run tlv = run_seg6(adjust(80, 8) + store(80, {4, 10}), srv6_packet(), "r0 = 7");
    CHECK(tlv.r0 == 0);
    CHECK(exit_text(tlv.result) == "BPF_REDIRECT, but the program left the Segment Routing Header invalid (its "
                                   "segments and TLVs do not fill its 48 bytes): End.BPF drops the packet");
    // BPF_DROP and an illegal value drop whatever the SRH.
    CHECK(exit_text(run_seg6("r0 = 0\n", srv6_packet(), "r0 = 2").result) == "BPF_DROP: the packet is dropped");
    CHECK(exit_text(run_seg6("r0 = 0\n", srv6_packet(), "r0 = 3").result).rfind("return value 3 is not BPF_OK", 0) == 0);
}

TEST_CASE("seg6: bpf_lwt_seg6_action End.X and End.T route, with the kernel's errors") {
    Seg6Run x = run_seg6(action(2, addr(0xfc, 0, 5)), srv6_packet(), "r0 = 7");
    CHECK(x.r0 == 0);
    CHECK(exit_text(x.result) == "BPF_REDIRECT: the packet goes where bpf_lwt_seg6_action sent it (End.X: the packet "
                                 "is routed to fc00::5: next hop fd00::1 on eth0 (ifindex 2))");
    CHECK(run_seg6(action(2, std::vector<uint8_t>(8, 0)), srv6_packet()).r0 == -22);  // not an in6_addr
    CHECK(run_seg6(action(2, addr(0xfd, 0, 2)), srv6_packet()).r0 == -22);  // the host's own: blackhole
    CHECK(run_seg6(adjust(80, 4) + action(2, addr(0xfc, 0, 5)), srv6_packet()).r0 == -74);  // -EBADMSG

    CHECK(run_seg6(action(3, le32(254)), srv6_packet()).r0 == 0);
    CHECK(run_seg6(action(3, le32(100)), srv6_packet()).r0 == -22);  // no such table
    CHECK(run_seg6(action(3, le32(255)), srv6_packet()).r0 == -101);  // local table: -ENETUNREACH
    CHECK(run_seg6(action(3, {254, 0}), srv6_packet()).r0 == -22);
    CHECK(run_seg6(action(1, le32(0)), srv6_packet()).r0 == -22);  // End: not an action the helper takes
}

TEST_CASE("seg6: End.DT6 decapsulates the inner IPv6 packet") {
    Seg6Run r = run_seg6(action(7, le32(254)) + "*(u64 *)(r10 - 248) = r0\n" + adjust(80, 8), srv6_packet(), "r0 = 7");
    CHECK(r.r0 == -22);  // after the decapsulation there is no SRH for adjust_srh
    CHECK(r.result.packet_out.size() == kEth + 40);
    CHECK(out_bytes(r, kEth + 24, 16) == addr(0xfd, 0, 2));
    CHECK(exit_text(r.result).find("the outer IPv6 header and SRH (80 bytes) are removed; the packet is routed to "
                                   "fd00::2 in table 254: next hop fd00::2 on eth0 (ifindex 2)") != std::string::npos);
    CHECK(run_seg6(action(7, le32(254)) + store(5, {1}), srv6_packet()).r0 == -22);  // no SRH left
    CHECK(run_seg6(action(7, le32(254)), srv6_packet(1, 59)).r0 == -74);  // no inner IPv6: -EBADMSG
    CHECK(run_seg6(action(7, {1}), srv6_packet()).r0 == -22);
}

TEST_CASE("seg6: End.B6 inserts an SRH, End.B6.Encap pushes an outer header and SRH") {
    // A policy of two segments: [0] is overwritten by End.B6 with the old destination, [1] fc00::9.
    std::vector<uint8_t> policy = {0, 4, 4, 1, 1, 0, 0, 0};
    put(policy, addr(0, 0, 0));
    put(policy, addr(0xfc, 0, 9));

    Seg6Run b6 = run_seg6(action(9, policy), srv6_packet(), "r0 = 7");
    CHECK(b6.r0 == 0);
    CHECK(b6.result.packet_out.size() == srv6_packet().size() + 40);
    CHECK(out_bytes(b6, kEth + 6, 1) == std::vector<uint8_t>{43});
    CHECK(out_bytes(b6, kEth + 24, 16) == addr(0xfc, 0, 9));
    CHECK(out_bytes(b6, kSrh, 1) == std::vector<uint8_t>{43});  // the new SRH, then the old one
    CHECK(out_bytes(b6, kSrh + 8, 16) == addr(0xfc, 0, 3));     // segments[0]: the old destination
    CHECK(out_bytes(b6, kEth + 4, 2) == std::vector<uint8_t>{0, 120});

    Seg6Run enc = run_seg6(action(10, policy), srv6_packet(), "r0 = 7");
    CHECK(enc.r0 == 0);
    CHECK(enc.result.packet_out.size() == srv6_packet().size() + 80);
    CHECK(out_bytes(enc, kEth, 8) == std::vector<uint8_t>{0x60, 0, 0, 0, 0, 160, 43, 64});
    CHECK(out_bytes(enc, kEth + 8, 16) == addr(0xfd, 0, 2));   // the host's address on eth0
    CHECK(out_bytes(enc, kEth + 24, 16) == addr(0xfc, 0, 9));  // segments[first_segment]
    CHECK(out_bytes(enc, kSrh, 1) == std::vector<uint8_t>{41});

    policy[1] = 5;  // hdrlen says 48 bytes, 40 given
    CHECK(run_seg6(action(9, policy), srv6_packet()).r0 == -22);
    CHECK(run_seg6(adjust(80, 4) + action(10, std::vector<uint8_t>(40, 0)), srv6_packet()).r0 == -74);
}

TEST_CASE("seg6: bpf_lwt_push_encap's SRv6 modes at lwt_in, -EINVAL at lwt_xmit") {
    std::vector<uint8_t> srh = {0, 2, 4, 0, 0, 0, 0, 0};
    put(srh, addr(0xfc, 0, 9));
    auto push = [&](uint32_t mode) {
        return "r1 = r6\nr2 = " + std::to_string(mode) + "\n" + stack_bytes(srh) +
               "r4 = 24\ncall bpf_lwt_push_encap\n";
    };
    std::vector<uint8_t> v6 = srv6_packet();
    Seg6Run enc = run_seg6(push(0), v6, "r0 = 0", "lwt_in");
    CHECK(enc.r0 == 0);
    CHECK(enc.result.packet_out.size() == v6.size() + 64);
    CHECK(out_bytes(enc, kEth + 24, 16) == addr(0xfc, 0, 9));
    Seg6Run inl = run_seg6(push(1), v6, "r0 = 0", "lwt_in");
    CHECK(inl.r0 == 0);
    CHECK(inl.result.packet_out.size() == v6.size() + 24);
    CHECK(out_bytes(inl, kSrh, 1) == std::vector<uint8_t>{43});  // the old first header follows
    CHECK(run_seg6(push(1), tcp_packet(), "r0 = 0", "lwt_in").r0 == -74);  // inline needs IPv6
    CHECK(run_seg6(push(0), v6, "r0 = 0", "lwt_xmit").r0 == -22);
}

TEST_CASE("seg6: examples/seg6_end_bpf.c") {
    auto s = bpfplay::test::open_object("public/examples/seg6_end_bpf.o");
    RunInput in;
    in.packet = srv6_packet();
    RunResult tag = s->run("end_tag_tlv", in);
    CHECK(tag.r0 == 0);
    CHECK(tag.packet_out.size() == in.packet.size() + 8);
    CHECK(std::vector<uint8_t>(tag.packet_out.begin() + kSrh, tag.packet_out.begin() + kSrh + 8) ==
          std::vector<uint8_t>{41, 5, 4, 0, 1, 0, 0, 42});
    CHECK(std::vector<uint8_t>(tag.packet_out.begin() + kSrh + 40, tag.packet_out.begin() + kSrh + 48) ==
          std::vector<uint8_t>{0x80, 6, 2, 0, 0, 0, 0, 2});
    CHECK(exit_text(tag).rfind("BPF_OK: End.BPF routes the packet", 0) == 0);

    RunResult x = s->run("end_x", in);
    CHECK(x.r0 == 7);
    CHECK(exit_text(x).find("End.X: the packet is routed to fd00::1") != std::string::npos);

    RunResult dt6 = s->run("end_dt6", in);  // segments_left 0 after End.BPF's advance
    CHECK(dt6.r0 == 7);
    CHECK(dt6.packet_out.size() == kEth + 40);

    // The catalog: only lwt_seg6local programs may call these helpers.
    Error e = refused_asm("r1 = 0\nr2 = 0\nr3 = 0\ncall bpf_lwt_seg6_adjust_srh\nexit\n", "tc");
    CHECK(e.what.find("cannot use helper bpf_lwt_seg6_adjust_srh#75") != std::string::npos);
}
