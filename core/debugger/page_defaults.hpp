#pragma once
// Core's enumerations as the page needs them, so it keeps no copy of its own:
// {"tcp_states":["established",..] (TcpState in host JSON's spelling), "prog_types":["socket_filter",..],
// "map_types":["hash",..], "socket_protocols":[{"name":"tcp","has_state":true,"listening_state":"listen",
// "connected_state":"established"},..] (the state a socket takes without one, by whether it has a
// remote port), "assembly_sections":[{"section":"xdp","type":"xdp","context":"xdp_md"},..] (what a
// pasted program may run as), "new_device":{..}, "new_socket":{..}} (what the Host tab's Add device
// and Add socket start from, in host JSON). The default host is host_json(Host{}) (core/host/host_json.hpp).
// tests/contract/defaults.json holds it; web/src/contract.test.ts checks the page against it.
#include <string>

namespace bpfplay {

std::string page_defaults_json();

}  // namespace bpfplay
