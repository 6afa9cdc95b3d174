// host_json: the inverse of apply_host_json (host_json.cpp), in the same schema.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"
#include "core/host/host_json_conntrack.hpp"
#include "core/host/host_json_tunnel.hpp"
#include "core/host/host_json_files.hpp"
#include "core/host/host_json_vmas.hpp"
#include "core/host/socket_defaults.hpp"
#include "core/hex.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay {

namespace {

// The compressed forms people type ("fd00::2"), not %pI6's eight full groups.
std::string ip_text(uint32_t family, const uint8_t* bytes) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == kAfInet ? AF_INET : AF_INET6, bytes, buf, sizeof buf);
    return buf;
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return s;
}

std::string net_text(uint32_t family, const uint8_t* bytes, uint32_t prefix_len) {
    return ip_text(family, bytes) + "/" + std::to_string(prefix_len);
}

} // namespace

void to_json(JsonWriter& w, const NetDevice& d) {
    w.begin_object()
        .member("ifindex", d.ifindex)
        .member("name", d.name)
        .member("mac", format_mac(d.mac))
        .member("mtu", d.mtu)
        .member("up", d.up)
        .member("forwarding", d.forwarding)
        .member("rx_queues", d.rx_queues)
        .key("ipv4")
        .begin_array();
    for (const Ipv4Net& a : d.ipv4) w.value(net_text(kAfInet, a.addr.data(), a.prefix_len));
    w.end_array().key("ipv6").begin_array();
    for (const Ipv6Net& a : d.ipv6) w.value(net_text(kAfInet6, a.addr.data(), a.prefix_len));
    w.end_array();
    if (d.rx_metadata) {
        w.key("rx_metadata");
        write_rx_metadata(w, *d.rx_metadata);
    }
    w.end_object();
}

void to_json(JsonWriter& w, const HostSocket& s) {
    w.begin_object()
        .member("cookie", s.cookie)
        .member("protocol", socket_protocol_name(s.protocol))
        .member("local_addr", ip_text(s.family, s.local_addr.data()))
        .member("local_port", s.local_port)
        .member("remote_addr", ip_text(s.family, s.remote_addr.data()))
        .member("remote_port", s.remote_port);
    // UDP sockets have no TCP state in the schema (they always report TCP_CLOSE).
    if (s.protocol != kIpprotoUdp) w.member("state", lower(tcp_state_name(s.state)));
    w.member("uid", s.uid)
        .member("bound_dev_if", s.bound_dev_if)
        .member("mark", s.mark)
        .member("priority", s.priority);
    if (s.reuseport) w.member("reuseport", true);  // written only when set, as few sockets have it
    // Likewise what sock_ops programs change.
    if (s.sock_ops_cb_flags) w.member("sock_ops_cb_flags", s.sock_ops_cb_flags);
    if (!s.options.empty()) {
        w.key("options").begin_object();
        for (const auto& [name, value] : s.options) w.member(name, int64_t(value));
        w.end_object();
    }
    if (s.congestion != HostSocket{}.congestion) w.member("congestion", s.congestion);
    // The rest only when changed from the defaults, as most hosts leave them.
    if (s.cgroup_id != HostSocket{}.cgroup_id) w.member("cgroup", s.cgroup_id);
    if (s.syn_flood) w.member("syn_flood", true);
    if (s.protocol == kIpprotoTcp && s.tcp != TcpInfo{}) {
        w.key("tcp").begin_object();
        for (const TcpInfoField& f : tcp_info_fields()) {
            uint64_t v = 0;
            std::memcpy(&v, reinterpret_cast<const uint8_t*>(&s.tcp) + f.offset, f.size);
            w.member(f.name, v);
        }
        w.end_object();
    }
    w.end_object();
}

void to_json(JsonWriter& w, const Route& r) {
    static const char* const kTypes[] = {"unicast", "blackhole", "unreachable", "prohibit"};
    w.begin_object().member("dst", net_text(r.family, r.dst.data(), r.prefix_len));
    if (r.gateway != Ipv6{}) w.member("via", ip_text(r.family, r.gateway.data()));
    w.member("dev", r.ifindex)
        .member("metric", r.metric)
        .member("type", kTypes[static_cast<size_t>(r.type) % 4])
        .end_object();
}

void to_json(JsonWriter& w, const Neighbour& n) {
    w.begin_object()
        .member("dev", n.ifindex)
        .member("addr", ip_text(n.family, n.addr.data()))
        .member("mac", format_mac(n.mac))
        .end_object();
}

void to_json(JsonWriter& w, const HostCgroup& c) {
    w.begin_object().member("id", c.id).member("path", c.path).end_object();
}

void to_json(JsonWriter& w, const StackFrame& f) {
    w.begin_object().member("ip", hex(f.ip)).member("symbol", f.symbol).end_object();
}

void to_json(JsonWriter& w, const Task& t, const std::string& exe) {
    w.begin_object()
        .member("pid", t.pid)
        .member("tgid", t.tgid)
        .member("uid", t.uid)
        .member("gid", t.gid)
        .member("comm", t.comm_view())
        .member("cgroup", t.cgroup_id)
        .member("exit_code", t.exit_code)
        .member("start_time_ns", t.start_time_ns)
        .member("exe", exe)
        .end_object();
}


// A region's bytes as text when they read as text (printable ASCII, NULs, newlines, tabs).
void to_json(JsonWriter& w, const UserRegion& region) {
    const bool text = std::all_of(region.bytes.begin(), region.bytes.end(), [](uint8_t c) {
        return c == 0 || c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f);
    });
    w.begin_object().member("addr", hex(region.addr));
    if (text)
        w.member("text", std::string_view(reinterpret_cast<const char*>(region.bytes.data()), region.bytes.size()));
    else
        w.member("hex", hex_bytes(region.bytes));
    w.end_object();
}

void write_trace_members(JsonWriter& w, const Host& host) {
    w.key("user_memory");
    to_json_array(w, host.user_memory);
    write_vmas_member(w, host.vmas);
    write_open_files_member(w, host.open_files);
    // Written only when changed: a list read back replaces the defaults whole.
    if (host.kernel_functions != default_kernel_functions()) {
        w.key("kernel_functions").begin_object();
        for (const auto& [name, addr] : host.kernel_functions) w.member(name, hex(addr));
        w.end_object();
    }
    if (!host.perf_counters.empty()) {
        w.key("perf_counters").begin_array();
        for (const auto& [cpu, c] : host.perf_counters)
            w.begin_object()
                .member("cpu", cpu)
                .member("counter", c.counter)
                .member("enabled_ns", c.enabled_ns)
                .member("running_ns", c.running_ns)
                .end_object();
        w.end_array();
    }
    if (!host.attach_cookies.empty()) {
        w.key("attach_cookies").begin_object();
        for (const auto& [name, cookie] : host.attach_cookies) w.member(name, cookie);
        w.end_object();
    }
}

void to_json(JsonWriter& w, const TcpFlowScript& f) {
    w.begin_object().member("rtt_us", f.rtt_us).member("ecn", f.ecn);
    if (f.bottleneck_per_rtt) w.member("bottleneck_per_rtt", f.bottleneck_per_rtt);
    w.key("steps").begin_array();
    for (const TcpFlowStep& step : f.steps) {
        w.begin_object();
        switch (step.kind) {
        case TcpFlowStep::Kind::Rounds:
        case TcpFlowStep::Kind::Acks:
            w.member(std::string(tcp_flow_step_name(step.kind)), step.count).member("segments", step.segments);
            if (step.ece) w.member("ece", true);
            break;
        case TcpFlowStep::Kind::FastRetransmit:
        case TcpFlowStep::Kind::Rto: w.member("loss", std::string(tcp_flow_step_name(step.kind))); break;
        case TcpFlowStep::Kind::Undo: w.member("undo", true); break;
        }
        w.end_object();
    }
    w.end_array().end_object();
}

TcpFlowScript default_tcp_flow() {
    using Kind = TcpFlowStep::Kind;
    TcpFlowScript f;
    f.rtt_us = 10'000;
    f.steps = {{Kind::Rounds, 5}, {Kind::FastRetransmit}, {Kind::Rounds, 2}, {Kind::Rto}, {Kind::Rounds, 6}};
    return f;
}

std::string tcp_flow_script_json(const TcpFlowScript& flow) {
    JsonWriter w(JsonLayout::Lines);
    to_json(w, flow);
    return w.take();
}

void to_json(JsonWriter& w, const Host& host) {
    const Network& net = host.net;
    w.begin_object()
        .member("cpu", host.cpu)
        .member("ncpus", host.ncpus)
        .member("clock_start_ns", host.clock_start_ns)
        .member("prandom_seed", host.prandom_seed)
        .member("tai_offset_ns", host.tai_offset_ns)
        .key("task");
    to_json(w, host.task, host.exe);
    w.key("kernel_stack");
    to_json_array(w, host.kernel_stack);
    w.key("user_stack");
    to_json_array(w, host.user_stack);
    w.key("cgroups");
    to_json_array(w, host.cgroups);
    write_trace_members(w, host);
    w.member("ingress_ifindex", net.ingress_ifindex).member("rx_queue_index", net.rx_queue_index).key("devices");
    to_json_array(w, net.devices);
    w.key("sockets");
    to_json_array(w, net.sockets);
    // Written only when chosen: by default programs run on the first established TCP socket.
    if (net.program_socket != Network::kAutoSocket) w.member("program_socket", net.program_socket);
    if (net.tc_ingress) w.member("tc_ingress", true);
    if (net.tcp_syncookies != Network{}.tcp_syncookies) w.member("tcp_syncookies", net.tcp_syncookies);
    if (net.syncookie_secret != Network::default_syncookie_secret())
        w.member("syncookie_secret", hex_bytes(net.syncookie_secret));
    w.key("routes");
    to_json_array(w, net.routes);
    w.key("neighbours");
    to_json_array(w, net.neighbours);
    write_tunnel_members(w, net);
    write_conntrack_members(w, host);
    // Written only when set, as most hosts size no maps.
    if (!host.map_sizes.empty()) {
        w.key("map_sizes").begin_object();
        for (const auto& [name, n] : host.map_sizes) w.member(name, n);
        w.end_object();
    }
    // The kconfig entries that differ from (or add to) the default, which a reader merges back.
    const std::map<std::string, std::string> kconfig_defaults = default_kconfig();
    bool kconfig_open = false;
    for (const auto& [name, value] : host.kconfig) {
        const auto it = kconfig_defaults.find(name);
        if (it != kconfig_defaults.end() && it->second == value) continue;
        if (!kconfig_open) w.key("kconfig").begin_object();
        kconfig_open = true;
        w.member(name, value);
    }
    if (kconfig_open) w.end_object();
    // The sysctl of cgroup/sysctl programs, when not the default one.
    if (host.sysctl != HostSysctl{}) {
        w.key("sysctl").begin_object();
        w.member("name", host.sysctl.name).member("value", host.sysctl.value).member("write", host.sysctl.write);
        w.member("new_value", host.sysctl.new_value).member("file_pos", host.sysctl.file_pos);
        w.end_object();
    }
    // The TCP flow script, when one is set.
    if (host.tcp_flow) {
        w.key("tcp_flow");
        to_json(w, *host.tcp_flow);
    }
    // IMA's view of the executable, when not the default one.
    if (host.ima != HostIma{}) {
        w.key("ima").begin_object();
        w.member("hash_algo", ima_algo_name(host.ima.hash_algo)).member("measured", host.ima.measured);
        w.member("exe_content", hex_bytes(host.ima.exe_content));
        w.end_object();
    }
    // Likewise the program types set before load.
    if (!host.prog_types.empty()) {
        w.key("prog_types").begin_object();
        for (const auto& [name, type] : host.prog_types) w.member(name, prog_type_name(type));
        w.end_object();
    }
    w.end_object();
}

std::string host_json(const Host& host) {
    JsonWriter w(JsonLayout::Lines);
    to_json(w, host);
    return w.take() + "\n";
}

} // namespace bpfplay
