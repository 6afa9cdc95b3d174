#include "core/run/packet_out_text.hpp"

#include <cstdio>
#include <vector>

#include "core/hex.hpp"
#include "core/host/ip_format.hpp"

namespace bpfplay {

namespace {

constexpr uint16_t kEthIpv4 = 0x0800, kEthIpv6 = 0x86dd, kEthVlan = 0x8100, kEthQinQ = 0x88a8;
constexpr uint8_t kIpTcp = 6, kIpUdp = 17, kIpIcmp = 1, kIpIcmpv6 = 58;

uint16_t be16(std::span<const uint8_t> b, size_t at) { return uint16_t(b[at] << 8 | b[at + 1]); }

std::string mac(std::span<const uint8_t> b, size_t at) {
    char out[18];
    std::snprintf(out, sizeof out, "%02x:%02x:%02x:%02x:%02x:%02x", b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4],
                  b[at + 5]);
    return out;
}

// The transport header at `at` of protocol `proto`.
std::string transport(std::span<const uint8_t> f, size_t at, uint8_t proto) {
    const char* name = proto == kIpTcp ? "TCP" : proto == kIpUdp ? "UDP" : nullptr;
    if (name) {
        if (f.size() < at + 4) return std::string(", ") + name + " (cut short)";
        return std::string(", ") + name + " " + std::to_string(be16(f, at)) + " > " + std::to_string(be16(f, at + 2));
    }
    if (proto == kIpIcmp || proto == kIpIcmpv6) {
        const std::string n = proto == kIpIcmp ? "ICMP" : "ICMPv6";
        if (f.size() < at + 2) return ", " + n + " (cut short)";
        return ", " + n + " type " + std::to_string(f[at]) + " code " + std::to_string(f[at + 1]);
    }
    return ", IP protocol " + std::to_string(proto);
}

}  // namespace

std::string packet_headers_text(std::span<const uint8_t> f) {
    if (f.size() < 14) return "a " + std::to_string(f.size()) + "-byte frame (no whole Ethernet header)";
    std::string t = "Ethernet " + mac(f, 6) + " > " + mac(f, 0);
    size_t at = 12;
    uint16_t type = be16(f, at);
    while ((type == kEthVlan || type == kEthQinQ) && f.size() >= at + 6) {
        t += ", VLAN " + std::to_string(be16(f, at + 2) & 0x0fff);
        at += 4;
        type = be16(f, at);
    }
    at += 2;
    if (type == kEthIpv4) {
        if (f.size() < at + 20) return t + ", IPv4 (cut short)";
        const size_t ihl = size_t(f[at] & 0x0f) * 4;
        t += ", IPv4 " + format_ipv4(&f[at + 12], false) + " > " + format_ipv4(&f[at + 16], false);
        if (ihl < 20) return t + " (IHL " + std::to_string(ihl / 4) + ")";
        return t + transport(f, at + ihl, f[at + 9]);
    }
    if (type == kEthIpv6) {
        if (f.size() < at + 40) return t + ", IPv6 (cut short)";
        t += ", IPv6 " + format_ipv6(&f[at + 8], true) + " > " + format_ipv6(&f[at + 24], true);
        return t + transport(f, at + 40, f[at + 6]);
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, ", EtherType 0x%04x", type);
    return t + buf;
}

std::string packet_out_text(std::span<const uint8_t> in, std::span<const uint8_t> out) {
    const bool same_size = in.size() == out.size();
    std::vector<bool> changed(out.size(), false);
    std::vector<std::pair<size_t, size_t>> runs;  // [first, last] of each run of changed bytes
    if (same_size) {
        for (size_t i = 0; i < out.size(); ++i) {
            if (in[i] == out[i]) continue;
            changed[i] = true;
            if (!runs.empty() && runs.back().second + 1 == i)
                runs.back().second = i;
            else
                runs.push_back({i, i});
        }
        if (runs.empty()) return "";
    }
    size_t count = 0;
    std::string ranges;
    for (const auto& [first, last] : runs) {
        count += last - first + 1;
        ranges += (ranges.empty() ? "" : ", ") + std::to_string(first) + (last > first ? "-" + std::to_string(last) : "");
    }
    std::string t = "packet out: " + std::to_string(out.size()) + " bytes";
    t += same_size ? ", " + std::to_string(count) + " changed (at " + ranges + ")" : " (was " + std::to_string(in.size()) + ")";
    t += ":\n";
    for (size_t row = 0; row < out.size(); row += 16) {
        char off[24];
        std::snprintf(off, sizeof off, "  %04zx ", row);
        t += off;
        for (size_t i = row; i < row + 16 && i < out.size(); ++i) {
            t += kHexDigits[out[i] >> 4];
            t += kHexDigits[out[i] & 15];
            t += changed[i] ? '*' : ' ';
        }
        while (!t.empty() && t.back() == ' ') t.pop_back();
        t += "\n";
    }
    return t + "  " + packet_headers_text(out) + "\n";
}

}  // namespace bpfplay
