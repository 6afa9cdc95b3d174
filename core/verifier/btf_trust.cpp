#include "core/verifier/btf_trust.hpp"

namespace bpfplay::verifier {

namespace {

struct TrustedField {
    const char* parent;
    const char* field;
    const char* pointee;
    FieldTrust trust;
};

// Linux 6.18's lists (kernel/bpf/verifier.c, above check_ptr_to_btf_access).
constexpr TrustedField kTrustedFields[] = {
    {"bpf_iter_meta", "seq", "seq_file", FieldTrust::Trusted},
    {"bpf_iter__task", "task", "task_struct", FieldTrust::Trusted},
    {"linux_binprm", "file", "file", FieldTrust::Trusted},
    {"file", "f_inode", "inode", FieldTrust::Trusted},
    {"dentry", "d_inode", "inode", FieldTrust::TrustedOrNull},
    {"socket", "sk", "sock", FieldTrust::TrustedOrNull},
    {"task_struct", "cgroups", "css_set", FieldTrust::Rcu},
    {"task_struct", "real_parent", "task_struct", FieldTrust::Rcu},
    {"task_struct", "group_leader", "task_struct", FieldTrust::Rcu},
    {"cgroup", "kn", "kernfs_node", FieldTrust::Rcu},
    {"css_set", "dfl_cgrp", "cgroup", FieldTrust::Rcu},
    {"cgroup_subsys_state", "cgroup", "cgroup", FieldTrust::Rcu},
    {"mm_struct", "exe_file", "file", FieldTrust::RcuOrNull},
    {"sk_buff", "sk", "sock", FieldTrust::RcuOrNull},
    {"request_sock", "sk", "sock", FieldTrust::RcuOrNull},
};

constexpr std::string_view kUntrustedLsmHooks[] = {
    "bpf_lsm_bpf_map_free",      "bpf_lsm_bpf_prog_free",    "bpf_lsm_file_alloc_security",
    "bpf_lsm_file_free_security", "bpf_lsm_sk_alloc_security", "bpf_lsm_sk_free_security",
    "bpf_lsm_task_free",
};

}  // namespace

FieldTrust btf_field_trust(std::string_view parent, std::string_view field, std::string_view pointee) {
    for (const TrustedField& f : kTrustedFields)
        if (parent == f.parent && field == f.field && pointee == f.pointee) return f.trust;
    return FieldTrust::None;
}

bool lsm_hook_args_trusted(std::string_view hook) {
    for (std::string_view h : kUntrustedLsmHooks)
        if (h == hook) return false;
    return true;
}

}  // namespace bpfplay::verifier
