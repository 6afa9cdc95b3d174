#pragma once
// Which context bytes a program type may read and write, and what a read gives (a number, or
// a packet pointer for data/data_end/data_meta): the kernel's *_is_valid_access.
#include <cstdint>
#include <optional>

#include "core/verifier/env.hpp"

namespace bpfplay::verifier {

// Sock / SockOrNull: a socket pointer (PTR_TO_SOCKET: sk_msg's sk), one that may be NULL
// (PTR_TO_SOCKET_OR_NULL: sock_ops' sk). TrustedObject: a trusted pointer to the kernel struct
// ctx_object_struct names (PTR_TO_BTF_ID | PTR_TRUSTED: netfilter's state and skb).
enum class CtxRead : uint8_t { Refused, Number, PacketStart, PacketEnd, PacketMeta, Sock, SockOrNull, TrustedObject, Unmodelled };

// `attach`: the expected attach type, which decides some fields (sock_addr's addresses).
CtxRead ctx_read_kind(ProgType type, AttachType attach, uint32_t off, uint32_t size);
bool ctx_write_allowed(ProgType type, AttachType attach, uint32_t off, uint32_t size);
bool ctx_modelled(ProgType type);
// The struct a TrustedObject read at `off` points to ("sk_buff"); nullptr for other reads.
const char* ctx_object_struct(ProgType type, uint32_t off);  // false: the checker cannot tell for context accesses
// Stores through a packet pointer are allowed (may_access_direct_pkt_data): tc, xdp, lwt_xmit,
// sk_skb, sk_msg and cgroup sockopt; the others may only read the packet.
bool packet_writable(ProgType type);

}  // namespace bpfplay::verifier
