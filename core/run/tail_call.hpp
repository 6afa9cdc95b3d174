#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_tail_call: finds the prog_array and the target program through the run's HelperEnv.
std::span<const HelperImpl> tail_call_helper_impls();

}  // namespace bpfplay
