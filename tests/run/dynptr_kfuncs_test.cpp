// The dynptr kfuncs (core/run/dynptr_kfuncs.cpp) and the dynptr helpers on skb and xdp dynptrs,
// with the results Linux 6.18 gave for the same programs and packets (BPF_PROG_TEST_RUN,
// tests/kernel/kernel_run.c: `kernel_run public/examples/xdp_dynptr_slice.o PROG --packet HEX`).
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "core/hex.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/object_session.hpp"
#include "maps/map_test_util.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;
using test::open_object;
using test::slot;

namespace {

std::vector<uint8_t> value_of(ObjectSession& s, const char* map, uint32_t index, size_t size) {
    std::vector<uint8_t> value(size);
    REQUIRE(s.object().maps->find(map)->lookup_user(test::bytes(index), value) == 0);
    return value;
}

std::vector<uint8_t> unhex(const std::string& h) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(uint8_t(std::stoul(h.substr(i, 2), nullptr, 16)));
    return out;
}

// Ethernet 00:11:22:33:44:55 <- 66:77:88:99:aa:bb, IPv4 10.0.0.1 -> 10.0.0.2 TTL 64, TCP 12345 -> 80
// SYN|ACK: 54 bytes.
const std::string kTcpPacket = "00112233445566778899aabb08004500002800010000400600000a0000010a000002"
                               "3039005000000001000000025012ffff00000000";

RunResult run(ObjectSession& s, const char* program, const std::string& packet) {
    RunInput in;
    in.packet = unhex(packet);
    RunResult r = s.run(program, in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return r;
}

// What probe() in the example recorded; the same for the XDP and the TC program (and the
// kernel's), except what depends on the dynptr being writable.
void check_probe(ObjectSession& s, uint32_t size, bool rdonly) {
    CHECK(slot(s, "results", 5) == size);   // bpf_dynptr_size
    CHECK(slot(s, "results", 6) == rdonly); // bpf_dynptr_is_rdonly
    CHECK(slot(s, "results", 7) == 0);      // bpf_dynptr_data: NULL for packet dynptrs
    CHECK(slot(s, "results", 8) == 0);      // a slice past the end: NULL
    CHECK(slot(s, "results", 9) == -7);     // bpf_dynptr_read past the end: -E2BIG
    CHECK(slot(s, "results", 10) == -22);   // bpf_dynptr_read with flags: -EINVAL
    CHECK(slot(s, "results", 11) == -22);   // bpf_dynptr_adjust start > end: -EINVAL
    CHECK(slot(s, "results", 12) == -34);   // bpf_dynptr_adjust past the size: -ERANGE
    CHECK(slot(s, "results", 13) == 0);     // bpf_dynptr_adjust(&clone, 6, 12)
    CHECK(slot(s, "results", 14) == 6);     // its size
    CHECK(slot(s, "results", 16) == 0);     // bpf_dynptr_copy to a local dynptr
    CHECK(slot(s, "results", 17) == 0);     // bpf_dynptr_memset on it
    CHECK(slot(s, "results", 19) == -7);    // bpf_dynptr_copy past the local dynptr: -E2BIG
    CHECK(slot(s, "results", 20) == (rdonly ? -22 : 0)); // bpf_dynptr_copy into the packet
    CHECK(slot(s, "results", 21) == (rdonly ? -22 : 0)); // bpf_dynptr_memset of its last byte
}

} // namespace

TEST_CASE("xdp_dynptr_slice example: parsing through bpf_dynptr_from_xdp and bpf_dynptr_slice") {
    auto s = open_object("public/examples/xdp_dynptr_slice.o");
    RunResult r = run(*s, "xdp_parse", kTcpPacket);
    CHECK(r.r0 == 2); // XDP_PASS
    CHECK(slot(*s, "results", 0) == 0x0800);
    CHECK(slot(*s, "results", 1) == 63); // the TTL, written back with bpf_dynptr_write
    CHECK(slot(*s, "results", 2) == 12345);
    CHECK(slot(*s, "results", 3) == 80);
    CHECK(slot(*s, "results", 4) == 3); // SYN | ACK
    check_probe(*s, 54, false);
    CHECK(slot(*s, "results", 15) == 0xbb); // the source MAC's last byte, through the adjusted clone
    CHECK(slot(*s, "results", 18) == 0xeeee66);
    CHECK(value_of(*s, "scratch", 0, 16) == unhex("66778899eeee00000000000000000000"));
    CHECK(slot(*s, "results", 22) == -22); // bpf_dynptr_from_xdp with flags: -EINVAL
    // bpf_dynptr_is_null on that dynptr: true. The kernel's bool leaves the upper bytes of r0 as
    // they were (0x06d23301 in its run); the program stores all 32 bits, bpfplay's are 0.
    CHECK(slot(*s, "results", 23) == 1);
    // The TTL, the first two bytes (bpf_dynptr_copy from the local dynptr) and the last one
    // (bpf_dynptr_memset), as the kernel left them.
    CHECK(hex_bytes(r.packet_out) == "66772233445566778899aabb080045000028000100003f0600000a0000010a000002"
                                     "3039005000000001000000025012ffff0000005a");

    // 36 bytes: no room for the TCP header, whose slice is NULL.
    s = open_object("public/examples/xdp_dynptr_slice.o");
    r = run(*s, "xdp_parse", kTcpPacket.substr(0, 72));
    CHECK(r.r0 == 1); // XDP_DROP
    CHECK(slot(*s, "results", 1) == 63);
    CHECK(slot(*s, "results", 2) == 0);
    CHECK(slot(*s, "results", 5) == 0);
}

TEST_CASE("xdp_dynptr_slice example: bpf_dynptr_from_skb in TC (writable) and in a socket filter (read-only)") {
    auto s = open_object("public/examples/xdp_dynptr_slice.o");
    RunResult r = run(*s, "tc_parse", kTcpPacket);
    CHECK(r.r0 == 0); // TC_ACT_OK
    CHECK(slot(*s, "results", 1) == 63);
    CHECK(slot(*s, "results", 2) == 12345);
    CHECK(slot(*s, "results", 4) == 3);
    check_probe(*s, 54, false);
    CHECK(slot(*s, "results", 15) == 0xbb);
    CHECK(slot(*s, "results", 22) == -22); // bpf_dynptr_from_skb with flags: -EINVAL
    CHECK(slot(*s, "results", 23) == 1);
    CHECK(hex_bytes(r.packet_out) == "66772233445566778899aabb080045000028000100003f0600000a0000010a000002"
                                     "3039005000000001000000025012ffff0000005a");

    // A socket filter sees the packet from the IP header on, and may not write it.
    s = open_object("public/examples/xdp_dynptr_slice.o");
    r = run(*s, "socket_parse", kTcpPacket);
    CHECK(r.r0 == 40); // skb->len
    CHECK(slot(*s, "results", 1) == 64);
    CHECK(slot(*s, "results", 2) == -22); // bpf_dynptr_write on a read-only dynptr
    check_probe(*s, 40, true);
    CHECK(slot(*s, "results", 15) == 0); // IP header bytes 6..11: 00 00 40 06 00 00
    CHECK(slot(*s, "results", 18) == 0xeeee00);
    CHECK(value_of(*s, "scratch", 0, 16) == unhex("00004006eeee00000000000000000000"));
}

TEST_CASE("xdp_dynptr_slice example: an xdp dynptr over a multi-buffer packet (fragments)") {
    auto s = open_object("public/examples/xdp_dynptr_slice.o");
    RunInput in;
    for (uint32_t i = 0; i < 4000; ++i) in.packet.push_back(uint8_t(i));
    RunResult r = s->run("xdp_frags", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 2);
    CHECK(slot(*s, "results", 0) == 4000);   // the whole packet, fragments included
    CHECK(slot(*s, "results", 1) == 1);      // across the linear part's end (3520): the buffer
    CHECK(slot(*s, "results", 2) == 0xc3bc); // bytes 3516 and 3523
    CHECK(slot(*s, "results", 3) == 0);      // the same without a buffer: NULL
    CHECK(slot(*s, "results", 4) == 1);      // in the linear part: a pointer into the packet
    CHECK(slot(*s, "results", 5) == 0);      // bpf_dynptr_read across it
    CHECK(slot(*s, "results", 6) == 0xc4bd); // bytes 3517 and 3524
    CHECK(slot(*s, "results", 7) == 0);      // bpf_dynptr_write across it
    CHECK(slot(*s, "results", 8) == 0);      // bpf_dynptr_memset inside the first fragment
    CHECK(slot(*s, "results", 9) == 0);      // and across the linear part's end
    CHECK(slot(*s, "results", 10) == -22);   // an xdp dynptr write with flags: -EINVAL
    // The kernel's packet_out (sha256 58f8719f...): the write, then the two memsets over it.
    std::vector<uint8_t> want = in.packet;
    for (uint32_t i = 0; i < 8; ++i) want[3516 + i] = uint8_t(i + 1);
    std::fill(want.begin() + 3600, want.begin() + 3900, 0xab);
    std::fill(want.begin() + 3500, want.begin() + 3540, 0xcd);
    CHECK(r.packet_out == want);
}

TEST_CASE("xdp_dynptr_slice example: bpf_dynptr_from_skb_meta over a test run's empty metadata") {
    auto s = open_object("public/examples/xdp_dynptr_slice.o");
    run(*s, "tc_parse", kTcpPacket);
    CHECK(slot(*s, "results", 24) == -22); // flags: -EINVAL
    CHECK(slot(*s, "results", 25) == 0);
    CHECK(slot(*s, "results", 26) == 0);   // skb_metadata_len: none
    CHECK(slot(*s, "results", 27) == -7);  // a byte past its 0 bytes: -E2BIG
}

// tests/run/bpf/dynptr_rdwr.c: the reference kernel refuses bpf_dynptr_slice_rdwr ("... is not
// allowed"); the expected results are kernel/bpf/helpers.c's (Linux 6.18).
TEST_CASE("bpf_dynptr_slice_rdwr: a writable slice of the packet and of a cloned ring buffer dynptr") {
    auto s = open_object("tests/run/bpf/dynptr_rdwr.o");
    RunResult r = run(*s, "tc_rdwr", kTcpPacket);
    CHECK(r.r0 == 1);
    CHECK(slot(*s, "results", 0) == 1); // a pointer into the packet, not the buffer
    CHECK(slot(*s, "results", 1) == 0); // 20 bytes at 40 of 54: NULL
    CHECK(slot(*s, "results", 2) == 0); // bpf_dynptr_adjust(&clone, 8, 16)
    CHECK(uint64_t(slot(*s, "results", 3)) == 0x1122334455667788u);
    std::vector<uint8_t> want = unhex(kTcpPacket);
    want[14 + 8] = 7; // the TTL, written through the slice
    CHECK(r.packet_out == want);

    // A program type that may not write packets may not take a writable slice of any dynptr.
    s = open_object("tests/run/bpf/dynptr_rdwr.o");
    RunInput in;
    in.packet = unhex(kTcpPacket);
    r = s->run("socket_rdwr", in);
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->what ==
          "bpf_dynptr_slice_rdwr: socket_filter programs may not write packet data: the kernel's verifier refuses "
          "the call (\"the prog does not allow writes to packet data\")");
}

TEST_CASE("xdp_dynptr_slice example: bpf_probe_read_kernel(_str)_dynptr and bpf_probe_read_user_dynptr") {
    auto s = open_object("public/examples/xdp_dynptr_slice.o");
    RunResult r = run(*s, "xdp_probe_read", kTcpPacket);
    CHECK(r.r0 == 2);
    CHECK(slot(*s, "results", 0) == 0);
    CHECK(slot(*s, "results", 1) == 14);  // "hello, dynptr" and its NUL
    CHECK(slot(*s, "results", 2) == -7);  // past the local dynptr: -E2BIG
    CHECK(slot(*s, "results", 3) == -34); // a kernel read of a user-space address: -ERANGE
    CHECK(slot(*s, "results", 4) == -14); // a user read that faults: -EFAULT
    CHECK(slot(*s, "results", 5) == 6);   // cut to 5 bytes and a NUL, into the packet
    CHECK(value_of(*s, "scratch", 0, 16) == unhex("686568656c6c6f2c2064796e70747200")); // "hehello, dynptr"
    CHECK(hex_bytes(r.packet_out) == "001168656c6c6f008899aabb08004500002800010000400600000a0000010a000002"
                                     "3039005000000001000000025012ffff00000000");
}

TEST_CASE("a dynptr kfunc on a dynptr no kfunc or helper made stops the run with the verifier's message") {
    auto s = open_object("tests/run/bpf/dynptr_rdwr.o");
    RunInput in;
    in.packet = unhex(kTcpPacket);
    const RunResult r = s->run("tc_uninit", in);
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    // The kernel's log for the same program: "Expected an initialized dynptr as arg #0".
    CHECK(r.error->what.starts_with("bpf_dynptr_slice: r1 points to fp-"));
    CHECK(r.error->what.ends_with("which holds no dynptr (none was made there, or it was submitted, discarded or "
                                  "written over): the kernel's verifier refuses the call (\"Expected an initialized "
                                  "dynptr as arg #0\")"));
}

TEST_CASE("bpf_dynptr_slice inside one XDP fragment: copied into the buffer; without one the run stops") {
    auto s = open_object("tests/run/bpf/dynptr_rdwr.o");
    RunInput in;
    for (uint32_t i = 0; i < 4000; ++i) in.packet.push_back(uint8_t(i));
    const RunResult r = s->run("xdp_in_frag", in);
    CHECK(slot(*s, "results", 0) == 0x1710); // bytes 3600 (0x10) and 3607 (0x17)
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    CHECK(r.error->what ==
          "bpf_dynptr_slice: the 8 bytes at offset 3600 lie in one fragment of the multi-buffer XDP packet, where "
          "the kernel returns a pointer into the fragment; bpfplay does not map fragments into the program's memory");
}
