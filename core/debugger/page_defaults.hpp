#pragma once
// Core's defaults and enumerations as the page needs them, so it keeps no copy of its own:
// {"host":{"cpu","ncpus","pid","tgid","uid","gid","comm","clockStartNs","prandomSeed"} (Host{} in
// the shape of the page's HostSettings, which the bindings read back), "tcp_states":["established",..]
// (TcpState in host JSON's spelling), "prog_types":["socket_filter",..], "map_types":["hash",..]}.
// tests/contract/defaults.json holds it; web/src/contract.test.ts checks the page against it.
#include <string>

namespace bpfplay {

std::string page_defaults_json();

}  // namespace bpfplay
