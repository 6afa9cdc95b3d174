#include "core/run/kernel_kfuncs.hpp"

#include <array>

namespace bpfplay {

std::span<const std::span<const KfuncImpl>> kernel_kfunc_families() {
    static const std::array families = {
        basic_kfunc_impls(),
        dynptr_kfunc_impls(),
        task_kfunc_impls(),
        string_kfunc_impls(),
        bits_kfunc_impls(),
        user_string_kfunc_impls(),
        tcp_ca_kfunc_impls(),
        ct_kfunc_impls(),
        xdp_metadata_kfunc_impls(),
        cubic_kfunc_impls(),
        dctcp_kfunc_impls(),
        bbr_kfunc_impls(),
        graph_kfunc_impls(),
        list_kfunc_impls(),
        rbtree_kfunc_impls(),
    };
    return families;
}

const KfuncRegistry& kernel_kfunc_registry() {
    static const KfuncRegistry registry = [] {
        KfuncRegistry r;
        for (std::span<const KfuncImpl> family : kernel_kfunc_families()) r.add_all(family);
        return r;
    }();
    return registry;
}

} // namespace bpfplay
