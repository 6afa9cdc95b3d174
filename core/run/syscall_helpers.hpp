#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_sys_bpf (166), bpf_btf_find_by_name_kind (167), bpf_sys_close (168) and
// bpf_kallsyms_lookup_name (179): the helpers of BPF_PROG_TYPE_SYSCALL programs.
std::span<const HelperImpl> syscall_helper_impls();

} // namespace bpfplay
