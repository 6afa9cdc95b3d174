#pragma once
#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_tail_call: finds the prog_array through Host::maps and the target through Host::programs.
void add_tail_call_helper(HelperRegistry& registry);

}  // namespace bpfplay
