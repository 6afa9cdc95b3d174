#pragma once
// The host JSON members for a packet's tunnel and IPsec metadata (host_json.hpp lists the rest):
//
//   "rx_tunnel": {"id": 42, "remote": "192.0.2.1", "local": "10.0.0.2", "tos": 0, "ttl": 64,
//                 "label": 0, "flags": 4, "options": "0001020300000000"},
//   "rx_sec_path": [{"reqid": 1, "spi": 4096, "remote": "192.0.2.1"}]
//
// rx_tunnel: the metadata the packet arrived with through a collect_md tunnel device (the
// kernel's metadata dst, mode RX), for bpf_skb_get_tunnel_key / _opt; null (the default) for
// none. remote is the outer source, local the outer destination, both of one family (IPv6
// makes it an IPv6 tunnel; label is then its flow label, below 2^20). flags are the kernel's
// TUNNEL_* bits (TUNNEL_KEY 0x04 by default; TUNNEL_CSUM 0x01, TUNNEL_SEQ 0x08, TUNNEL_OAM 0x200,
// TUNNEL_GENEVE_OPT 0x800, TUNNEL_VXLAN_OPT 0x1000, TUNNEL_ERSPAN_OPT 0x4000...); options are hex
// bytes, at most 255, and need one of the *_OPT flags (the device's kind of options).
// rx_sec_path: the IPsec states that decrypted the packet (bpf_skb_get_xfrm_state's index 0
// first); spi in host order, the family from remote. Both are written only when set: give
// "rx_tunnel": null or "rx_sec_path": [] to remove them.
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

namespace bpfplay {

class JsonValue;
class JsonWriter;
struct Network;

// A problem: the member's path ("rx_tunnel.remote") and what is wrong.
using HostJsonProblem = std::pair<std::string, std::string>;

// nullopt when `obj` is an object with no member outside `allowed`; else the problem at `path`
// (the host JSON refuses unknown members, so a misspelling is never silently ignored).
std::optional<HostJsonProblem> host_json_only(const JsonValue& obj, const std::string& path,
                                              std::initializer_list<const char*> allowed);

// Reads "rx_tunnel" and "rx_sec_path" of the host document `doc` into `net` when present.
std::optional<HostJsonProblem> read_tunnel_members(const JsonValue& doc, Network& net);
// Writes them when set (most hosts have neither, and host_json stays short without them).
void write_tunnel_members(JsonWriter& w, const Network& net);

}  // namespace bpfplay
