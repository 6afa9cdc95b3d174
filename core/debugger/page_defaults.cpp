#include "core/debugger/page_defaults.hpp"

#include "core/host/host.hpp"
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
    return w.end_array().end_object().take();
}

}  // namespace bpfplay
