#include "core/helpers/helper_catalog.hpp"

#include <algorithm>
#include <iterator>

namespace bpfplay {

namespace {

// sleepable_lsm_hooks (kernel/bpf/bpf_lsm.c), without their bpf_lsm_ prefix: the LSM hooks
// bpf_d_path and the IMA helpers are allowed in (bpf_lsm_is_sleepable_hook).
constexpr std::string_view kSleepableLsmHooks[] = {
    "bpf", "bpf_map", "bpf_map_create", "bpf_map_free", "bpf_prog", "bpf_prog_load", "bpf_prog_free",
    "bpf_token_create", "bpf_token_free", "bpf_token_cmd", "bpf_token_capable", "bprm_check_security",
    "bprm_committed_creds", "bprm_committing_creds", "bprm_creds_for_exec", "bprm_creds_from_file", "capget",
    "capset", "cred_prepare", "file_ioctl", "file_lock", "file_open", "file_post_open", "file_receive",
    "inode_create", "inode_free_security", "inode_getattr", "inode_getxattr", "inode_mknod", "inode_need_killpriv",
    "inode_post_setxattr", "inode_readlink", "inode_rename", "inode_rmdir", "inode_setattr", "inode_setxattr",
    "inode_symlink", "inode_unlink", "kernel_module_request", "kernel_read_file", "kernfs_init_security",
    "path_unlink", "path_mkdir", "path_rmdir", "path_truncate", "path_symlink", "path_link", "path_rename",
    "path_chmod", "path_chown", "mmap_file", "netlink_send", "path_notify", "release_secctx", "sb_alloc_security",
    "sb_eat_lsm_opts", "sb_kern_mount", "sb_mount", "sb_remount", "sb_set_mnt_opts", "sb_show_options",
    "sb_statfs", "sb_umount", "settime", "inet_conn_established", "socket_accept", "socket_bind",
    "socket_connect", "socket_create", "socket_getpeername", "socket_getpeersec_dgram", "socket_getsockname",
    "socket_getsockopt", "socket_listen", "socket_post_create", "socket_recvmsg", "socket_sendmsg",
    "socket_shutdown", "socket_socketpair", "syslog", "task_alloc", "current_getsecid_subj", "task_getsecid_obj",
    "task_prctl", "task_setscheduler", "task_to_inode", "userns_create"};


}  // namespace

bool lsm_hook_is_sleepable(std::string_view hook) {
    return !hook.empty() && std::find(std::begin(kSleepableLsmHooks), std::end(kSleepableLsmHooks), hook) !=
                                std::end(kSleepableLsmHooks);
}

bool helper_might_sleep(int64_t id) {
    // BPF_FUNC_copy_from_user, ima_inode_hash, copy_from_user_task, ima_file_hash.
    return id == 148 || id == 161 || id == 191 || id == 193;
}

const char* helper_call_rule_error(int64_t id, ProgType type, bool sleepable, std::string_view attach_target) {
    // bpf_ima_inode_hash_allowed, the IMA protos' allowed(): the program's hook is sleepable.
    const bool ima = id == 161 || id == 193;
    if (ima && type == ProgType::Lsm && !lsm_hook_is_sleepable(attach_target))
        return "helper call is not allowed in probe";
    if (helper_might_sleep(id) && !sleepable) return "helper call might sleep in a non-sleepable prog";
    return nullptr;
}

const HelperRule* helper_rule_for(ProgType type, AttachType attach) {
    const HelperRule* fallback = nullptr;
    for (const HelperRule& r : helper_rules()) {
        if (r.type != type) continue;
        if (r.attach == attach) return &r;
        if (r.type_default) fallback = &r;
    }
    return fallback;
}

const HelperProto* helper_proto(int64_t id) {
    const auto protos = helper_protos();
    return id > 0 && id < int64_t(protos.size()) ? &protos[size_t(id)] : nullptr;
}

namespace {

// Per-type protos that differ from the catalog's first one in what the verifier checks (the
// generator keeps one proto per helper: the first its kernel source defines).
struct ProtoVariant {
    int32_t id;
    ProgType type;
    const HelperProto* proto;
};

// bpf_get_socket_ptr_cookie_proto (net/core/filter.c), which tracing_prog_func_proto gives
// tracing programs and bpf_lsm_func_proto LSM ones: ARG_PTR_TO_BTF_ID_SOCK_COMMON | PTR_MAYBE_NULL.
constexpr HelperProto kGetSocketPtrCookie = {
    46, "bpf_get_socket_cookie", 1, RetKind::Integer, false, false,
    {{ArgKind::SockCommon, ArgAccess::Read, true, false, 0, "sock_common"}}};

// bpf_sock_ops_{set,get}sockopt_proto and bpf_sock_addr_{set,get}sockopt_proto (filter.c):
// the socket is the context's; the value is read (set) or written (get) memory of arg 5's size.
constexpr HelperProto kCtxSetsockopt = {
    49, "bpf_setsockopt", 5, RetKind::Integer, false, false,
    {{ArgKind::Ctx}, {ArgKind::Anything}, {ArgKind::Anything}, {ArgKind::Mem, ArgAccess::Read}, {ArgKind::Size}}};
constexpr HelperProto kCtxGetsockopt = {
    57, "bpf_getsockopt", 5, RetKind::Integer, false, false,
    {{ArgKind::Ctx}, {ArgKind::Anything}, {ArgKind::Anything}, {ArgKind::Mem, ArgAccess::Write}, {ArgKind::Size}}};

constexpr ProtoVariant kProtoVariants[] = {
    {46, ProgType::Tracing, &kGetSocketPtrCookie},
    {46, ProgType::Lsm, &kGetSocketPtrCookie},
    {49, ProgType::SockOps, &kCtxSetsockopt},
    {49, ProgType::CgroupSockAddr, &kCtxSetsockopt},
    {57, ProgType::SockOps, &kCtxGetsockopt},
    {57, ProgType::CgroupSockAddr, &kCtxGetsockopt},
};

}  // namespace

const HelperProto* helper_proto_for(int64_t id, ProgType type) {
    for (const ProtoVariant& v : kProtoVariants)
        if (v.id == id && v.type == type) return v.proto;
    return helper_proto(id);
}

const char* kernel_helper_name(int64_t id) {
    const HelperProto* proto = helper_proto(id);
    return proto ? proto->name : nullptr;
}

HelperVerdict helper_verdict(int64_t id, ProgType type, AttachType attach) {
    if (!helper_proto(id)) return HelperVerdict::UnknownId;
    const HelperRule* rule = helper_rule_for(type, attach);
    if (!rule) return HelperVerdict::Allowed;
    return rule->allows(id) ? HelperVerdict::Allowed : HelperVerdict::NotForThisType;
}

std::vector<ProgType> prog_types_allowing(int32_t id) {
    std::vector<ProgType> out;
    for (const HelperRule& r : helper_rules())
        if (r.type_default && r.allows(id)) out.push_back(r.type);
    return out;
}

const char* arg_kind_name(ArgKind kind) {
    switch (kind) {
    case ArgKind::None: return "none";
    case ArgKind::Anything: return "scalar";
    case ArgKind::MapPtr: return "map";
    case ArgKind::MapKey: return "map_key";
    case ArgKind::MapValue: return "map_value";
    case ArgKind::Ctx: return "ctx";
    case ArgKind::Mem: return "mem";
    case ArgKind::FixedMem: return "fixed_mem";
    case ArgKind::Size: return "size";
    case ArgKind::SizeOrZero: return "size_or_zero";
    case ArgKind::AllocSize: return "alloc_size";
    case ArgKind::SpinLock: return "spin_lock";
    case ArgKind::Timer: return "timer";
    case ArgKind::Func: return "func";
    case ArgKind::Stack: return "stack";
    case ArgKind::ConstStr: return "const_str";
    case ArgKind::SockCommon: return "sock_common";
    case ArgKind::Socket: return "socket";
    case ArgKind::BtfId: return "btf_id";
    case ArgKind::PercpuBtfId: return "percpu_btf_id";
    case ArgKind::RingbufMem: return "ringbuf_mem";
    case ArgKind::Dynptr: return "dynptr";
    case ArgKind::KptrXchgDest: return "kptr_xchg_dest";
    case ArgKind::Arena: return "arena";
    }
    return "none";
}

const char* ret_kind_name(RetKind kind) {
    switch (kind) {
    case RetKind::Integer: return "integer";
    case RetKind::Void: return "void";
    case RetKind::MapValue: return "map_value";
    case RetKind::Socket: return "socket";
    case RetKind::TcpSock: return "tcp_sock";
    case RetKind::SockCommon: return "sock_common";
    case RetKind::Mem: return "mem";
    case RetKind::MemOrBtfId: return "mem_or_btf_id";
    case RetKind::BtfId: return "btf_id";
    }
    return "integer";
}

std::string describe_arg(const HelperArg& arg) {
    std::string out = arg_kind_name(arg.kind);
    if (arg.kind == ArgKind::BtfId && arg.btf_type) out += std::string("(") + arg.btf_type + ")";
    if (arg.kind == ArgKind::FixedMem && arg.size) out += "[" + std::to_string(arg.size) + "]";
    const bool memory = arg.kind == ArgKind::Mem || arg.kind == ArgKind::FixedMem ||
                        arg.kind == ArgKind::MapValue || arg.kind == ArgKind::Stack;
    if (memory && arg.access == ArgAccess::Write) out += " (written)";
    if (memory && arg.access == ArgAccess::ReadWrite) out += " (read/written)";
    if (arg.maybe_null) out += " or NULL";
    if (arg.release) out += ", released";
    return out;
}

} // namespace bpfplay
