#pragma once
// bpf_sysctl_get_name / get_current_value / get_new_value / set_new_value, bpf_get_retval,
// bpf_set_retval and bpf_bind: the helpers of cgroup programs inside a system call.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> cgroup_prog_helper_impls();

}  // namespace bpfplay
