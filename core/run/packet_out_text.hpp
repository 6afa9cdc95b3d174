#pragma once
// The packet after a run, for people (bpfvm run): its length, the bytes the program changed
// (marked in a hex dump) and its headers as an Ethernet frame (VLAN tags, IPv4/IPv6, TCP, UDP,
// ICMP), so a rewrite -- a NAT, a checksum, a pushed tag -- reads at a glance.
#include <cstdint>
#include <span>
#include <string>

namespace bpfplay {

// "Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4 10.0.0.1 > 10.0.0.2, TCP 1 > 8080"; what a
// short frame has ("Ethernet ..., IPv4 (cut short)").
std::string packet_headers_text(std::span<const uint8_t> frame);

// "" when the packet is unchanged; else a header line ("packet out: 54 bytes, 6 changed (at
// 24-25, 30-33)" or "packet out: 50 bytes (was 54)"), the dump (changed bytes followed by '*'),
// and the headers line.
std::string packet_out_text(std::span<const uint8_t> in, std::span<const uint8_t> out);

}  // namespace bpfplay
