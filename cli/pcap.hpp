#pragma once
// Packets from a classic libpcap capture file (what `tcpdump -w` and Wireshark's "pcap" format
// write), for `bpfvm run prog.o --pcap FILE`. Both byte orders, microsecond and nanosecond
// timestamps; link type Ethernet only (XDP and tc programs see frames from the Ethernet header
// on). The file is treated as hostile: every length is checked against the bytes present.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace bpfplay::cli {

constexpr uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr uint32_t kPcapLinkEthernet = 1; // LINKTYPE_ETHERNET
// No frame bpfvm runs is larger than this (the largest snaplen tcpdump uses).
constexpr uint32_t kPcapMaxPacket = 262144;

struct PcapPacket {
    std::vector<uint8_t> bytes; // incl_len bytes: what was captured
    uint32_t orig_len = 0;      // the frame's length on the wire (> bytes.size() when snapped)
    uint32_t ts_sec = 0;
    uint32_t ts_frac = 0; // microseconds, or nanoseconds for the nanosecond format
};

struct PcapFile {
    bool nanosecond = false;
    bool big_endian = false; // magic a1b2c3d4 / a1b23c4d stored big-endian
    uint32_t snaplen = 0;
    uint32_t link_type = 0;
    std::vector<PcapPacket> packets;
};

// Reads the header and up to `max_packets` packets (all when max_packets is 0). `name` is
// used in messages. Errors (ErrorKind::Parse): not a pcap file (pcapng gets its own hint), a
// link type other than Ethernet, no packets, a truncated header or packet, a packet larger
// than kPcapMaxPacket. Bytes after the last packet that do not form a complete record header
// are an error too: the file was cut while it was written.
Result<PcapFile> read_pcap(std::span<const uint8_t> bytes, const std::string& name, size_t max_packets = 0);

} // namespace bpfplay::cli
