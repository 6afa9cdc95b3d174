// The packet after a run as bpfvm run prints it (core/run/packet_out_text.hpp).
#include <doctest/doctest.h>

#include "core/hex.hpp"
#include "core/run/packet_out_text.hpp"

namespace bpfplay {
namespace {

std::vector<uint8_t> hexb(const char* h) { return *parse_hex_bytes(h); }

// A TCP SYN 10.0.0.1:1 -> 10.0.0.2:80, Ethernet 02:00:00:00:00:01 -> 02:00:00:00:00:02.
const char* const kSyn = "02000000000202000000000108004500002800014000400626cd0a0000010a00000200010050000003e8000000005002ffff97a70000";

TEST_CASE("packet headers: Ethernet, VLAN, IPv4/IPv6, TCP/UDP/ICMP, and what a short frame has") {
    CHECK(packet_headers_text(hexb(kSyn)) ==
          "Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.2, TCP 1 > 80");
    // The same with an 802.1Q tag of VLAN 100, cut after the IPv4 header's first bytes.
    CHECK(packet_headers_text(hexb("02000000000202000000000181000064080045000028")) ==
          "Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, VLAN 100, IPv4 (cut short)");
    CHECK(packet_headers_text(hexb("0200")) == "a 2-byte frame (no whole Ethernet header)");
    CHECK(packet_headers_text(hexb("0200000000020200000000010806")) ==
          "Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, EtherType 0x0806");
    // IPv6 UDP 2001:db8::1 -> 2001:db8::2, 53000 -> 53.
    const std::string v6 = std::string("02000000000202000000000186dd") + "6000000000081140" + "20010db8000000000000000000000001" +
                           "20010db8000000000000000000000002" + "cf0800350008" + "0000";
    CHECK(packet_headers_text(hexb(v6.c_str())) ==
          "Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv6 2001:0db8:0000:0000:0000:0000:0000:0001 > "
          "2001:0db8:0000:0000:0000:0000:0000:0002, UDP 53000 > 53");
    CHECK(packet_headers_text(hexb("020000000002020000000001080045000054000040004001000000000001000000020800")) ==
          "Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 0.0.0.1 > 0.0.0.2, ICMP type 8 code 0");
}

TEST_CASE("the packet out: nothing when unchanged, the changed bytes marked, a new length said") {
    const auto in = hexb(kSyn);
    CHECK(packet_out_text(in, in) == "");
    auto out = in;
    out[33] = 3;  // daddr 10.0.0.3
    out[25] = 0xcc;  // the checksum's second byte (its first, 0x26, stays)
    CHECK(packet_out_text(in, out) ==
          "packet out: 54 bytes, 2 changed (at 25, 33):\n"
          "  0000 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00\n"
          "  0010 00 28 00 01 40 00 40 06 26 cc*0a 00 00 01 0a 00\n"
          "  0020 00 03*00 01 00 50 00 00 03 e8 00 00 00 00 50 02\n"
          "  0030 ff ff 97 a7 00 00\n"
          "  Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.3, TCP 1 > 80\n");
    const std::vector<uint8_t> shorter(in.begin(), in.begin() + 14);
    CHECK(packet_out_text(in, shorter) ==
          "packet out: 14 bytes (was 54):\n  0000 02 00 00 00 00 02 02 00 00 00 00 01 08 00\n"
          "  Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 (cut short)\n");
}

}  // namespace
}  // namespace bpfplay
