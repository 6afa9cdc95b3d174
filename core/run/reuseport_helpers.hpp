#pragma once
// 82 bpf_sk_select_reuseport(reuse, map, key, flags) for sk_reuseport programs
// (net/core/filter.c sk_select_reuseport): picks the socket at `key` of a reuseport_sockarray,
// sockmap or sockhash as the one the packet goes to if the program returns SK_PASS
// (NetRun::reuseport_socket). Its answers, in the kernel's order:
//   -ENOENT: no socket at the key (or an index past a sockarray's max_entries);
//   -ENOENT (reuseport_sockarray) / -EINVAL (sockmap, sockhash): the socket is in no reuseport
//     group (no SO_REUSEPORT, or not listening / not bound);
//   -EPROTOTYPE, -EAFNOSUPPORT, -EBADFD: it is in another group than the program's socket, with
//     another protocol, another family, or (the catch-all) another address, port, device or owner;
//   0: selected (a later successful call replaces the choice).
// The kernel ignores `flags`.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> reuseport_helper_impls();

}  // namespace bpfplay
