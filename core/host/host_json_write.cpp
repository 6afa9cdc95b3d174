// host_json: the inverse of apply_host_json (host_json.cpp), in the same schema.
#include <arpa/inet.h>

#include <cstdio>
#include <string>

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"
#include "core/json/json.hpp"

namespace bpfplay {

namespace {

// The compressed forms people type ("fd00::2"), not %pI6's eight full groups.
std::string ip_text(uint32_t family, const uint8_t* bytes) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == kAfInet ? AF_INET : AF_INET6, bytes, buf, sizeof buf);
    return buf;
}

std::string quoted_ip(uint32_t family, const uint8_t* bytes) {
    return json_quote(ip_text(family, bytes));
}

std::string member(const char* key, const std::string& value) {
    return "\"" + std::string(key) + "\": " + value;
}

std::string number(uint64_t n) {
    return std::to_string(n);
}

std::string boolean(bool b) {
    return b ? "true" : "false";
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return s;
}

std::string device_json(const NetDevice& d) {
    std::string v4, v6;
    for (const Ipv4Net& a : d.ipv4)
        v4 += (v4.empty() ? "" : ", ") +
              json_quote(ip_text(kAfInet, a.addr.data()) + "/" + number(a.prefix_len));
    for (const Ipv6Net& a : d.ipv6)
        v6 += (v6.empty() ? "" : ", ") +
              json_quote(ip_text(kAfInet6, a.addr.data()) + "/" + number(a.prefix_len));
    return "{" + member("ifindex", number(d.ifindex)) + ", " + member("name", json_quote(d.name)) + ", " +
           member("mac", json_quote(format_mac(d.mac))) + ", " + member("mtu", number(d.mtu)) + ", " +
           member("up", boolean(d.up)) + ", " + member("forwarding", boolean(d.forwarding)) + ", " +
           member("rx_queues", number(d.rx_queues)) + ", " + member("ipv4", "[" + v4 + "]") + ", " +
           member("ipv6", "[" + v6 + "]") + "}";
}

std::string socket_json(const HostSocket& s) {
    std::string j = "{" + member("cookie", number(s.cookie)) + ", " +
                    member("protocol", s.protocol == kIpprotoUdp ? "\"udp\"" : "\"tcp\"") + ", " +
                    member("local_addr", quoted_ip(s.family, s.local_addr.data())) + ", " +
                    member("local_port", number(s.local_port)) + ", " +
                    member("remote_addr", quoted_ip(s.family, s.remote_addr.data())) + ", " +
                    member("remote_port", number(s.remote_port));
    // UDP sockets have no TCP state in the schema (they always report TCP_CLOSE).
    if (s.protocol != kIpprotoUdp) j += ", " + member("state", json_quote(lower(tcp_state_name(s.state))));
    return j + ", " + member("uid", number(s.uid)) + ", " + member("bound_dev_if", number(s.bound_dev_if)) +
           ", " + member("mark", number(s.mark)) + ", " + member("priority", number(s.priority)) + "}";
}

std::string route_json(const Route& r) {
    static const char* const kTypes[] = {"unicast", "blackhole", "unreachable", "prohibit"};
    const bool on_link = r.gateway == Ipv6{};
    return "{" + member("dst", json_quote(ip_text(r.family, r.dst.data()) + "/" + number(r.prefix_len))) +
           (on_link ? "" : ", " + member("via", quoted_ip(r.family, r.gateway.data()))) + ", " +
           member("dev", number(r.ifindex)) + ", " + member("metric", number(r.metric)) + ", " +
           member("type", json_quote(kTypes[static_cast<size_t>(r.type) % 4])) + "}";
}

std::string neighbour_json(const Neighbour& n) {
    return "{" + member("dev", number(n.ifindex)) + ", " +
           member("addr", quoted_ip(n.family, n.addr.data())) + ", " +
           member("mac", json_quote(format_mac(n.mac))) + "}";
}

template <class T, class F> std::string list(const char* key, const std::vector<T>& items, F one) {
    if (items.empty()) return "  " + member(key, "[]");
    std::string j = "  " + member(key, "[\n");
    for (size_t i = 0; i < items.size(); ++i)
        j += "    " + one(items[i]) + (i + 1 < items.size() ? ",\n" : "\n");
    return j + "  ]";
}

std::string cgroup_json(const HostCgroup& c) {
    return "{" + member("id", number(c.id)) + ", " + member("path", json_quote(c.path)) + "}";
}

std::string frame_json(const StackFrame& f) {
    char ip[24];
    std::snprintf(ip, sizeof ip, "0x%llx", static_cast<unsigned long long>(f.ip));
    return "{" + member("ip", json_quote(ip)) + ", " + member("symbol", json_quote(f.symbol)) + "}";
}

// Written only when set, as most hosts size no maps.
std::string map_sizes_json(const std::map<std::string, uint32_t>& sizes) {
    if (sizes.empty()) return "";
    std::string j;
    for (const auto& [name, n] : sizes) j += (j.empty() ? "" : ", ") + member(name.c_str(), number(n));
    return ",\n  " + member("map_sizes", "{" + j + "}");
}

std::string prog_types_json(const std::map<std::string, ProgType>& types) {
    if (types.empty()) return "";
    std::string j;
    for (const auto& [name, type] : types)
        j += (j.empty() ? "" : ", ") + member(name.c_str(), json_quote(prog_type_name(type)));
    return ",\n  " + member("prog_types", "{" + j + "}");
}

} // namespace

std::string host_json(const Host& host) {
    const Task& t = host.task;
    const std::string task = "{" + member("pid", number(t.pid)) + ", " + member("tgid", number(t.tgid)) +
                             ", " + member("uid", number(t.uid)) + ", " + member("gid", number(t.gid)) +
                             ", " + member("comm", json_quote(std::string(t.comm_view()))) + ", " +
                             member("cgroup", number(t.cgroup_id)) + "}";
    const Network& net = host.net;
    return "{\n  " + member("cpu", number(host.cpu)) + ",\n  " + member("tai_offset_ns", number(host.tai_offset_ns)) +
           ",\n  " + member("task", task) + ",\n" + list("kernel_stack", host.kernel_stack, frame_json) + ",\n" +
           list("user_stack", host.user_stack, frame_json) + ",\n" + list("cgroups", host.cgroups, cgroup_json) +
           ",\n  " +
           member("ingress_ifindex", number(net.ingress_ifindex)) + ",\n  " +
           member("rx_queue_index", number(net.rx_queue_index)) + ",\n" +
           list("devices", net.devices, device_json) + ",\n" + list("sockets", net.sockets, socket_json) +
           ",\n" + list("routes", net.routes, route_json) + ",\n" +
           list("neighbours", net.neighbours, neighbour_json) + map_sizes_json(host.map_sizes) +
           prog_types_json(host.prog_types) + "\n}\n";
}

} // namespace bpfplay
