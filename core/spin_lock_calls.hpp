#pragma once
// The kfuncs the kernel's verifier lets a program call while it holds a bpf_spin_lock
// (kfunc_spin_allowed, kernel/bpf/verifier.c): the list and rbtree kfuncs and
// bpf_refcount_acquire (is_bpf_graph_api_kfunc), the numbers iterator and the resilient spin
// lock kfuncs. Every other call under a lock is refused.
#include <string_view>

namespace bpfplay {

inline bool kfunc_allowed_under_spin_lock(std::string_view name) {
    for (std::string_view prefix : {"bpf_list_", "bpf_rbtree_", "bpf_refcount_acquire", "bpf_iter_num_", "bpf_res_spin_"})
        if (name.starts_with(prefix)) return true;
    return false;
}

}  // namespace bpfplay
