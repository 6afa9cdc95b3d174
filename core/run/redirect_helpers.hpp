#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_redirect (23) for XDP and TC, bpf_redirect_map (51) over devmaps for XDP, with the
// kernel's flag rules and return values (net/core/filter.c). They record the target in
// Host::net.run.redirect and log a host event; the exit report says where the packet went.
std::span<const HelperImpl> redirect_helper_impls();

} // namespace bpfplay
