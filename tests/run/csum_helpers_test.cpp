// The checksum helpers against the 6.18 kernel's answers (tests/kernel/kernel_run on probe
// programs with the same bytes) and against an independent Internet checksum.
#include <doctest/doctest.h>

#include <numeric>

#include "core/run/inet_csum.hpp"
#include "run/packet_test_util.hpp"

namespace bpfplay::testing {

namespace {

constexpr int64_t kEinval = -22, kEfault = -14, kEacces = -13, kEnotsupp = -524;

// The probe's bytes: byte i is (i * 37 + 11) mod 256 (or 0xff), from = 32.., to = 96...
uint8_t probe_byte(size_t i, bool ones) { return ones ? 0xff : uint8_t(i * 37 + 11); }

struct DiffCase {
    uint32_t from_size, to_size, seed, kernel;
    bool ones = false;
};

// The kernel's bpf_csum_diff(data + 32, from_size, data + 96, to_size, seed) on x86-64.
constexpr DiffCase kDiffCases[] = {
    {4, 4, 0u, 0x7f7f},        {0, 8, 0u, 0xfe69},    {8, 0, 0u, 0x196},
    {20, 20, 0u, 0x7f7f},      {64, 64, 0u, 0xff},    {40, 0, 12345u, 0xf9e6},
    {0, 40, 4294967295u, 0x3652}, {3, 4, 0u, 0x997f}, {0, 0, 77u, 0x4d},
    {0, 0, 305419896u, 0x68ac}, {60, 8, 99u, 0xd1f5}, {64, 64, 0u, 0xffff, true},
    {12, 0, 0u, 0x0, true},    {0, 1, 0u, 0xeb},      {0, 7, 0u, 0x1069},
    {0, 47, 0u, 0x9edb},       {0, 63, 0u, 0x6acf},   {45, 61, 0u, 0xfc62},
    {0, 64, 2147483648u, 0xf0cf},
};

// An independent Internet checksum: the one's complement sum of big-endian 16-bit words.
uint16_t internet_checksum(const std::vector<uint8_t>& b) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < b.size(); i += 2) sum += uint32_t(b[i]) << 8 | b[i + 1];
    if (b.size() & 1) sum += uint32_t(b.back()) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

}  // namespace

TEST_CASE("bpf_csum_diff: the 16-bit folded sum, bit for bit as the kernel on x86-64, any sizes") {
    const std::string text = R"(
        r2 = *(u32 *)(r1 + 4)
        r1 = *(u32 *)(r1 + 0)
        r3 = r1
        r3 += 160
        r0 = 9999
        if r3 > r2 goto out
        r2 = *(u32 *)(r1 + 14)
        r4 = *(u32 *)(r1 + 18)
        r5 = *(u32 *)(r1 + 22)
        r3 = r1
        r3 += 96
        r1 += 32
        call bpf_csum_diff
    out:
        exit
    )";
    for (const DiffCase& c : kDiffCases) {
        std::vector<uint8_t> frame(160, 0);
        frame[12] = 8;
        store_le<uint32_t>(&frame[14], c.from_size);
        store_le<uint32_t>(&frame[18], c.to_size);
        store_le<uint32_t>(&frame[22], c.seed);
        for (size_t i = 32; i < 160; ++i) frame[i] = probe_byte(i, c.ones);
        CAPTURE(c.from_size);
        CAPTURE(c.to_size);
        CAPTURE(c.seed);
        CHECK(run_packet_asm(text, frame).r0 == int64_t(c.kernel));
    }
}

TEST_CASE("inet_csum::partial folds like the kernel's csum_partial; csum_fold complements") {
    std::vector<uint8_t> b(200);
    std::iota(b.begin(), b.end(), uint8_t(1));
    for (size_t n : {0, 1, 2, 7, 8, 20, 40, 79, 80, 81, 160, 200}) {
        std::vector<uint8_t> part(b.begin(), b.begin() + ptrdiff_t(n));
        const uint16_t folded = inet_csum::fold(inet_csum::partial(part, 0));
        // fold gives the checksum in memory order (little-endian load of network bytes).
        const uint16_t want = internet_checksum(part);
        CAPTURE(n);
        CHECK(uint16_t(folded << 8 | folded >> 8) == want);
    }
    CHECK(inet_csum::fold(0) == 0xffff);
    CHECK(inet_csum::fold(0xffff) == 0);
    CHECK(inet_csum::fold(0xffffffff) == 0);
    CHECK(inet_csum::from32to16(0xffffffff) == 0xffff);
}

namespace {

// A TC probe: op at 40, offset 44, from 48, to 52, flags 56 (as u32s); the checksum at 24.
const char* kReplace = R"(
    r6 = r1
    r2 = *(u32 *)(r1 + 80)
    r1 = *(u32 *)(r1 + 76)
    r3 = r1
    r3 += 64
    r0 = 9999
    if r3 > r2 goto out
    r7 = *(u32 *)(r1 + 40)
    r2 = *(u32 *)(r1 + 44)
    r3 = *(u32 *)(r1 + 48)
    r4 = *(u32 *)(r1 + 52)
    r5 = *(u32 *)(r1 + 56)
    r1 = r6
    if r7 != 0 goto l4
    call bpf_l3_csum_replace
    goto out
l4:
    call bpf_l4_csum_replace
out:
    exit
)";

struct Replaced {
    int64_t r0;
    uint16_t field;  // bytes 24, 25 big-endian, as kernel_run printed them
};

Replaced replace(uint32_t op, uint32_t offset, uint32_t from, uint32_t to, uint32_t flags, uint16_t field) {
    std::vector<uint8_t> b(64, 0);
    b[12] = 8;
    for (size_t i = 14; i < 40; ++i) b[i] = uint8_t(i * 37 + 11);
    b[24] = uint8_t(field >> 8);
    b[25] = uint8_t(field);
    store_le<uint32_t>(&b[40], op);
    store_le<uint32_t>(&b[44], offset);
    store_le<uint32_t>(&b[48], from);
    store_le<uint32_t>(&b[52], to);
    store_le<uint32_t>(&b[56], flags);
    const PacketRun r = run_packet_asm(kReplace, b, "tc");
    return {r.r0, uint16_t(r.out[24] << 8 | r.out[25])};
}

}  // namespace

TEST_CASE("bpf_l3_csum_replace: sizes 4, 2 and 0 (a diff), the kernel's results and errors") {
    CHECK(replace(0, 24, 0x0100000a, 0x0200000a, 4, 0x1234).field == 0x1233);
    CHECK(replace(0, 24, 0x0a00, 0x0b00, 2, 0x1234).field == 0x1233);
    CHECK(replace(0, 24, 0x12340a00, 0x56780b00, 2, 0x1234).field == 0x1233);  // only 16 bits count
    CHECK(replace(0, 24, 0, 0x12345, 0, 0x1234).field == 0xcc10);
    CHECK(replace(0, 24, 1, 5, 0, 0x1234).r0 == kEinval);  // size 0 takes no `from`
    CHECK(replace(0, 24, 0, 5, 3, 0x1234).r0 == kEinval);
    CHECK(replace(0, 24, 0, 5, 0x14, 0x1234).r0 == kEinval);  // BPF_F_PSEUDO_HDR is L4's
    CHECK(replace(0, 25, 0, 5, 4, 0x1234).r0 == kEfault);     // odd offset
    CHECK(replace(0, 62, 0, 5, 4, 0x1234).r0 == 0);           // the last 2 bytes
    CHECK(replace(0, 64, 0, 5, 4, 0x1234).r0 == kEfault);     // past the end
}

TEST_CASE("bpf_l4_csum_replace: pseudo-header, mangled-0 and IPv6 flags, the kernel's results and errors") {
    CHECK(replace(1, 24, 0x0100000a, 0x0200000a, 0x14, 0x1234).field == 0x1233);
    // BPF_F_MARK_MANGLED_0: a zero (no UDP checksum) stays zero, unless enforced.
    const Replaced zero = replace(1, 24, 0x0100000a, 0x0200000a, 0x34, 0x0000);
    CHECK(zero.r0 == 0);
    CHECK(zero.field == 0x0000);
    CHECK(replace(1, 24, 0x0100000a, 0x0200000a, 0x74, 0x0000).field == 0xfffe);
    CHECK(replace(1, 24, 0, 0, 0x20, 0x0100).field == 0x0100);
    CHECK(replace(1, 24, 0, 0xfeff, 0x20, 0xffff).field == 0x0001);
    CHECK(replace(1, 24, 0x0100000a, 0x0200000a, 0x94, 0x1234).field == 0x1233);  // BPF_F_IPV6
    CHECK(replace(1, 24, 0x0100000a, 0x0200000a, 0x104, 0x1234).r0 == kEinval);
    CHECK(replace(1, 24, 0, 0xabcdef, 0x10, 0x1234).field == 0x7765);
    // A checksum that computes to 0 is sent as 0xffff with BPF_F_MARK_MANGLED_0 (a checksum
    // field of 0xffff, a 2-byte change from 0 to 0, computes to 0).
    CHECK(replace(1, 24, 0, 0, 0x22, 0xffff).field == 0xffff);
    CHECK(replace(1, 24, 0, 0, 0x02, 0xffff).field == 0x0000);
    CHECK(replace(1, 24, 0, 0x0100, 0x22, 0xfeff).field == 0xfefe);
    // 2-byte changes: l3 adds 16-bit words, l4 zero-extends them to 32 bits; same sums here.
    CHECK(replace(0, 24, 0x1234, 0xabcd, 2, 0x0000).field == 0x6666);
    CHECK(replace(1, 24, 0x1234, 0xabcd, 2, 0x0000).field == 0x6666);
    CHECK(replace(0, 24, 0, 0, 2, 0xffff).field == 0x0000);
}

TEST_CASE("rewriting an address with l3 and l4 replace gives the checksums an independent computation gives") {
    // IPv4/UDP 10.0.0.1:4000 -> 10.0.0.2:53, payload "dns?"; rewrite the destination to
    // 192.168.1.7, fixing the IP checksum (l3) and the UDP checksum (l4, pseudo header).
    const std::vector<uint8_t> before = {
        0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00,                 // Ethernet
        0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,  // IPv4
        0x0f, 0xa0, 0, 53, 0, 12, 0, 0, 'd', 'n', 's', '?'};                // UDP
    auto with_checksums = [](std::vector<uint8_t> f) {
        f[24] = f[25] = 0;
        const uint16_t ip = internet_checksum({f.begin() + 14, f.begin() + 34});
        f[24] = uint8_t(ip >> 8), f[25] = uint8_t(ip);
        std::vector<uint8_t> pseudo(f.begin() + 26, f.begin() + 34);  // addresses
        pseudo.insert(pseudo.end(), {0, 17, 0, 12});
        f[40] = f[41] = 0;
        pseudo.insert(pseudo.end(), f.begin() + 34, f.end());
        const uint16_t udp = internet_checksum(pseudo);
        f[40] = uint8_t(udp >> 8), f[41] = uint8_t(udp);
        return f;
    };
    const std::vector<uint8_t> in = with_checksums(before);
    std::vector<uint8_t> want = before;
    want[30] = 192, want[31] = 168, want[32] = 1, want[33] = 7;
    want = with_checksums(want);
    const std::string text = R"(
        r6 = r1
        *(u32 *)(r10 - 4) = 0x0701a8c0
        r2 = 30
        r3 = r10
        r3 += -4
        r4 = 4
        r5 = 0
        call bpf_skb_store_bytes
        r1 = r6
        r2 = 24
        r3 = 0x0200000a
        r4 = 0x0701a8c0
        r5 = 4
        call bpf_l3_csum_replace
        r1 = r6
        r2 = 40
        r3 = 0x0200000a
        r4 = 0x0701a8c0
        r5 = 0x14
        call bpf_l4_csum_replace
        exit
    )";
    const PacketRun r = run_packet_asm(text, in, "tc");
    CHECK(r.r0 == 0);
    CHECK(r.out == want);
}

TEST_CASE("bpf_csum_update and bpf_csum_level on the test run's CHECKSUM_NONE skb") {
    const std::vector<uint8_t> frame(64, 0);
    CHECK(run_packet_asm("r2 = 5\ncall bpf_csum_update\nexit\n", frame, "tc").r0 == kEnotsupp);
    CHECK(run_packet_asm("r2 = 0\ncall bpf_csum_level\nexit\n", frame, "tc").r0 == kEacces);
    CHECK(run_packet_asm("r2 = 5\ncall bpf_csum_level\nexit\n", frame, "tc").r0 == kEinval);
    CHECK(run_packet_asm("r2 = 2\ncall bpf_csum_level\nexit\n", frame, "tc").r0 == 0);
    CHECK(run_packet_asm("r2 = 3\ncall bpf_csum_level\nexit\n", frame, "tc").r0 == 0);
    // INC makes it CHECKSUM_UNNECESSARY at level 0, then 1, ... at most 3; DEC goes back.
    const std::string levels = R"(
        r6 = r1
        r7 = 5
    inc:
        r1 = r6
        r2 = 1
        call bpf_csum_level
        r7 += -1
        if r7 != 0 goto inc
        r1 = r6
        r2 = 0
        call bpf_csum_level
        r8 = r0
        r8 *= 10
        r1 = r6
        r2 = 2
        call bpf_csum_level
        r8 += r0
        r8 *= 10
        r1 = r6
        r2 = 0
        call bpf_csum_level
        r8 += r0
        r1 = r6
        r2 = 5
        call bpf_csum_update
        r0 = r8
        exit
    )";
    CHECK(run_packet_asm(levels, frame, "tc").r0 == 302);
}

} // namespace bpfplay::testing
