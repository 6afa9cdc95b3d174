#pragma once
// tc helpers of net/core/filter.c: bpf_skb_ecn_set_ce (97), bpf_clone_redirect (13),
// bpf_redirect_neigh (152) and bpf_redirect_peer (155).
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> tc_helper_impls();

}  // namespace bpfplay
