#include "core/host/host_json_tunnel.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "core/host/net_model.hpp"
#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay {

std::optional<HostJsonProblem> host_json_only(const JsonValue& obj, const std::string& path,
                                              std::initializer_list<const char*> allowed) {
    if (!obj.is_object()) return HostJsonProblem{path, "expected an object"};
    for (const std::string& k : obj.keys())
        if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; })) {
            std::string list;
            for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            return HostJsonProblem{path, "unknown member \"" + k + "\" (known: " + list + ")"};
        }
    return std::nullopt;
}

namespace {

template <class T>
std::optional<HostJsonProblem> uint(const JsonValue& obj, const std::string& path, const char* key, T& out,
                                    uint64_t max) {
    const JsonValue* v = obj.find(key);
    if (!v) return std::nullopt;
    const auto n = v->as_uint64();
    if (!n || *n > max) return HostJsonProblem{path + "." + key, "expected an integer from 0 to " + std::to_string(max)};
    out = T(*n);
    return std::nullopt;
}

// "192.0.2.1" or "fd00::1" into bytes (IPv4 in the first four); the family.
std::optional<HostJsonProblem> address(const JsonValue& obj, const std::string& path, const char* key, Ipv6& out,
                                       uint32_t& family) {
    const JsonValue* v = obj.find(key);
    if (!v) return HostJsonProblem{path, std::string("missing \"") + key + "\" (an IPv4 or IPv6 address)"};
    if (v->is_string() && inet_pton(AF_INET, v->as_string().c_str(), out.data()) == 1) {
        family = kAfInet;
        return std::nullopt;
    }
    if (v->is_string() && inet_pton(AF_INET6, v->as_string().c_str(), out.data()) == 1) {
        family = kAfInet6;
        return std::nullopt;
    }
    return HostJsonProblem{path + "." + key, "expected an IPv4 or IPv6 address such as \"192.0.2.1\""};
}

std::optional<HostJsonProblem> read_options(const JsonValue& t, std::vector<uint8_t>& out) {
    const JsonValue* v = t.find("options");
    if (!v) return std::nullopt;
    const std::string& hex = v->as_string();
    auto digit = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    if (!v->is_string() || hex.size() % 2 || !std::all_of(hex.begin(), hex.end(), digit))
        return HostJsonProblem{"rx_tunnel.options", "expected hex bytes such as \"0001020300000000\""};
    if (hex.size() / 2 > kTunnelOptsMax)
        return HostJsonProblem{"rx_tunnel.options", "at most 255 bytes (IP_TUNNEL_OPTS_MAX)"};
    out.clear();
    for (size_t i = 0; i < hex.size(); i += 2) out.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return std::nullopt;
}

std::optional<HostJsonProblem> read_tunnel(const JsonValue& t, std::optional<TunnelInfo>& out) {
    if (t.is_null()) {
        out.reset();
        return std::nullopt;
    }
    const std::string path = "rx_tunnel";
    if (auto p = host_json_only(t, path, {"id", "remote", "local", "tos", "ttl", "label", "flags", "options"})) return p;
    TunnelInfo info;
    info.flags = kTunnelKey;
    uint32_t remote_family = 0, local_family = 0;
    if (auto p = address(t, path, "remote", info.src, remote_family)) return p;
    if (auto p = address(t, path, "local", info.dst, local_family)) return p;
    if (remote_family != local_family)
        return HostJsonProblem{path + ".local", "remote and local must both be IPv4 or both IPv6"};
    info.ipv6 = remote_family == kAfInet6;
    if (auto p = uint(t, path, "id", info.id, UINT64_MAX)) return p;
    if (auto p = uint(t, path, "tos", info.tos, 255)) return p;
    if (auto p = uint(t, path, "ttl", info.ttl, 255)) return p;
    if (auto p = uint(t, path, "label", info.label, 0xfffff)) return p;
    if (!info.ipv6 && info.label)
        return HostJsonProblem{path + ".label", "only an IPv6 tunnel has a flow label"};
    if (auto p = uint(t, path, "flags", info.flags, 0xffff)) return p;
    if (auto p = read_options(t, info.options)) return p;
    if (!info.options.empty() && !(info.flags & kTunnelOptionsPresent))
        return HostJsonProblem{path + ".flags",
                               "options need their kind among the flags: TUNNEL_GENEVE_OPT 0x800, TUNNEL_VXLAN_OPT "
                               "0x1000, TUNNEL_ERSPAN_OPT 0x4000 or TUNNEL_GTP_OPT 0x8000"};
    out = std::move(info);
    return std::nullopt;
}

std::optional<HostJsonProblem> read_sec_path(const JsonValue& list, std::vector<XfrmState>& out) {
    if (!list.is_array()) return HostJsonProblem{"rx_sec_path", "expected an array"};
    std::vector<XfrmState> states;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string path = "rx_sec_path[" + std::to_string(i) + "]";
        const JsonValue& j = *list.at(i);
        if (auto p = host_json_only(j, path, {"reqid", "spi", "remote"})) return p;
        XfrmState x;
        if (auto p = uint(j, path, "reqid", x.reqid, UINT32_MAX)) return p;
        if (auto p = uint(j, path, "spi", x.spi, UINT32_MAX)) return p;
        if (auto p = address(j, path, "remote", x.remote, x.family)) return p;
        states.push_back(x);
    }
    out = std::move(states);
    return std::nullopt;
}

}  // namespace

std::optional<HostJsonProblem> read_tunnel_members(const JsonValue& doc, Network& net) {
    if (const JsonValue* t = doc.find("rx_tunnel"))
        if (auto p = read_tunnel(*t, net.rx_tunnel)) return p;
    if (const JsonValue* list = doc.find("rx_sec_path"))
        if (auto p = read_sec_path(*list, net.rx_sec_path)) return p;
    return std::nullopt;
}

void write_tunnel_members(JsonWriter& w, const Network& net) {
    if (net.rx_tunnel) {
        const TunnelInfo& t = *net.rx_tunnel;
        std::string options;
        static const char kHex[] = "0123456789abcdef";
        for (uint8_t b : t.options) options += {kHex[b >> 4], kHex[b & 15]};
        w.key("rx_tunnel").begin_object()
            .member("id", t.id)
            .member("remote", inet_address_text(t.src, t.ipv6))
            .member("local", inet_address_text(t.dst, t.ipv6))
            .member("tos", t.tos)
            .member("ttl", t.ttl)
            .member("label", t.label)
            .member("flags", t.flags)
            .member("options", options)
            .end_object();
    }
    if (net.rx_sec_path.empty()) return;
    w.key("rx_sec_path").begin_array();
    for (const XfrmState& x : net.rx_sec_path)
        w.begin_object()
            .member("reqid", x.reqid)
            .member("spi", x.spi)
            .member("remote", inet_address_text(x.remote, x.family == kAfInet6))
            .end_object();
    w.end_array();
}

}  // namespace bpfplay
