#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

class MapSet;
struct Host;

// The helpers of sockmap and sockhash and of the sk_msg and sk_skb programs that use them
// (net/core/sock_map.c, net/core/filter.c), over the host's sockets:
//   53 bpf_sock_map_update, 70 bpf_sock_hash_update: a sock_ops program adds the socket it runs
//      on (Network::program_socket) -- only from the ESTABLISHED and LISTEN callbacks (ops 4, 5,
//      11), else -EOPNOTSUPP; then the map's flag and size rules
//   52 bpf_sk_redirect_map, 72 bpf_sk_redirect_hash (sk_skb), 60 bpf_msg_redirect_map,
//      71 bpf_msg_redirect_hash (sk_msg): SK_PASS and the socket the skb / message goes to, or
//      SK_DROP for flags other than BPF_F_INGRESS, an empty entry, a listening TCP socket or an
//      unconnected UDP one (sock_map_redirect_allowed)
//   61 bpf_msg_apply_bytes, 62 bpf_msg_cork_bytes: record the byte counts (0)
//   63 bpf_msg_pull_data: data..data_end becomes [start, end) of the message
//   90 bpf_msg_push_data, 91 bpf_msg_pop_data: grow or shrink the message
// The message is one scatterlist element here (the kernel may split a large one into several,
// where data_end stops at the first element's end).
std::span<const HelperImpl> sockmap_helper_impls();

// Lets the sockmaps of `maps` resolve socket cookies against `host`'s sockets (its address
// is kept: the host must outlive the maps' use).
void attach_socket_resolver(MapSet& maps, const Host* host);

}  // namespace bpfplay
