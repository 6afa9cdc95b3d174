// bpf_check_mtu (163) from XDP and tc: the answers and errors of the 6.18 kernel
// (examples/cases/tc_mtu_guard.json holds its results for the same questions).
#include <doctest/doctest.h>

#include "run/packet_test_util.hpp"

namespace bpfplay::testing {

namespace {

constexpr int64_t kEinval = -22, kEnodev = -19;

// r0 = bpf_check_mtu(ctx, ifindex, &mtu (starting at `in`), len_diff, flags); r0 << 32 | mtu after.
std::string check_mtu(int64_t ifindex, uint32_t in, int64_t len_diff, int64_t flags) {
    return "*(u32 *)(r10 - 4) = " + std::to_string(in) + "\nr2 = " + std::to_string(ifindex) +
           "\nr3 = r10\nr3 += -4\nr4 = " + std::to_string(len_diff) + "\nr5 = " + std::to_string(flags) +
           "\ncall bpf_check_mtu\nr0 <<= 32\nr1 = *(u32 *)(r10 - 4)\nr0 |= r1\nexit\n";
}

int64_t answer(const PacketRun& r) { return r.r0 >> 32; }
uint32_t mtu_after(const PacketRun& r) { return uint32_t(r.r0); }

}  // namespace

TEST_CASE("bpf_check_mtu from XDP: lo's MTU 65536 is L3, the 14-byte header is added; no flags") {
    const auto frame = counting_frame(64);
    PacketRun r = run_packet_asm(check_mtu(0, 0, 0, 0), frame);
    CHECK(answer(r) == 0);
    CHECK(mtu_after(r) == 65536);
    // An L3 length passed in: 65536 fits exactly (with the header: 65550 <= 65536 + 14), one more does not.
    CHECK(answer(run_packet_asm(check_mtu(0, 65516, 20, 0), frame)) == 0);
    r = run_packet_asm(check_mtu(0, 65517, 20, 0), frame);
    CHECK(answer(r) == 1);  // BPF_MTU_CHK_RET_FRAG_NEEDED
    CHECK(mtu_after(r) == 65536);
    // The frame's 64 bytes + len_diff against 65550.
    CHECK(answer(run_packet_asm(check_mtu(0, 0, 65550 - 64, 0), frame)) == 0);
    CHECK(answer(run_packet_asm(check_mtu(0, 0, 65551 - 64, 0), frame)) == 1);
    // A negative len_diff shrinks the length.
    CHECK(answer(run_packet_asm(check_mtu(0, 65600, -100, 0), frame)) == 0);
    // eth0 of the default host: MTU 1500.
    r = run_packet_asm(check_mtu(2, 1500, 0, 0), frame);
    CHECK(answer(r) == 0);
    CHECK(mtu_after(r) == 1500);
    CHECK(answer(run_packet_asm(check_mtu(2, 1501, 0, 0), frame)) == 1);
    // Errors leave *mtu_len alone.
    r = run_packet_asm(check_mtu(999, 7, 0, 0), frame);
    CHECK(answer(r) == kEnodev);
    CHECK(mtu_after(r) == 7);
    r = run_packet_asm(check_mtu(0, 7, 0, 1), frame);  // BPF_MTU_CHK_SEGS: not for XDP
    CHECK(answer(r) == kEinval);
    CHECK(mtu_after(r) == 7);
}

TEST_CASE("bpf_check_mtu from tc: skb->len, BPF_MTU_CHK_SEGS only without len_diff or an input length") {
    const auto frame = counting_frame(64);
    PacketRun r = run_packet_asm(check_mtu(0, 0, 0, 0), frame, "tc");
    CHECK(answer(r) == 0);
    CHECK(mtu_after(r) == 65536);
    CHECK(answer(run_packet_asm(check_mtu(0, 0, 65551 - 64, 0), frame, "tc")) == 1);
    CHECK(answer(run_packet_asm(check_mtu(0, 0, 0, 1), frame, "tc")) == 0);  // SEGS alone: not GSO, fits
    CHECK(answer(run_packet_asm(check_mtu(0, 0, 20, 1), frame, "tc")) == kEinval);
    r = run_packet_asm(check_mtu(0, 100, 0, 1), frame, "tc");
    CHECK(answer(r) == kEinval);
    CHECK(mtu_after(r) == 100);
    CHECK(answer(run_packet_asm(check_mtu(0, 0, 0, 2), frame, "tc")) == kEinval);  // unknown flag
    CHECK(answer(run_packet_asm(check_mtu(999, 0, 0, 0), frame, "tc")) == kEnodev);
}

}  // namespace bpfplay::testing
