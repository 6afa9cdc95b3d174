#include "core/host/host_json_conntrack.hpp"

#include <arpa/inet.h>

#include <string>

#include "core/host/host.hpp"
#include "core/json/json.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay {

namespace {

template <class T>
std::optional<HostJsonProblem> ct_uint(const JsonValue& obj, const std::string& path, const char* key, T& out,
                                       uint64_t max) {
    const JsonValue* v = obj.find(key);
    if (!v) return std::nullopt;
    const auto n = v->as_uint64();
    if (!n || *n > max) return HostJsonProblem{path + "." + key, "expected an integer from 0 to " + std::to_string(max)};
    out = T(*n);
    return std::nullopt;
}

template <class T>
std::optional<HostJsonProblem> ct_optional_uint(const JsonValue& obj, const std::string& path, const char* key,
                                                std::optional<T>& out, uint64_t max) {
    if (!obj.find(key)) return std::nullopt;
    T v{};
    if (auto p = ct_uint(obj, path, key, v, max)) return p;
    out = v;
    return std::nullopt;
}

// An address member into 16 bytes (IPv4 in the first 4); its family.
std::optional<HostJsonProblem> ct_address(const JsonValue& obj, const std::string& path, const char* key,
                                          std::array<uint8_t, 16>& out, uint16_t& family) {
    const JsonValue* v = obj.find(key);
    if (!v) return HostJsonProblem{path, std::string("missing \"") + key + "\" (an IPv4 or IPv6 address)"};
    out.fill(0);
    if (v->is_string() && inet_pton(AF_INET, v->as_string().c_str(), out.data()) == 1) {
        family = uint16_t(kAfInet);
        return std::nullopt;
    }
    if (v->is_string() && inet_pton(AF_INET6, v->as_string().c_str(), out.data()) == 1) {
        family = uint16_t(kAfInet6);
        return std::nullopt;
    }
    return HostJsonProblem{path + "." + key, "expected an IPv4 or IPv6 address such as \"10.0.0.1\""};
}

// src, sport, dst, dport of one direction.
std::optional<HostJsonProblem> read_ends(const JsonValue& j, const std::string& path, CtTuple& t) {
    uint16_t src_family = 0, dst_family = 0;
    if (auto p = ct_address(j, path, "src", t.src, src_family)) return p;
    if (auto p = ct_address(j, path, "dst", t.dst, dst_family)) return p;
    if (src_family != dst_family) return HostJsonProblem{path + ".dst", "src and dst must both be IPv4 or both IPv6"};
    t.family = src_family;
    if (auto p = ct_uint(j, path, "sport", t.sport, 65535)) return p;
    return ct_uint(j, path, "dport", t.dport, 65535);
}

std::optional<HostJsonProblem> read_entry(const JsonValue& j, const std::string& path, const Host& host,
                                          ConntrackEntry& e) {
    if (auto p = host_json_only(j, path, {"proto", "src", "sport", "dst", "dport", "reply", "status", "mark",
                                           "timeout", "zone", "zone_dir"}))
        return p;
    const JsonValue* proto = j.find("proto");
    const std::string name = proto && proto->is_string() ? proto->as_string() : "";
    if (name != "tcp" && name != "udp")
        return HostJsonProblem{path + ".proto", "expected \"tcp\" or \"udp\" (the conntrack kfuncs look up no other)"};
    e.orig.protonum = uint8_t(name == "tcp" ? kIpprotoTcp : kIpprotoUdp);
    if (auto p = read_ends(j, path, e.orig)) return p;
    e.reply = ct_invert(e.orig);
    if (const JsonValue* r = j.find("reply")) {
        const std::string rpath = path + ".reply";
        if (auto p = host_json_only(*r, rpath, {"src", "sport", "dst", "dport"})) return p;
        if (auto p = read_ends(*r, rpath, e.reply)) return p;
        if (e.reply.family != e.orig.family)
            return HostJsonProblem{rpath, "the reply tuple must be of the original's family"};
    }
    if (auto p = ct_uint(j, path, "status", e.status, 0xffff)) return p;
    if (auto p = ct_uint(j, path, "mark", e.mark, UINT32_MAX)) return p;
    uint32_t seconds = 120;
    if (auto p = ct_uint(j, path, "timeout", seconds, 0x7fffffffu / (host.hz ? host.hz : 250))) return p;
    e.timeout = uint32_t(host.jiffies64(0) + uint64_t(seconds) * (host.hz ? host.hz : 250));
    if (auto p = ct_uint(j, path, "zone", e.zone, 65535)) return p;
    return ct_uint(j, path, "zone_dir", e.zone_dir, 3);
}

void write_ends(JsonWriter& w, const CtTuple& t) {
    const bool v6 = t.family == kAfInet6;
    w.member("src", inet_address_text(t.src, v6)).member("sport", t.sport);
    w.member("dst", inet_address_text(t.dst, v6)).member("dport", t.dport);
}

}  // namespace

std::optional<HostJsonProblem> read_conntrack_members(const JsonValue& doc, Host& host) {
    if (const JsonValue* list = doc.find("conntrack")) {
        if (!list->is_array()) return HostJsonProblem{"conntrack", "expected an array"};
        std::vector<ConntrackEntry> entries;
        for (size_t i = 0; i < list->size(); ++i) {
            ConntrackEntry e;
            if (auto p = read_entry(*list->at(i), "conntrack[" + std::to_string(i) + "]", host, e)) return p;
            entries.push_back(e);
        }
        host.net.conntrack = std::move(entries);
    }
    if (const JsonValue* bound = doc.find("dev_bound")) {
        if (!bound->is_object()) return HostJsonProblem{"dev_bound", "expected an object: program name -> ifindex"};
        std::map<std::string, uint32_t> out;
        for (const std::string& name : bound->keys()) {
            uint32_t ifindex = 0;
            if (auto p = ct_uint(*bound, "dev_bound", name.c_str(), ifindex, INT32_MAX)) return p;
            if (!host.net.device(ifindex))
                return HostJsonProblem{"dev_bound." + name, "the host has no device with ifindex " + std::to_string(ifindex)};
            out[name] = ifindex;
        }
        host.dev_bound = std::move(out);
    }
    return std::nullopt;
}

void write_conntrack_members(JsonWriter& w, const Host& host) {
    if (!host.net.conntrack.empty()) {
        const uint32_t now = uint32_t(host.jiffies64(0));
        const uint32_t hz = host.hz ? host.hz : 250;
        w.key("conntrack").begin_array();
        for (const ConntrackEntry& e : host.net.conntrack) {
            w.begin_object().member("proto", e.orig.protonum == kIpprotoTcp ? "tcp" : "udp");
            write_ends(w, e.orig);
            if (!(e.reply == ct_invert(e.orig))) {
                w.key("reply").begin_object();
                write_ends(w, e.reply);
                w.end_object();
            }
            const int32_t left = int32_t(e.timeout - now);
            w.member("status", e.status)
                .member("mark", e.mark)
                .member("timeout", left > 0 ? uint32_t(left) / hz : 0u)
                .member("zone", e.zone)
                .member("zone_dir", e.zone_dir)
                .end_object();
        }
        w.end_array();
    }
    if (!host.dev_bound.empty()) {
        w.key("dev_bound").begin_object();
        for (const auto& [name, ifindex] : host.dev_bound) w.member(name, ifindex);
        w.end_object();
    }
}

std::optional<HostJsonProblem> read_rx_metadata(const JsonValue& j, const std::string& path, XdpRxMetadata& out) {
    if (auto p = host_json_only(j, path, {"timestamp", "hash", "rss_type", "vlan_tci", "vlan_proto"})) return p;
    XdpRxMetadata m;
    if (auto p = ct_optional_uint(j, path, "timestamp", m.timestamp, UINT64_MAX)) return p;
    if (auto p = ct_optional_uint(j, path, "hash", m.hash, UINT32_MAX)) return p;
    if (auto p = ct_uint(j, path, "rss_type", m.rss_type, UINT32_MAX)) return p;
    if (auto p = ct_optional_uint(j, path, "vlan_tci", m.vlan_tci, 65535)) return p;
    if (auto p = ct_uint(j, path, "vlan_proto", m.vlan_proto, 65535)) return p;
    out = m;
    return std::nullopt;
}

void write_rx_metadata(JsonWriter& w, const XdpRxMetadata& m) {
    w.begin_object();
    if (m.timestamp) w.member("timestamp", *m.timestamp);
    if (m.hash) w.member("hash", *m.hash).member("rss_type", m.rss_type);
    if (m.vlan_tci) w.member("vlan_tci", *m.vlan_tci).member("vlan_proto", m.vlan_proto);
    w.end_object();
}

}  // namespace bpfplay
