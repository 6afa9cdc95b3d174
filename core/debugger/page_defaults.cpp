#include "core/debugger/page_defaults.hpp"

#include "core/host/host.hpp"
#include "core/host/host_json.hpp"
#include "core/host/socket_cookie.hpp"
#include "core/json/json_writer.hpp"
#include "core/loader/prog_types.hpp"
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
    w.end_array().key("new_device");
    to_json(w, page_new_device());
    w.key("new_socket");
    to_json(w, page_new_socket());
    return w.end_object().take();
}

}  // namespace bpfplay
