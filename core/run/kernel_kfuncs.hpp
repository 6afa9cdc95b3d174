#pragma once
// The kfuncs bpfplay implements, joined with the kfunc catalog (core/helpers/kfunc_catalog.hpp):
// each family file keeps a table of KfuncImpl {name, function} beside its functions, and this is
// the one place that lists the families.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// Every implemented kfunc. Built once; object sessions load their objects against it.
const KfuncRegistry& kernel_kfunc_registry();

// The families' tables as they are, for tests that check them against the catalog.
std::span<const std::span<const KfuncImpl>> kernel_kfunc_families();

// The families (each defined beside its kfuncs).
std::span<const KfuncImpl> basic_kfunc_impls(); // rcu, preempt, casts, bpf_iter_num_*
std::span<const KfuncImpl> dynptr_kfunc_impls(); // bpf_dynptr_from_skb/xdp, slices, adjust, clone, copy...
std::span<const KfuncImpl> task_kfunc_impls();  // tasks and cgroups: acquire, release, from_pid...
std::span<const KfuncImpl> string_kfunc_impls(); // bpf_strlen, bpf_strcmp, bpf_strstr, ...
std::span<const KfuncImpl> bits_kfunc_impls(); // bpf_iter_bits_*
std::span<const KfuncImpl> user_string_kfunc_impls(); // bpf_copy_from_user_str, _task_str
std::span<const KfuncImpl> tcp_ca_kfunc_impls(); // tcp_reno_*, tcp_slow_start, tcp_cong_avoid_ai
std::span<const KfuncImpl> ct_kfunc_impls(); // conntrack: bpf_xdp_ct_lookup, bpf_ct_insert_entry, ...
std::span<const KfuncImpl> xdp_metadata_kfunc_impls(); // bpf_xdp_metadata_rx_timestamp, _hash, _vlan_tag
std::span<const KfuncImpl> cubic_kfunc_impls(); // cubictcp_*
std::span<const KfuncImpl> dctcp_kfunc_impls(); // dctcp_*
std::span<const KfuncImpl> bbr_kfunc_impls(); // bbr_*
std::span<const KfuncImpl> graph_kfunc_impls(); // bpf_obj_new_impl, bpf_obj_drop_impl, bpf_refcount_acquire_impl
std::span<const KfuncImpl> list_kfunc_impls(); // bpf_list_push_*_impl, bpf_list_pop_*, bpf_list_front/back
std::span<const KfuncImpl> rbtree_kfunc_impls(); // bpf_rbtree_add_impl, _remove, _first, _root, _left, _right

} // namespace bpfplay
