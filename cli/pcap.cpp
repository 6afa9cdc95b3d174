#include "cli/pcap.hpp"

#include <cstdio>

namespace bpfplay::cli {
namespace {

constexpr size_t kGlobalHeader = 24;
constexpr size_t kRecordHeader = 16;
constexpr uint32_t kPcapngMagic = 0x0a0d0d0a; // a pcapng Section Header Block

// The magic number says in which byte order the writer stored every field; the machine bpfvm
// runs on does not matter.
uint32_t read_u32(const uint8_t* p, bool big_endian) {
    if (big_endian) return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
    return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | uint32_t(p[0]);
}

uint16_t read_u16(const uint8_t* p, bool big_endian) {
    return big_endian ? uint16_t(p[0] << 8 | p[1]) : uint16_t(p[1] << 8 | p[0]);
}

Error pcap_error(const std::string& name, const std::string& what, std::string hint = {}) {
    return make_error(ErrorKind::Parse, name + ": " + what, std::nullopt, std::move(hint));
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

const char* link_type_name(uint32_t link) {
    switch (link) {
    case 0: return "BSD loopback";
    case 101: return "raw IP";
    case 105: return "802.11";
    case 113: return "Linux cooked (SLL)";
    case 127: return "802.11 radiotap";
    case 228: return "raw IPv4";
    case 229: return "raw IPv6";
    case 276: return "Linux cooked v2 (SLL2)";
    default: return nullptr;
    }
}

} // namespace

Result<PcapFile> read_pcap(std::span<const uint8_t> bytes, const std::string& name, size_t max_packets) {
    if (bytes.size() < 4)
        return pcap_error(name, "not a pcap file: " + std::to_string(bytes.size()) +
                                    " bytes, shorter than the 4-byte magic number");
    PcapFile file;
    const uint32_t magic = read_u32(bytes.data(), false);
    if (magic == kPcapMagicMicro || magic == kPcapMagicNano) {
        file.big_endian = false;
    } else if (read_u32(bytes.data(), true) == kPcapMagicMicro ||
               read_u32(bytes.data(), true) == kPcapMagicNano) {
        file.big_endian = true;
    } else if (magic == kPcapngMagic) {
        return pcap_error(
            name, "this is a pcapng file; bpfvm reads classic pcap files",
            "(convert it: editcap -F pcap IN.pcapng OUT.pcap, or tcpdump -r IN.pcapng -w OUT.pcap)");
    } else {
        return pcap_error(name, "not a pcap file: magic number " + hex32(read_u32(bytes.data(), true)) +
                                    " is none of a1b2c3d4, d4c3b2a1, a1b23c4d, 4d3cb2a1");
    }
    file.nanosecond = read_u32(bytes.data(), file.big_endian) == kPcapMagicNano;
    if (bytes.size() < kGlobalHeader)
        return pcap_error(name, "truncated: the file header needs 24 bytes, the file has " +
                                    std::to_string(bytes.size()));
    const uint16_t major = read_u16(bytes.data() + 4, file.big_endian);
    if (major != 2)
        return pcap_error(name, "unsupported pcap version " + std::to_string(major) + "." +
                                    std::to_string(read_u16(bytes.data() + 6, file.big_endian)) +
                                    " (expected 2.4)");
    file.snaplen = read_u32(bytes.data() + 16, file.big_endian);
    // The top bits of the link-type field may carry an FCS length (pcap-savefile(5)).
    file.link_type = read_u32(bytes.data() + 20, file.big_endian) & 0x0fffffff;
    if (file.link_type != kPcapLinkEthernet) {
        const char* known = link_type_name(file.link_type);
        return pcap_error(name,
                          "link type " + std::to_string(file.link_type) +
                              (known ? std::string(" (") + known + ")" : "") +
                              " is not Ethernet (1); XDP and tc programs see Ethernet frames",
                          "(capture on an Ethernet interface, e.g. tcpdump -i eth0 -w FILE, not -i any)");
    }

    size_t offset = kGlobalHeader;
    while (offset < bytes.size() && (max_packets == 0 || file.packets.size() < max_packets)) {
        const std::string which = "packet " + std::to_string(file.packets.size() + 1);
        if (bytes.size() - offset < kRecordHeader)
            return pcap_error(name, "truncated: " + which + "'s 16-byte record header at offset " +
                                        std::to_string(offset) + " has only " +
                                        std::to_string(bytes.size() - offset) + " bytes");
        const uint8_t* rec = bytes.data() + offset;
        PcapPacket packet;
        packet.ts_sec = read_u32(rec, file.big_endian);
        packet.ts_frac = read_u32(rec + 4, file.big_endian);
        const uint32_t incl_len = read_u32(rec + 8, file.big_endian);
        packet.orig_len = read_u32(rec + 12, file.big_endian);
        offset += kRecordHeader;
        if (incl_len > kPcapMaxPacket)
            return pcap_error(name, which + " claims " + std::to_string(incl_len) + " bytes, more than the " +
                                        std::to_string(kPcapMaxPacket) +
                                        " any capture holds (a corrupt file?)");
        if (bytes.size() - offset < incl_len)
            return pcap_error(name, "truncated: " + which + " at offset " + std::to_string(offset) +
                                        " needs " + std::to_string(incl_len) + " bytes, the file has " +
                                        std::to_string(bytes.size() - offset) + " left");
        packet.bytes.assign(rec + kRecordHeader, rec + kRecordHeader + incl_len);
        offset += incl_len;
        file.packets.push_back(std::move(packet));
    }
    if (file.packets.empty()) return pcap_error(name, "the capture holds no packets");
    return file;
}

} // namespace bpfplay::cli
