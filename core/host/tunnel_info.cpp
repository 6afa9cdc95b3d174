// The words for a packet's tunnel metadata (net_model.hpp's TunnelInfo).
#include <arpa/inet.h>

#include "core/hex.hpp"
#include "core/host/net_model.hpp"

namespace bpfplay {

std::string inet_address_text(const Ipv6& a, bool ipv6) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ipv6 ? AF_INET6 : AF_INET, a.data(), text, sizeof text);
    return text;
}

namespace {

// The TUNNEL_* bits by name, as include/net/ip_tunnels.h spells them.
std::string flag_names(uint16_t flags) {
    static const std::pair<uint16_t, const char*> kNames[] = {
        {kTunnelCsum, "CSUM"},          {0x02, "ROUTING"},         {kTunnelKey, "KEY"},
        {kTunnelSeq, "SEQ"},            {0x10, "STRICT"},          {0x20, "REC"},
        {0x40, "VERSION"},              {0x80, "NO_KEY"},          {kTunnelDontFragment, "DONT_FRAGMENT"},
        {0x200, "OAM"},                 {0x400, "CRIT_OPT"},       {kTunnelGeneveOpt, "GENEVE_OPT"},
        {kTunnelVxlanOpt, "VXLAN_OPT"}, {kTunnelNocache, "NOCACHE"}, {kTunnelErspanOpt, "ERSPAN_OPT"},
        {kTunnelGtpOpt, "GTP_OPT"},
    };
    std::string out;
    for (const auto& [bit, name] : kNames)
        if (flags & bit) out += (out.empty() ? "TUNNEL_" : " | TUNNEL_") + std::string(name);
    return out.empty() ? "none" : out;
}

}  // namespace

std::string describe_tunnel(const TunnelInfo& t) {
    std::string s = "key " + std::to_string(t.id) + " from " + inet_address_text(t.src, t.ipv6) + " to " +
                    inet_address_text(t.dst, t.ipv6) + ", tos " + std::to_string(t.tos) + ", ttl " + std::to_string(t.ttl);
    if (t.label) s += ", flow label " + hex(t.label);
    s += ", flags " + flag_names(t.flags);
    if (!t.options.empty()) s += ", " + std::to_string(t.options.size()) + " bytes of options";
    return s;
}

}  // namespace bpfplay
