#pragma once
// __sk_buff helpers that write the packet or change its length (core/run/skb_change_helpers.cpp),
// with net/core/filter.c's limits and error codes as the 6.18 test run shows them:
//
//   id  name                   what                                   fails with
//    9  bpf_skb_store_bytes    copies bytes in; BPF_F_INVALIDATE_HASH -EINVAL (flags), -EFAULT
//                              clears the hash                        (past the end)
//   39  bpf_skb_pull_data      makes len bytes direct-accessible      -ENOMEM (longer than the packet)
//   38  bpf_skb_change_tail    trims or grows (zeros) to new_len      -EINVAL (flags, > 16064, or
//                                                                     shorter than the headers)
//   43  bpf_skb_change_head    pushes zeroed bytes before the MAC     -EINVAL (flags, > 16064 bytes)
//                              header (it becomes the new MAC header)
//   31  bpf_skb_change_proto   IPv4 <-> IPv6: 20 bytes of room after  -EINVAL (flags), -ENOTSUPP
//                              the MAC header, made or taken away
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> skb_change_helper_impls();

class PacketBuffer;
class Vm;

// __bpf_skb_store_bytes: the copy bpf_skb_store_bytes and bpf_dynptr_write (skb dynptrs) make,
// `len` bytes of `src` to packet offset `off`; 0, -EINVAL (flags) or -EFAULT (past the end).
int64_t skb_store_bytes_at(Vm& vm, PacketBuffer& p, uint32_t off, const uint8_t* src, uint32_t len, uint64_t flags);

}  // namespace bpfplay
