#include "core/verifier/btf_ctx.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "core/btf/builtin_target_btf.hpp"
#include "core/loader/loader.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/verifier/btf_trust.hpp"
#include "core/verifier/env.hpp"

namespace bpfplay::verifier {

namespace {

constexpr uint32_t kTracingCtxSize = 8 * 12;  // sizeof(__u64) * MAX_BPF_FUNC_ARGS

// Tracepoints whose pointer arguments the kernel marks possibly NULL or an error pointer
// (btf.c's raw_tp_null_args, which grows with each release): the checker cannot tell which
// of them the running kernel lists, so reads of their pointer arguments are not modelled.
constexpr std::string_view kRawTpNullArgs[] = {
    "sched_pi_setprio", "sched_stick_numa", "sched_swap_numa", "afs_make_fs_call", "afs_make_fs_calli",
    "afs_make_fs_call1", "afs_make_fs_call2", "afs_protocol_error", "afs_flock_ev", "cachefiles_lookup",
    "cachefiles_unlink", "cachefiles_rename", "cachefiles_prep_read", "cachefiles_mark_active",
    "cachefiles_mark_failed", "cachefiles_mark_inactive", "cachefiles_vfs_error", "cachefiles_io_error",
    "cachefiles_ondemand_open", "cachefiles_ondemand_copen", "cachefiles_ondemand_close",
    "cachefiles_ondemand_read", "cachefiles_ondemand_cread", "cachefiles_ondemand_fd_write",
    "cachefiles_ondemand_fd_release", "ext4_mballoc_discard", "ext4_mballoc_free", "fib_table_lookup",
    "posix_lock_inode", "fcntl_setlk", "locks_remove_posix", "flock_lock_inode", "break_lease_noblock",
    "break_lease_block", "break_lease_unblock", "generic_delete_lease", "time_out_leases",
    "host1x_cdma_push_gather", "mm_khugepaged_scan_pmd", "mm_collapse_huge_page_isolate",
    "mm_khugepaged_scan_file", "mm_khugepaged_collapse_file", "mm_page_alloc", "mm_page_pcpu_drain",
    "mm_page_alloc_zone_locked", "netfs_failure", "device_pm_callback_start", "qdisc_dequeue",
    "rxrpc_recvdata", "rxrpc_resend", "rxrpc_tq", "rxrpc_client", "kfree_skb", "xs_stream_read_data",
    "xprt_reserve_cong", "xprt_release_cong", "xprt_get_cong", "xprt_put_cong", "tcp_send_reset",
    "tcp_sendmsg_locked", "tegra_dma_tx_status", "tmigr_update_events", "writeback_dirty_folio",
    "folio_wait_writeback", "mr_integ_alloc", "bpf_testmod_test_read", "amdgpu_vm_bo_map",
    "amdgpu_vm_bo_unmap", "netfs_folioq", "xfs_defer_create_intent", "xfs_defer_cancel_list",
    "xfs_defer_pending_finish", "xfs_defer_pending_abort", "xfs_defer_relog_intent",
    "xfs_defer_isolate_paused", "xfs_defer_item_pause", "xfs_defer_item_unpause", "xfs_defer_add_item",
    "xfs_defer_cancel_item", "xfs_defer_finish_item", "xfs_ioc_free_eofblocks", "xfs_blockgc_free_space",
    "xfs_btree_updkeys", "xfs_btree_overlapped_query_range", "xfs_map_blocks_found", "xfs_map_blocks_alloc",
    "xfs_iomap_alloc", "xfs_iomap_found", "xfs_inodegc_flush", "xfs_inodegc_push", "xfs_inodegc_start",
    "xfs_inodegc_stop", "xfs_inodegc_queue", "xfs_inodegc_throttle", "xfs_fs_sync_fs", "xfs_blockgc_start",
    "xfs_blockgc_stop", "xfs_blockgc_worker", "xfs_blockgc_flush_all", "xchk_nlinks_live_update",
    "xchk_metapath_lookup", "nfsd_dirent", "nfsd_file_acquire", "nfsd_file_insert_err", "nfsd_file_cons_err",
    "nfs4_setup_sequence", "pnfs_update_layout", "nfs4_inode_callback_event",
    "nfs4_inode_stateid_callback_event", "pnfs_mds_fallback_pg_init_read", "pnfs_mds_fallback_pg_init_write",
    "pnfs_mds_fallback_pg_get_mirror_count", "pnfs_mds_fallback_read_done", "pnfs_mds_fallback_write_done",
    "pnfs_mds_fallback_read_pagelist", "pnfs_mds_fallback_write_pagelist", "coda_dec_pic_run",
    "coda_dec_pic_done", "cfg80211_scan_done", "rdev_set_coalesce", "cfg80211_report_wowlan_wakeup",
    "cfg80211_inform_bss_frame", "cfg80211_michael_mic_failure", "wiphy_work_queue", "wiphy_work_run",
    "wiphy_work_cancel", "wiphy_work_flush", "hugetlbfs_alloc_inode", "spufs_context", "kvm_page_fault_enter",
    "dpu_crtc_setup_mixer", "binder_transaction", "btree_path_free", "hfi1_sdma_progress",
    "iptfs_ingress_postq_event", "neigh_update", "amdtp_packet",
};

bool kernel_may_null(std::string_view tracepoint) {
    return std::find(std::begin(kRawTpNullArgs), std::end(kRawTpNullArgs), tracepoint) != std::end(kRawTpNullArgs);
}

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

const char* kind_word(BtfKind k) {
    switch (k) {
    case BtfKind::Void: return "void";
    case BtfKind::Int: return "int";
    case BtfKind::Ptr: return "pointer";
    case BtfKind::Array: return "array";
    case BtfKind::Struct: return "struct";
    case BtfKind::Union: return "union";
    case BtfKind::Enum: return "enum";
    case BtfKind::Fwd: return "forward declaration";
    case BtfKind::Typedef: return "typedef";
    case BtfKind::Volatile: return "volatile";
    case BtfKind::Const: return "const";
    case BtfKind::Restrict: return "restrict";
    case BtfKind::Func: return "function";
    case BtfKind::FuncProto: return "function prototype";
    case BtfKind::Var: return "variable";
    case BtfKind::Datasec: return "data section";
    case BtfKind::Float: return "float";
    case BtfKind::DeclTag: return "decl tag";
    case BtfKind::TypeTag: return "type tag";
    case BtfKind::Enum64: return "enum64";
    }
    return "unknown";
}

// How the kernel's btf_ctx_access reads a slot of this type.
BtfCtxSlot classify(const Btf& btf, const BtfArgSlot& s, bool tp_may_null) {
    BtfCtxSlot out;
    const uint32_t t = btf.skip_modifiers(s.type_id);
    const BtfKind k = btf.kind(t);
    switch (k) {
    case BtfKind::Int:
    case BtfKind::Enum:
    case BtfKind::Enum64:
    case BtfKind::Struct:
    case BtfKind::Union: out.kind = BtfSlotKind::Scalar; return out;
    case BtfKind::Ptr: break;
    case BtfKind::Void:
    case BtfKind::Array:
    case BtfKind::Fwd:
    case BtfKind::Typedef:
    case BtfKind::Volatile:
    case BtfKind::Const:
    case BtfKind::Restrict:
    case BtfKind::Func:
    case BtfKind::FuncProto:
    case BtfKind::Var:
    case BtfKind::Datasec:
    case BtfKind::Float:
    case BtfKind::DeclTag:
    case BtfKind::TypeTag:
        out.note = fmt("the %s slot \"%s\" (of type %s)", s.is_return ? "return value" : "argument", s.name.c_str(), kind_word(k));
        return out;
    }
    const uint32_t pointee = btf.skip_modifiers(btf.type(t)->ref);
    const BtfKind pk = btf.kind(pointee);
    // btf_ctx_access marks a __user or __percpu pointee (a TYPE_TAG right after the pointer)
    // MEM_USER / MEM_PERCPU, which its loads are refused for.
    const uint32_t tag = btf.type(t)->ref;
    if (btf.kind(tag) == BtfKind::TypeTag && !btf.type(tag)->kind_flag) {
        const std::string_view v = btf.name(tag);
        if (v == "user" || v == "percpu") {
            out.note = fmt("the argument \"%s\", a __%s pointer", s.name.c_str(), std::string(v).c_str());
            return out;
        }
    }
    if (pk == BtfKind::Void || pk == BtfKind::Int) {
        out.kind = BtfSlotKind::NumberPointer;
    } else if (pk == BtfKind::Struct || pk == BtfKind::Union || pk == BtfKind::Fwd) {
        out.kind = BtfSlotKind::ObjectPointer;
        out.btf_id = pointee;
        out.maybe_null = ends_with(s.name, "__nullable");
        if (tp_may_null) {
            out.kind = BtfSlotKind::Unsure;
            out.note = "a pointer argument of a tracepoint the kernel may mark possibly NULL (raw_tp_null_args)";
        }
    } else {
        // Linux 6.16 reads other pointers as numbers; earlier kernels refuse them.
        out.note = fmt("the argument \"%s\", a pointer to a %s", s.name.c_str(), kind_word(pk));
    }
    return out;
}

}  // namespace

namespace {

// A struct_ops program: the member it implements (the loader's struct_ops_type and, as the
// expected attach type, the member's index) is a function pointer whose prototype types the
// context's u64 slots, as btf_ctx_access types a tracing program's (check_struct_ops_btf_id
// makes the member's FUNC_PROTO the program's attach_func_proto). Its pointer arguments are
// trusted (prog_args_trusted); tcp_congestion_ops promotes a struct sock to the tcp_sock it is
// (bpf_tcp_ca_is_valid_access).
std::optional<BtfCtx> struct_ops_ctx(const LoadedProgram& p) {
    if (p.struct_ops_type.empty()) return std::nullopt;
    const Btf& btf = builtin_target_btf();
    const auto type = btf.find_by_name(p.struct_ops_type, BtfKind::Struct);
    if (!type) return std::nullopt;
    const auto members = btf.members(*type);
    if (uint32_t(p.attach) >= members.size()) return std::nullopt;
    const uint32_t ptr = btf.skip_modifiers(members[uint32_t(p.attach)].type);
    if (btf.kind(ptr) != BtfKind::Ptr) return std::nullopt;
    const uint32_t proto = btf.skip_modifiers(btf.type(ptr)->ref);
    if (btf.kind(proto) != BtfKind::FuncProto) return std::nullopt;
    BtfCtx ctx;
    ctx.func = p.struct_ops_member;
    ctx.struct_ops = p.struct_ops_type;
    ctx.returns = btf.type(proto)->ref == 0 ? BtfReturn::Void : BtfReturn::Value;
    const bool tcp_ca = p.struct_ops_type == "tcp_congestion_ops";
    const auto sock = btf.find_by_name("sock", BtfKind::Struct), tcp_sock = btf.find_by_name("tcp_sock", BtfKind::Struct);
    uint32_t index = 0;
    for (const BtfParam& param : btf.params(proto)) {
        BtfArgSlot s;
        s.name = std::string(btf.string_at(param.name_off));
        if (s.name.empty()) s.name = "arg" + std::to_string(index);
        s.type_id = param.type;
        s.offset = 8 * index++;
        const uint32_t t = btf.skip_modifiers(param.type);
        if ((btf.kind(t) == BtfKind::Struct || btf.kind(t) == BtfKind::Union) && btf.type(t)->size > 8) {
            ctx.unknown = "the context of " + p.struct_ops_type + "." + p.struct_ops_member + ", which passes a struct of over 8 bytes by value";
            return ctx;
        }
        BtfCtxSlot slot = classify(btf, s, false);
        slot.trusted = true;
        if (tcp_ca && slot.kind == BtfSlotKind::ObjectPointer && sock && tcp_sock && slot.btf_id == *sock) slot.btf_id = *tcp_sock;
        ctx.args.push_back(std::move(slot));
    }
    return ctx;
}

// An iterator's context (SEC("iter/<target>")): struct bpf_iter__<target>, one pointer (or
// number) per u64 slot, each pointer wrapped in a one-member union (__bpf_md_ptr). Its pointers
// are PTR_TRUSTED (prog_args_trusted) but where the target registers another type for the
// slot (ctx_arg_info): the object an iteration visits, NULL on the call after the last.
struct IterCtxArg {
    const char* target;
    const char* field;
    bool trusted;
};
constexpr IterCtxArg kIterCtxArgs[] = {
    {"task", "task", true},      // kernel/bpf/task_iter.c: PTR_TO_BTF_ID_OR_NULL | PTR_TRUSTED
    {"cgroup", "cgroup", true},  // kernel/bpf/cgroup_iter.c: PTR_TO_BTF_ID_OR_NULL | PTR_TRUSTED
};

std::optional<BtfCtx> iter_ctx(const LoadedProgram& p) {
    BtfCtx ctx;
    ctx.func = "bpf_iter_" + p.attach_target;
    ctx.returns = BtfReturn::Value;
    const Btf& btf = builtin_target_btf();
    bool modelled = false;
    for (const IterCtxArg& a : kIterCtxArgs) modelled = modelled || p.attach_target == a.target;
    const auto type = btf.find_by_name("bpf_iter__" + p.attach_target, BtfKind::Struct);
    if (!modelled || !type) {
        ctx.unknown = "an iterator's context (typed by its target " + p.attach_target + ", not modelled)";
        return ctx;
    }
    uint32_t index = 0;
    for (const BtfMember& m : btf.members(*type)) {
        BtfArgSlot s;
        s.type_id = m.type;
        s.name = std::string(btf.string_at(m.name_off));
        const uint32_t t = btf.skip_modifiers(m.type);
        if (btf.kind(t) == BtfKind::Union && btf.members(t).size() == 1) {
            s.type_id = btf.members(t)[0].type;
            s.name = std::string(btf.string_at(btf.members(t)[0].name_off));
        }
        s.offset = 8 * index++;
        if (m.bit_offset != s.offset * 8) {
            ctx.unknown = "the context of iterator " + p.attach_target + " (a member not in its own u64 slot)";
            return ctx;
        }
        BtfCtxSlot slot = classify(btf, s, false);
        slot.trusted = true;
        for (const IterCtxArg& a : kIterCtxArgs)
            if (p.attach_target == a.target && s.name == a.field) {
                slot.maybe_null = true;
                slot.trusted = a.trusted;
            }
        ctx.args.push_back(std::move(slot));
    }
    return ctx;
}

}  // namespace

std::optional<BtfCtx> btf_ctx_for(const LoadedProgram& p) {
    if (p.type == ProgType::StructOps) return struct_ops_ctx(p);
    if (p.type == ProgType::Tracing && p.attach == AttachType::TraceIter) return iter_ctx(p);
    if (p.type != ProgType::Lsm && p.type != ProgType::Tracing) return std::nullopt;
    if (p.type == ProgType::Tracing && p.attach != AttachType::TraceFentry && p.attach != AttachType::TraceFexit &&
        p.attach != AttachType::ModifyReturn && p.attach != AttachType::TraceRawTp)
        return std::nullopt;
    BtfCtx ctx;
    auto layout = btf_args_layout(p);
    if (!layout) {
        ctx.unknown = "the context of " + p.attach_target + " (its prototype is not in the built-in BTF)";
        return ctx;
    }
    // bpf_check_attach_target names a BTF tracepoint without its "btf_trace_" prefix.
    ctx.func = p.attach == AttachType::TraceRawTp ? p.attach_target : layout->btf_name;
    ctx.skips_data = p.attach == AttachType::TraceRawTp;
    const Btf& btf = builtin_target_btf();
    const bool tp_may_null = p.attach == AttachType::TraceRawTp && kernel_may_null(p.attach_target);
    for (const BtfArgSlot& s : layout->slots) {
        const uint32_t t = btf.skip_modifiers(s.type_id);
        const BtfKind k = btf.kind(t);
        if (!s.is_return && (k == BtfKind::Struct || k == BtfKind::Union) && btf.type(t)->size > 8) {
            // btf_ctx_arg_idx: a struct passed by value takes more than one slot.
            ctx.unknown = "the context of " + p.attach_target + ", which passes a struct of over 8 bytes by value";
            return ctx;
        }
        BtfCtxSlot slot = classify(btf, s, tp_may_null);
        // prog_args_trusted: a BTF tracepoint's arguments and an LSM hook's (bpf_lsm_is_trusted)
        // are PTR_TRUSTED; fentry, fexit and fmod_ret ones are not.
        slot.trusted = p.type == ProgType::Lsm ? lsm_hook_args_trusted(layout->btf_name) : p.attach == AttachType::TraceRawTp;
        if (s.is_return) {
            ctx.returns = k == BtfKind::Void ? BtfReturn::Void : BtfReturn::Value;
            // fmod_ret: the kernel refuses a non-integer return type ("ret type %s not allowed for
            // fmod_ret"); a void function's or a struct's return value is not modelled.
            const bool fmod_ret = p.attach == AttachType::ModifyReturn;
            if (k == BtfKind::Void || k == BtfKind::Struct || k == BtfKind::Union || (fmod_ret && k != BtfKind::Int)) {
                slot.kind = BtfSlotKind::Unsure;
                slot.note = "the return value slot of " + ctx.func;
            }
            ctx.ret = std::move(slot);
        } else {
            ctx.args.push_back(std::move(slot));
        }
    }
    return ctx;
}

BtfCtxAccess btf_ctx_access(ProgType type, const BtfCtx* ctx, int32_t off, uint32_t size, bool write) {
    using Kind = BtfCtxAccess::Kind;
    auto refused = [](std::string m) { return BtfCtxAccess{Kind::Refused, std::move(m), false, 0}; };
    auto cannot = [](std::string m) { return BtfCtxAccess{Kind::CannotTell, std::move(m), false, 0}; };
    const std::string bad = fmt("invalid bpf_context access off=%d size=%u", int(off), size);
    if (type == ProgType::Tracing || type == ProgType::StructOps) {
        // tracing_prog_is_valid_access (bpf_tracing_btf_ctx_access for struct_ops), before
        // btf_ctx_access.
        if (off < 0 || uint32_t(off) >= kTracingCtxSize || write || off % int32_t(size) != 0) return refused(bad);
    } else if (off < 0 || write) {
        // LSM programs' is_valid_access is btf_ctx_access alone, which does not look at the
        // access type or a negative offset.
        return cannot(write ? "a write to an LSM program's context" : "a negative offset into an LSM program's context");
    }
    if (!ctx) return cannot("an iterator's context (typed by its target, not by a prototype)");
    if (off % 8 != 0) return refused(fmt("func '%s' offset %d is not multiple of 8", ctx->func.c_str(), int(off)));
    if (!ctx->unknown.empty()) return cannot(ctx->unknown);
    // btf_ctx_arg_idx: past the prototype's parameters (a BTF tracepoint's include its leading
    // void *__data), a non-void function's return value takes one more slot, and anything
    // further is one index more again, whatever the offset ("doesn't have 5-th argument" for
    // both ctx[3] and ctx[5] of a void function of three arguments).
    const size_t full = ctx->args.size() + (ctx->skips_data ? 1 : 0);
    size_t arg = size_t(off) / 8;
    const bool ret_slot = !ctx->skips_data && ctx->returns != BtfReturn::Void;  // a tracepoint returns void
    if (arg >= full) arg = ret_slot && arg == full ? full : full + 1;
    const BtfCtxSlot* slot = arg < ctx->args.size() ? &ctx->args[arg] : arg == ctx->args.size() && ctx->ret ? &*ctx->ret : nullptr;
    if (!slot) return refused(fmt("func '%s' doesn't have %d-th argument", ctx->func.c_str(), int(arg + 1)));
    switch (slot->kind) {
    case BtfSlotKind::Scalar: return BtfCtxAccess{Kind::Number, "", false, 0};
    case BtfSlotKind::Unsure: return cannot(slot->note);
    case BtfSlotKind::NumberPointer:
    case BtfSlotKind::ObjectPointer:
        if (size != 8) return refused(fmt("func '%s' size %u must be 8", ctx->func.c_str(), size));
        if (slot->kind == BtfSlotKind::NumberPointer) return BtfCtxAccess{Kind::Number, "", false, 0};
        return BtfCtxAccess{Kind::Object, "", slot->maybe_null, slot->btf_id, slot->trusted};
    }
    return cannot("a context slot");
}

}  // namespace bpfplay::verifier
