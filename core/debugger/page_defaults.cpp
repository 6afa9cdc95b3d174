#include "core/debugger/page_defaults.hpp"

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"
#include "core/host/socket_cookie.hpp"
#include "core/host/socket_defaults.hpp"
#include "core/json/json_writer.hpp"
#include "core/loader/assembly_context.hpp"
#include "core/maps/map_abi.hpp"

namespace bpfplay {

namespace {

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return s;
}

// What the Host tab's "Add device" starts from: an interface that is up and forwards, like eth0
// and eth1 of the default host. The page gives it the next free ifindex, name and MAC.
NetDevice page_new_device() {
    NetDevice d;
    d.forwarding = true;
    return d;
}

// What "Add socket" starts from: a TCP listener on port 8000 of every address. The page gives
// it the next free cookie, from this one's (the first a host's sockets have) upwards.
HostSocket page_new_socket() {
    HostSocket s;
    s.cookie = kFirstSocketCookie;
    s.local_port = 8000;
    return s;
}

// The sections the page's "Paste assembly" dialog offers to run a program as: raw memory, then
// one section for each context the Input tab builds from bytes or a packet.
constexpr std::string_view kAssemblySections[] = {"", "xdp", "tc", "socket", "kprobe/x"};

}  // namespace

std::string page_defaults_json() {
    JsonWriter w;
    w.begin_object().key("tcp_states").begin_array();
    for (uint32_t s = uint32_t(TcpState::Established); s <= uint32_t(TcpState::NewSynRecv); ++s)
        w.value(lower(tcp_state_name(TcpState(s))));
    w.end_array().key("prog_types").begin_array();
    for (uint32_t t = 1; t < kProgTypeCount; ++t) w.value(prog_type_name(ProgType(t)));
    w.end_array().key("map_types").begin_array();
    for (uint32_t t = 1; t <= uint32_t(MapType::Arena); ++t) w.value(map_type_name(MapType(t)));
    w.end_array().key("socket_protocols").begin_array();
    for (uint32_t proto : kSocketProtocols) {
        // A socket's state without "state": listening (no remote port) or connected; none for UDP.
        const bool has_state = proto == kIpprotoTcp;
        w.begin_object()
            .member("name", socket_protocol_name(proto))
            .member("has_state", has_state)
            .member("listening_state", has_state ? lower(tcp_state_name(default_socket_state(proto, 0))) : "")
            .member("connected_state", has_state ? lower(tcp_state_name(default_socket_state(proto, 1))) : "")
            .end_object();
    }
    w.end_array().key("assembly_sections").begin_array();
    for (std::string_view section : kAssemblySections) {
        const SectionProgramKind kind = classify_section(section);
        w.begin_object()
            .member("section", section)
            .member("type", prog_type_name(kind.type))
            .member("context", context_kind_name(assembly_context(kind)))
            .end_object();
    }
    w.end_array().key("new_device");
    to_json(w, page_new_device());
    w.key("new_socket");
    to_json(w, page_new_socket());
    return w.end_object().take();
}

}  // namespace bpfplay
