// bpf_xdp_adjust_head, bpf_xdp_adjust_meta and bpf_xdp_adjust_tail: bounds and error codes as
// the 6.18 kernel gave them for a 64-byte frame (tests/kernel/kernel_run on a probe program).
#include <doctest/doctest.h>

#include "run/packet_test_util.hpp"

namespace bpfplay::testing {

namespace {
constexpr int64_t kEinval = -22, kEacces = -13;

std::vector<uint8_t> zeros_then(size_t n, const std::vector<uint8_t>& tail) {
    std::vector<uint8_t> v(n, 0);
    v.insert(v.end(), tail.begin(), tail.end());
    return v;
}
}  // namespace

TEST_CASE("bpf_xdp_adjust_head: 216 bytes of headroom past the xdp_frame, 14 bytes must stay") {
    const auto frame = counting_frame(64);
    PacketRun r = run_packet_asm(call_with("bpf_xdp_adjust_head", -216), frame);
    CHECK(r.r0 == 0);
    CHECK(r.out == zeros_then(216, frame));  // the headroom was zeroed by the test run
    r = run_packet_asm(call_with("bpf_xdp_adjust_head", -217), frame);
    CHECK(r.r0 == kEinval);
    CHECK(r.out == frame);
    r = run_packet_asm(call_with("bpf_xdp_adjust_head", 50), frame);
    CHECK(r.r0 == 0);
    CHECK(r.out == std::vector<uint8_t>(frame.begin() + 50, frame.end()));
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_head", 51), frame).r0 == kEinval);
    // The offset is an int: the upper half of r2 is ignored.
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_head", 0x100000000ll + 14), frame).out.size() == 50);
}

TEST_CASE("bpf_xdp_adjust_head: ctx->data and data_end follow; popping then pushing restores the bytes") {
    // Pop the 14-byte Ethernet header, read data_end - data, push it back.
    const std::string text = R"(
        r6 = r1
        r2 = 14
        call bpf_xdp_adjust_head
        r1 = *(u32 *)(r6 + 0)
        r2 = *(u32 *)(r6 + 4)
        r7 = r2
        r7 -= r1
        r7 <<= 8
        r0 = *(u8 *)(r1 + 0)
        r7 |= r0
        r1 = r6
        r2 = -14
        call bpf_xdp_adjust_head
        r0 = r7
        exit
    )";
    const auto frame = counting_frame(64);
    const PacketRun r = run_packet_asm(text, frame);
    CHECK(r.r0 == ((50 << 8) | 14));  // 50 bytes left, the first is the old byte 14
    CHECK(r.out == frame);
}

TEST_CASE("bpf_xdp_adjust_meta: 4-byte steps, between the xdp_frame and data, more than 32 bytes allowed") {
    const auto frame = counting_frame(64);
    PacketRun r = run_packet_asm(call_with("bpf_xdp_adjust_meta", -32), frame);
    CHECK(r.r0 == 0);
    CHECK(r.out == zeros_then(32, frame));  // data_out starts at data_meta
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_meta", -36), frame).out.size() == 100);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_meta", -216), frame).r0 == 0);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_meta", -220), frame).r0 == kEinval);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_meta", -252), frame).r0 == kEinval);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_meta", -2), frame).r0 == kEacces);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_meta", 4), frame).r0 == kEinval);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_meta", 0), frame).r0 == 0);
}

TEST_CASE("bpf_xdp_adjust_meta: data_meta points at the metadata, which adjust_head carries along") {
    // meta -4; write 0xaabbccdd there through data_meta; adjust_head -212 (the most now: the
    // frame area and 4 bytes of metadata stay before data); r0 = data - data_meta.
    const std::string text = R"(
        r6 = r1
        r2 = -4
        call bpf_xdp_adjust_meta
        r1 = *(u32 *)(r6 + 8)
        r2 = *(u32 *)(r6 + 0)
        r3 = r1
        r3 += 4
        if r3 > r2 goto out
        r4 = 0xaabbccdd ll
        *(u32 *)(r1 + 0) = r4
        r1 = r6
        r2 = -212
        call bpf_xdp_adjust_head
        if r0 != 0 goto out
        r1 = *(u32 *)(r6 + 8)
        r0 = *(u32 *)(r6 + 0)
        r0 -= r1
    out:
        exit
    )";
    const auto frame = counting_frame(64);
    const PacketRun r = run_packet_asm(text, frame);
    CHECK(r.r0 == 4);
    REQUIRE(r.out.size() == 4 + 212 + 64);
    CHECK(r.out[0] == 0xdd);
    CHECK(r.out[3] == 0xaa);
    CHECK(std::vector<uint8_t>(r.out.end() - 64, r.out.end()) == frame);
    const std::string too_far = R"(
        r6 = r1
        r2 = -4
        call bpf_xdp_adjust_meta
        r1 = r6
        r2 = -213
        call bpf_xdp_adjust_head
        exit
    )";
    CHECK(run_packet_asm(too_far, frame).r0 == kEinval);
}

TEST_CASE("bpf_xdp_adjust_tail: up to 3520 bytes of data (a page minus headroom and shared info), 14 at least") {
    const auto frame = counting_frame(64);
    PacketRun r = run_packet_asm(call_with("bpf_xdp_adjust_tail", 3456), frame);
    CHECK(r.r0 == 0);
    REQUIRE(r.out.size() == 3520);
    CHECK(std::vector<uint8_t>(r.out.begin(), r.out.begin() + 64) == frame);
    CHECK(std::all_of(r.out.begin() + 64, r.out.end(), [](uint8_t b) { return b == 0; }));
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_tail", 3457), frame).r0 == kEinval);
    r = run_packet_asm(call_with("bpf_xdp_adjust_tail", -50), frame);
    CHECK(r.r0 == 0);
    CHECK(r.out == std::vector<uint8_t>(frame.begin(), frame.begin() + 14));
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_tail", -51), frame).r0 == kEinval);
}

TEST_CASE("bpf_xdp_adjust_tail: shrinking then growing zeroes the bytes that come back") {
    const std::string text = R"(
        r6 = r1
        r2 = -10
        call bpf_xdp_adjust_tail
        r1 = r6
        r2 = 10
        call bpf_xdp_adjust_tail
        exit
    )";
    const auto frame = counting_frame(64);
    const PacketRun r = run_packet_asm(text, frame);
    CHECK(r.r0 == 0);
    std::vector<uint8_t> want(frame.begin(), frame.begin() + 54);
    want.resize(64, 0);
    CHECK(r.out == want);
}

TEST_CASE("a frame longer than 3520 bytes is a multi-buffer packet: data_end stops at 3520, the rest is fragments") {
    const auto frame = counting_frame(3521);
    // r0 = data_end - data; bpf_xdp_get_buff_len counts the fragment too.
    PacketRun r = run_packet_asm("r0 = *(u32 *)(r1 + 4)\nr1 = *(u32 *)(r1 + 0)\nr0 -= r1\nexit\n", frame);
    CHECK(r.r0 == 3520);
    CHECK(r.out == frame);
    CHECK(run_packet_asm("call bpf_xdp_get_buff_len\nexit\n", frame).r0 == 3521);
    // Shrinking by 100 releases the 1-byte fragment, then takes 99 bytes of the linear part.
    r = run_packet_asm(call_with("bpf_xdp_adjust_tail", -100), frame);
    CHECK(r.r0 == 0);
    CHECK(r.out == std::vector<uint8_t>(frame.begin(), frame.begin() + 3421));
    // Growing fills the last fragment's page: 4095 bytes of room after its 1 byte.
    r = run_packet_asm(call_with("bpf_xdp_adjust_tail", 4095), frame);
    CHECK(r.r0 == 0);
    CHECK(r.out.size() == 3521 + 4095);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_tail", 4096), frame).r0 == kEinval);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_tail", -(3521 - 14)), frame).r0 == 0);
    CHECK(run_packet_asm(call_with("bpf_xdp_adjust_tail", -(3521 - 13)), frame).r0 == kEinval);
}

TEST_CASE("xdp_md ctx_in's data gives metadata at the packet's start, as BPF_PROG_TEST_RUN does") {
    std::vector<uint8_t> ctx(24, 0);
    ctx[0] = 8;   // data: 8 bytes of metadata
    ctx[4] = 72;  // data_end: the input's length
    const auto input = counting_frame(72);
    // r0 = data - data_meta
    const PacketRun r = run_packet_asm("r0 = *(u32 *)(r1 + 0)\nr1 = *(u32 *)(r1 + 8)\nr0 -= r1\nexit\n", input,
                                       "xdp", ctx);
    CHECK(r.r0 == 8);
    CHECK(r.out == input);
    REQUIRE(r.ctx.size() == 24);
    CHECK(r.ctx[0] == 8);
    CHECK(r.ctx[4] == 72);
    ctx[0] = 6;  // not a multiple of 4
    auto s = ObjectSession::open_assembly("r0 = 0\nexit\n", "xdp");
    REQUIRE(s.ok());
    RunInput in;
    in.packet = input;
    in.ctx = ctx;
    const RunResult bad = s.value()->run("asm", in);
    CHECK(bad.status == RunStatus::Faulted);
    REQUIRE(bad.error);
    CHECK(bad.error->what.find("-EINVAL") == 0);
}

} // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("bpf_xdp_load_bytes / store_bytes reach across the linear part into fragments, as 6.18 does") {
    std::vector<uint8_t> frame(3600);
    for (size_t i = 0; i < frame.size(); ++i) frame[i] = uint8_t(i * 7);
    const std::string text = R"(
        r6 = r1
        r1 = 0x0807060504030201 ll
        *(u64 *)(r10 - 8) = r1
        *(u64 *)(r10 - 16) = 0
        r1 = r6
        r2 = 3516
        r3 = r10
        r3 += -16
        r4 = 8
        call bpf_xdp_load_bytes
        r7 = *(u64 *)(r10 - 16)
        r1 = r6
        r2 = 3518
        r3 = r10
        r3 += -8
        r4 = 8
        call bpf_xdp_store_bytes
        r8 = r0
        r1 = r6
        r2 = 3595
        r3 = r10
        r3 += -16
        r4 = 8
        call bpf_xdp_load_bytes
        r8 <<= 16
        r0 &= 0xffff
        r8 |= r0
        r1 = r6
        r2 = 0x10000
        r3 = r10
        r3 += -16
        r4 = 1
        call bpf_xdp_load_bytes
        r8 <<= 16
        r0 &= 0xffff
        r8 |= r0
        r0 = r8
        exit
    )";
    const PacketRun r = run_packet_asm(text, frame);
    // store 0, the load past the end -EINVAL, the offset past 16 bits -EFAULT.
    CHECK(r.r0 == ((uint64_t(0xffea) << 16) | 0xfff2));
    REQUIRE(r.out.size() == 3600);
    std::vector<uint8_t> want(frame);
    for (size_t k = 0; k < 8; ++k) want[3518 + k] = uint8_t(k + 1);
    CHECK(r.out == want);
    CHECK(std::vector<uint8_t>(r.out.begin() + 3514, r.out.begin() + 3530) ==
          std::vector<uint8_t>{0x16, 0x1d, 0x24, 0x2b, 1, 2, 3, 4, 5, 6, 7, 8, 0x6a, 0x71, 0x78, 0x7f});
}

} // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("an XDP test run holds 3520 bytes and 17 page-sized fragments at most (-ENOMEM past that)") {
    auto s = ObjectSession::open_assembly("call bpf_xdp_get_buff_len\nexit\n", "xdp");
    REQUIRE(s.ok());
    RunInput in;
    in.packet.assign(3520 + 17 * 4096, 0);
    RunResult r = s.value()->run("asm", in);
    CHECK(r.status == RunStatus::Exited);
    CHECK(r.r0 == 3520 + 17 * 4096);
    in.packet.push_back(0);
    r = s.value()->run("asm", in);
    CHECK(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->what.find("-ENOMEM") == 0);
}

} // namespace bpfplay::testing
