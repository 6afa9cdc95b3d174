#pragma once
// The host JSON members for connection tracking and device-bound XDP (host_json.hpp lists the
// rest):
//
//   "conntrack": [{"proto": "tcp", "src": "10.0.0.1", "sport": 40000, "dst": "10.0.0.2",
//                  "dport": 80, "status": 14, "mark": 0, "timeout": 120, "zone": 0,
//                  "zone_dir": 3, "reply": {"src": "10.0.0.2", "sport": 80, "dst": "10.0.0.1",
//                  "dport": 40000}}],
//   "dev_bound": {"xdp_rx_meta": 2},
//   and in a device: "rx_metadata": {"timestamp": 1000, "hash": 3735928559, "rss_type": 1,
//                                    "vlan_tci": 42, "vlan_proto": 33024}
//
// conntrack: the table (conntrack.hpp). proto "tcp" or "udp", src/dst addresses of one family
// and ports are the original direction; reply (optional) is the reply direction as NAT left it
// (default: the original reversed); status is the IPS_* bits (default 14: CONFIRMED |
// ASSURED | SEEN_REPLY), timeout the seconds left at the host's clock (default 120; written
// back as what is left, 0 once expired), zone and zone_dir (default 0 and 3, both directions).
// dev_bound: programs bound to a device by name (ifindex), which may call the
// bpf_xdp_metadata_rx_* kfuncs. rx_metadata: what that device's driver reports of a frame; a
// value left out is one the frame lacks (-ENODATA); a device without rx_metadata has no
// metadata ops (-EOPNOTSUPP).
#include <optional>

#include "core/host/host_json_tunnel.hpp"

namespace bpfplay {

struct Host;
struct XdpRxMetadata;

// Reads "conntrack" and "dev_bound" of the host document `doc` into `host` when present. The
// timeouts count from host's clock, so call it after the clock members are read.
std::optional<HostJsonProblem> read_conntrack_members(const JsonValue& doc, Host& host);
// Writes them when the host has any.
void write_conntrack_members(JsonWriter& w, const Host& host);

// A device's "rx_metadata" (`path` names it in problems).
std::optional<HostJsonProblem> read_rx_metadata(const JsonValue& j, const std::string& path, XdpRxMetadata& out);
void write_rx_metadata(JsonWriter& w, const XdpRxMetadata& m);

}  // namespace bpfplay
