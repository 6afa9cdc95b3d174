// A kfunc call (the kernel's check_kfunc_call and check_kfunc_args): each argument checked by
// the kfunc's prototype (the catalog's C declaration, from the kernel's BTF) and its KF_* flags;
// KF_ACQUIRE hands out a reference, KF_RELEASE takes one back, KF_RET_NULL makes r0 maybe NULL.
// Modelled: numbers (and __k constants), kernel objects (PTR_TO_BTF_ID, trusted or referenced),
// and a kernel object or a number as what the kfunc returns; dynptrs (KF_ARG_PTR_TO_DYNPTR, the
// packet dynptrs' constructors, bpf_dynptr_clone, bpf_dynptr_slice(_rdwr)'s slices); objects the
// program allocates (alloc_step.cpp) and the lists and trees they go into (list_step.cpp). Other
// kfuncs the verifier treats specially (locks, RCU, percpu objects) are "cannot tell".
#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "core/helpers/kfunc_catalog.hpp"
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/kfunc_compat.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

// A parameter or return type of a kfunc's C declaration, as check_kfunc_args sorts it.
struct KfuncType {
    enum class Kind : uint8_t { Scalar, Void, StructPtr, OtherPtr, Unknown } kind = Kind::Unknown;
    std::string name;    // the parameter's name ("p", "btf_id__k")
    std::string pointee; // StructPtr: the struct's name ("task_struct")
};

std::string_view decl_trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

bool decl_ident_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// "const struct task_struct *" -> StructPtr task_struct; "u32" -> Scalar; "void" -> Void.
KfuncType classify_decl_type(std::string_view type) {
    KfuncType t;
    if (type.find("__attribute__") != std::string_view::npos || type.find('(') != std::string_view::npos) return t;
    const size_t stars = size_t(std::count(type.begin(), type.end(), '*'));
    std::string_view base = decl_trim(type.substr(0, type.find('*')));
    while (base.substr(0, 6) == "const " || base.substr(0, 9) == "volatile ")
        base = decl_trim(base.substr(base.find(' ') + 1));
    const bool is_struct = base.substr(0, 7) == "struct ";
    const bool is_union = base.substr(0, 6) == "union ";
    if (stars == 0) {
        if (is_struct || is_union) return t;  // passed by value: not a kfunc argument the checker knows
        t.kind = base == "void" ? KfuncType::Kind::Void : KfuncType::Kind::Scalar;
        return t;
    }
    if (stars == 1 && is_struct) {
        t.kind = KfuncType::Kind::StructPtr;
        t.pointee = std::string(decl_trim(base.substr(7)));
        return t;
    }
    t.kind = KfuncType::Kind::OtherPtr;
    return t;
}

struct KfuncDecl {
    KfuncType ret;
    std::vector<KfuncType> params;
};

// Splits "struct task_struct *bpf_task_from_pid(s32 pid)" into its return and parameter types.
std::optional<KfuncDecl> parse_kfunc_decl(std::string_view decl, std::string_view name) {
    const std::string call = std::string(name) + "(";
    const size_t at = decl.find(call);
    if (at == std::string_view::npos || decl.back() != ')') return std::nullopt;
    KfuncDecl out;
    out.ret = classify_decl_type(decl.substr(0, at));
    std::string_view rest = decl.substr(at + call.size(), decl.size() - at - call.size() - 1);
    if (decl_trim(rest).empty() || decl_trim(rest) == "void") return out;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= rest.size(); ++i) {
        if (i < rest.size() && rest[i] == '(') ++depth;
        if (i < rest.size() && rest[i] == ')') --depth;
        if (i < rest.size() && (rest[i] != ',' || depth != 0)) continue;
        const std::string_view param = decl_trim(rest.substr(start, i - start));
        start = i + 1;
        size_t n = param.size();
        while (n > 0 && decl_ident_char(param[n - 1])) --n;
        KfuncType t = classify_decl_type(param.substr(0, n));
        t.name = std::string(param.substr(n));
        out.params.push_back(std::move(t));
    }
    return out;
}

bool param_ends_with(std::string_view s, std::string_view tail) { return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail; }

// Kfuncs the verifier handles by name (special_kfunc_list and the kfunc families with their own
// argument kinds): their effect on the state is more than their prototype says.
bool special_kfunc(std::string_view name) {
    for (std::string_view prefix :
         {"bpf_rcu_read_", "bpf_preempt_", "bpf_local_irq_", "bpf_throw", "__bpf_trap", "bpf_get_kmem_cache", "bpf_obj_",
          "bpf_percpu_obj_", "bpf_refcount_", "bpf_list_", "bpf_rbtree_", "bpf_iter_", "bpf_res_spin_",
          "bpf_wq_", "bpf_task_work_", "bpf_session_", "bpf_arena_", "bpf_cast_to_kern_ctx", "bpf_rdonly_cast",
          "bpf_stream_", "bpf_timer_", "bpf_kfunc_call_test"})
        if (name.substr(0, prefix.size()) == prefix) return true;
    return false;
}

// The bpf_dynptr_ kfuncs the checker models: their arguments are dynptrs, numbers and a buffer,
// and the kernel's special handling is only the dynptr kind a constructor gives, the clone's
// parent, and a slice's type. Others (bpf_dynptr_from_file, ...) are handled by name.
bool modelled_dynptr_kfunc(std::string_view name) {
    for (std::string_view n : {"bpf_dynptr_from_skb", "bpf_dynptr_from_xdp", "bpf_dynptr_from_skb_meta", "bpf_dynptr_slice",
                               "bpf_dynptr_slice_rdwr", "bpf_dynptr_adjust", "bpf_dynptr_is_null", "bpf_dynptr_is_rdonly",
                               "bpf_dynptr_size", "bpf_dynptr_clone", "bpf_dynptr_copy", "bpf_dynptr_memset"})
        if (name == n) return true;
    return false;
}

// The dynptr kind a kfunc's __uninit dynptr argument becomes (check_kfunc_args' DYNPTR_TYPE_*
// for the constructors); 0: another kfunc (bpf_dynptr_clone takes its parent's kind).
uint32_t dynptr_constructor_kind(std::string_view name) {
    if (name == "bpf_dynptr_from_skb") return kDynptrSkb;
    if (name == "bpf_dynptr_from_xdp") return kDynptrXdp;
    if (name == "bpf_dynptr_from_skb_meta") return kDynptrSkbMeta;
    return 0;
}

// Parameter name suffixes that give an argument a kind of its own (is_kfunc_arg_*): only "__k"
// (a constant) and "__ign" (not checked) are modelled.
bool special_param(std::string_view name) {
    for (std::string_view suffix : {"__sz", "__szk", "__str", "__map", "__irq_flag", "__nullable", "__uninit", "__opt",
                                    "__prog", "__alloc", "__refcounted_kptr", "__iter", "__async_callback", "__cb",
                                    "rdonly_buf_size", "rdwr_buf_size"})
        if (param_ends_with(name, suffix)) return true;
    return false;
}

// btf_is_prog_ctx_type: the program type's context struct as its C programs name it (the
// kernel also takes its own kernel-side name, which programs cannot declare by that name).
struct KfuncCtxName {
    ProgType type;
    const char* name;
};
constexpr KfuncCtxName kKfuncCtxNames[] = {
    {ProgType::Xdp, "xdp_md"},          {ProgType::SocketFilter, "__sk_buff"}, {ProgType::SchedCls, "__sk_buff"},
    {ProgType::SchedAct, "__sk_buff"},  {ProgType::CgroupSkb, "__sk_buff"},    {ProgType::LwtIn, "__sk_buff"},
    {ProgType::LwtOut, "__sk_buff"},    {ProgType::LwtXmit, "__sk_buff"},      {ProgType::LwtSeg6local, "__sk_buff"},
    {ProgType::SkSkb, "__sk_buff"},     {ProgType::SockOps, "bpf_sock_ops"},   {ProgType::SkMsg, "sk_msg_md"},
    {ProgType::CgroupSock, "bpf_sock"}, {ProgType::CgroupSockAddr, "bpf_sock_addr"},
};

bool is_prog_ctx_struct(ProgType type, std::string_view pointee) {
    for (const KfuncCtxName& c : kKfuncCtxNames)
        if (c.type == type && pointee == c.name) return true;
    return false;
}

// btf_type_ids_nocast_alias: two structs named alike up to a "___" flavour suffix (nf_conn and
// nf_conn___init) are the same object at different stages, never interchangeable.
std::string_view kfunc_flavourless(std::string_view n) {
    const size_t at = n.find("___");
    return at == std::string_view::npos ? n : n.substr(0, at);
}
bool kfunc_nocast_alias(std::string_view a, std::string_view b) { return a != b && kfunc_flavourless(a) == kfunc_flavourless(b); }

constexpr uint64_t kKfuncMaxVarSize = 1ull << 29;  // BPF_MAX_VAR_SIZ

// Memory a kfunc reads and writes: the stack, the packet, a map value or a record
// (check_kfunc_mem_size_reg checks the range as a read and as a write).
bool kfunc_mem_arg(Env& env, State& st, int regno, uint64_t size) {
    const Reg& r = st.top().regs[regno];
    if (r.type != RegType::Stack && r.type != RegType::Packet && r.type != RegType::PacketMeta &&
        r.type != RegType::MapValue && r.type != RegType::Mem)
        return env.cannot_tell(fmt("a %s pointer as a kfunc's memory argument R%d", reg_type_name(r.type, r.maybe_null).c_str(), regno));
    if (r.maybe_null) return env.cannot_tell(fmt("a pointer that may be NULL as a kfunc's memory argument R%d", regno));
    if (size == 0) return true;
    Reg ignored;
    if (!check_mem_access(env, st, regno, 0, uint32_t(size), false, &ignored, nullptr, true)) return false;
    return check_mem_access(env, st, regno, 0, uint32_t(size), true, nullptr, nullptr, true);
}

// A (memory, size) pair: the size register bounded as check_mem_size_reg wants it (zero allowed).
bool kfunc_mem_size_arg(Env& env, State& st, int regno, bool const_size) {
    const int size_regno = regno + 1;
    const Reg& sz = st.top().regs[size_regno];
    if (sz.type != RegType::Scalar) return env.refuse(Rule::HelperArg, fmt("R%d is not a scalar", size_regno));
    if (sz.var.smin < 0)
        return env.refuse(Rule::HelperArg, fmt("R%d min value is negative, either use unsigned or 'var &= const'", size_regno));
    if (sz.var.umax >= kKfuncMaxVarSize)
        return env.refuse(Rule::HelperArg, fmt("R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", size_regno));
    if (!kfunc_mem_arg(env, st, regno, sz.var.umax)) return false;
    if (const_size && !sz.var.is_const()) return env.refuse(Rule::HelperArg, fmt("R%d must be a known constant", size_regno));
    return true;
}

}  // namespace

bool kfuncs_resolve(Env& env) {
    for (uint32_t pc = 0; pc < env.in.insns.size(); ++pc) {
        const Insn& insn = env.in.insns[pc];
        if (insn.opcode != (op::kJmp | op::kCall) || insn.src != op::kPseudoKfuncCall || !env.in.kfunc_name) continue;
        const std::string name = env.in.kfunc_name(insn.imm);
        if (name.empty() || kfunc_proto(name) ||
            std::find(env.in.weak_kfuncs.begin(), env.in.weak_kfuncs.end(), name) != env.in.weak_kfuncs.end())
            continue;
        env.pc = pc;
        return env.refuse(Rule::HelperUnavailable, "extern (func ksym) '" + name + "': not found in kernel or module BTFs");
    }
    // libbpf then compares each found extern's prototype with the kernel's and stops the load
    // at the first that differs, naming both BTF type ids (the kernel's is not known here).
    for (uint32_t pc = 0; pc < env.in.insns.size() && env.in.object_btf; ++pc) {
        const Insn& insn = env.in.insns[pc];
        if (insn.opcode != (op::kJmp | op::kCall) || insn.src != op::kPseudoKfuncCall || !env.in.kfunc_name) continue;
        const std::string name = env.in.kfunc_name(insn.imm);
        const KfuncProto* proto = kfunc_proto(name);
        if (!proto) continue;
        const std::string differs = kfunc_proto_mismatch(*env.in.object_btf, uint32_t(insn.imm), name, proto->decl);
        if (differs.empty()) continue;
        env.pc = pc;
        return env.cannot_tell("libbpf's refusal of the extern " + name + ", whose " + differs +
                               " (\"func_proto [..] incompatible with kernel [..]\")");
    }
    // The kernel's add_kfunc_call, before the walk: kfuncs are for GPL-compatible programs only.
    for (uint32_t pc = 0; pc < env.in.insns.size(); ++pc) {
        const Insn& insn = env.in.insns[pc];
        if (insn.opcode != (op::kJmp | op::kCall) || insn.src != op::kPseudoKfuncCall) continue;
        if (env.in.kfunc_name && !kfunc_proto(env.in.kfunc_name(insn.imm))) continue;  // a __weak one libbpf poisoned
        env.pc = pc;
        if (!env.in.gpl_compatible) return env.cannot_tell("a kfunc call by a program of unknown license");
        if (!*env.in.gpl_compatible) return env.refuse(Rule::License, "cannot call kernel function from non-GPL compatible program");
        break;
    }
    return true;
}

bool step_kfunc_call(Env& env, State& st, const Insn& insn, const std::string& name) {
    const KfuncProto* proto = kfunc_proto(name);
    if (is_xdp_metadata_kfunc(name)) {
        if (!env.in.dev_bound) return env.refuse(Rule::HelperUnavailable, "metadata kfuncs require device-bound program");
        return env.cannot_tell(name + " (a device-bound program's metadata kfunc)");
    }
    switch (kfunc_verdict(name, env.in.type, env.in.attach)) {
    case KfuncVerdict::Unknown:
        // A strong extern was refused before the walk (kfuncs_resolve); a weak one became a
        // call the verifier refuses on a path that reaches it, with a number the checker does
        // not know (the extern's index).
        if (name.empty()) return env.cannot_tell("a kfunc call the object's BTF does not name");
        return env.cannot_tell("a call of a __weak kfunc the kernel lacks (libbpf's poisoned call)");
    case KfuncVerdict::NotForThisType:
        return env.refuse(Rule::HelperUnavailable, "calling kernel function " + name + " is not allowed");
    case KfuncVerdict::Allowed: break;
    }
    if (!proto) return env.cannot_tell("a kfunc outside the catalog");
    if (insn.off != 0) return env.cannot_tell("a kfunc of a kernel module's BTF");
    const uint32_t flags = proto->flags;
    if (flags & (KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY)) return step_iter_kfunc(env, st, name);
    if (name == "bpf_obj_new_impl") return step_obj_new(env, st);
    if (name == "bpf_obj_drop_impl") return step_obj_drop(env, st);
    if (name == "bpf_refcount_acquire_impl") return step_refcount_acquire(env, st);
    if (is_modelled_list_kfunc(name)) return step_list_kfunc(env, st, name);
    if (special_kfunc(name) || (name.starts_with("bpf_dynptr_") && !modelled_dynptr_kfunc(name)))
        return env.cannot_tell(name + " (a kfunc the kernel's verifier handles by name)");
    if (flags & (KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY | KF_RCU_PROTECTED))
        return env.cannot_tell(name + " (an iterator or RCU-protected kfunc)");
    // check_kfunc_call: a sleepable kfunc needs a sleepable program (outside an RCU section,
    // which the checker does not model: bpf_rcu_read_lock is "cannot tell").
    if ((flags & KF_SLEEPABLE) && !env.in.sleepable)
        return env.refuse(Rule::HelperUnavailable, "program must be sleepable to call sleepable kfunc " + name);
    const std::optional<KfuncDecl> decl = parse_kfunc_decl(proto->decl, name);
    if (!decl || decl->params.size() != proto->nargs || decl->params.size() > 5)
        return env.cannot_tell(name + "'s prototype");

    const bool release = flags & KF_RELEASE;
    // is_kfunc_trusted_args: KF_TRUSTED_ARGS, and every release kfunc's arguments.
    const bool trusted_args = (flags & KF_TRUSTED_ARGS) || release;
    const bool rcu_args = flags & KF_RCU;
    Frame& fr = st.top();
    int release_regno = 0;
    uint32_t release_ref = 0;
    DynptrInfo dynptr;          // the initialised dynptr argument (meta->initialized_dynptr)
    uint64_t const_size = 0;    // a __szk size (meta->arg_constant)
    for (size_t i = 0; i < decl->params.size(); ++i) {
        const KfuncType& p = decl->params[i];
        const int regno = int(i) + 1;
        if (param_ends_with(p.name, "__ign")) continue;
        const Reg& r = fr.regs[regno];
        if (r.type == RegType::NotInit) return env.cannot_tell(fmt("an unwritten R%d passed to a kfunc", regno));
        if (p.kind == KfuncType::Kind::StructPtr && is_prog_ctx_struct(env.in.type, p.pointee)) {
            // KF_ARG_PTR_TO_CTX: the program's own context, unmoved (check_func_arg_reg_off).
            if (r.type != RegType::Ctx)
                return env.refuse(Rule::HelperArg, fmt("arg#%zu expected pointer to ctx, but got %s", i,
                                                       r.type == RegType::Scalar ? "scalar" : reg_type_name(r.type, r.maybe_null).c_str()));
            if (r.off != 0 || !r.var.is_const() || r.var.value() != 0)
                return env.refuse(Rule::Context, fmt("dereference of modified ctx ptr R%d off=%d disallowed", regno, int(r.off)));
            continue;
        }
        const bool is_null = r.type == RegType::Scalar && r.var.is_const() && r.var.value() == 0;
        if (p.kind == KfuncType::Kind::StructPtr && p.pointee == "bpf_dynptr") {
            // KF_ARG_PTR_TO_DYNPTR: a pointer argument NULL is refused unless __nullable/__opt.
            if (is_null || r.maybe_null) return env.refuse(Rule::NullPointer, fmt("Possibly NULL pointer passed to trusted arg%zu", i));
            const bool uninit = param_ends_with(p.name, "__uninit");
            DynptrInfo d;
            // bpf_dynptr_clone's clone: its parent's kind and reference (the argument before it).
            const bool clone = uninit && name == "bpf_dynptr_clone";
            if (!dynptr_kfunc_arg(env, st, regno, i, uninit, clone ? dynptr.kind : dynptr_constructor_kind(name),
                                  clone ? dynptr.ref : 0, d))
                return false;
            if (!uninit) dynptr = d;
            continue;
        }
        const bool sized = i + 1 < decl->params.size() &&
                           (param_ends_with(decl->params[i + 1].name, "__sz") || param_ends_with(decl->params[i + 1].name, "__szk"));
        const bool optional = param_ends_with(p.name, "__opt") || param_ends_with(p.name, "__nullable");
        if (sized && p.kind != KfuncType::Kind::Scalar && (!special_param(p.name) || optional) && r.type != RegType::BtfId) {
            // KF_ARG_PTR_TO_MEM_SIZE: the buffer and its size, which is skipped as an argument. An
            // optional buffer may be NULL (then its size is not checked against it), and one that
            // may be NULL is checked as if it were not.
            const bool const_sized = param_ends_with(decl->params[i + 1].name, "__szk");
            if (!(optional && is_null)) {
                if (!optional && (is_null || r.maybe_null))
                    return env.refuse(Rule::NullPointer, fmt("Possibly NULL pointer passed to trusted arg%zu", i));
                const bool was_null = r.maybe_null;
                fr.regs[regno].maybe_null = false;
                const bool ok = kfunc_mem_size_arg(env, st, regno, const_sized);
                st.top().regs[regno].maybe_null = was_null;
                if (!ok) return false;
            }
            const Reg& sz = st.top().regs[regno + 1];
            if (const_sized) {
                if (sz.type != RegType::Scalar || !sz.var.is_const())
                    return env.refuse(Rule::HelperArg, fmt("R%d must be a known constant", regno + 1));
                const_size = sz.var.value();
            }
            ++i;
            continue;
        }
        if (special_param(p.name)) return env.cannot_tell(fmt("%s's argument %d (%s)", name.c_str(), regno, p.name.c_str()));
        switch (p.kind) {
        case KfuncType::Kind::Scalar:
            if (r.type != RegType::Scalar) return env.refuse(Rule::HelperArg, fmt("R%d is not a scalar", regno));
            if (param_ends_with(p.name, "__k") && !r.var.is_const())
                return env.refuse(Rule::HelperArg, fmt("R%d must be a known constant", regno));
            continue;
        case KfuncType::Kind::StructPtr: break;
        case KfuncType::Kind::Void:
        case KfuncType::Kind::OtherPtr:
        case KfuncType::Kind::Unknown:
            return env.cannot_tell(fmt("%s's argument %d (a pointer to memory, or another kind of argument)",
                                       name.c_str(), regno));
        }
        if ((trusted_args || rcu_args) && (is_null || r.maybe_null))
            return env.refuse(Rule::NullPointer, fmt("Possibly NULL pointer passed to trusted arg%zu", i));
        if (r.is_pointer() && r.ref_obj_id) {
            release_ref = r.ref_obj_id;
            if (release) release_regno = regno;
        }
        if (r.type == RegType::Scalar) {
            // get_kfunc_ptr_arg_type's catch-all: a number is memory only for a struct of numbers.
            const uint32_t id = btf_struct_id(p.pointee.c_str());
            if (id == 0 || btf_struct_is_scalar(id))
                return env.cannot_tell(fmt("a number passed as %s's argument %d", name.c_str(), regno));
            return env.refuse(Rule::HelperArg, fmt("arg#%zu pointer type STRUCT %s must point to scalar, or struct with scalar", i,
                                                   p.pointee.c_str()));
        }
        if (r.type != RegType::BtfId)
            return env.cannot_tell(fmt("a %s pointer passed as %s's argument %d", reg_type_name(r.type, r.maybe_null).c_str(),
                                       name.c_str(), regno));
        // KF_ARG_PTR_TO_BTF_ID. Trusted and RCU kfuncs want a trusted pointer (a reference, or
        // PTR_TRUSTED) or, KF_RCU, an RCU one; any kfunc refuses an untrusted one (its register
        // type carries PTR_UNTRUSTED). The checker knows a pointer's trust from where it came
        // from: a context slot, a helper, a kfunc, or a walk (check_ptr_to_btf_access).
        const bool trusted = r.trusted || r.ref_obj_id != 0;
        if ((trusted_args || rcu_args) && !trusted) {
            if (!rcu_args) return env.refuse(Rule::HelperArg, fmt("R%d must be referenced or trusted", regno));
            if (!r.rcu) return env.refuse(Rule::HelperArg, fmt("R%d must be a rcu pointer", regno));
        }
        if (r.untrusted)
            return env.refuse(Rule::HelperArg, fmt("arg#%zu is %s expected %s or socket", i, reg_type_name(r).c_str(),
                                                   reg_type_name(r.type, false).c_str()));
        if (trusted_args || rcu_args || (release && r.ref_obj_id)) {
            if (!r.var.is_const()) return env.cannot_tell(fmt("a kernel object pointer with a variable offset in R%d", regno));
            if (r.off != 0 || r.var.value() != 0)
                return env.refuse(Rule::HelperArg,
                                  fmt("R%d must have zero offset when passed to release func or trusted arg to kfunc", regno));
        }
        // process_kf_arg_ptr_to_btf_id: a released reference and a "no-cast alias" (nf_conn
        // for nf_conn___init: names equal up to a "___" flavour) must be the struct itself;
        // otherwise a struct whose first member is it matches too (tcp_sock for sock).
        const std::string have = r.map ? btf_object_name(r.map) : std::string();
        // btf_is_projection_of: a kfunc taking a context view (__sk_buff, xdp_md) casts it to the
        // kernel struct behind it, so that struct is taken too (netfilter's ctx->skb for
        // bpf_dynptr_from_skb).
        if ((p.pointee == "__sk_buff" && have == "sk_buff") || (p.pointee == "xdp_md" && have == "xdp_buff")) continue;
        const uint32_t want = btf_struct_id(p.pointee.c_str());
        if (have.empty() || want == 0)
            return env.cannot_tell(fmt("a kernel object of a struct the built-in BTF lacks as %s's argument %d", name.c_str(), regno));
        const bool strict = (release && r.ref_obj_id) || kfunc_nocast_alias(have, p.pointee);
        if (r.off != 0 && !strict && have != p.pointee)
            return env.cannot_tell(fmt("a kernel object pointer at an offset into its object as %s's argument %d", name.c_str(), regno));
        if (r.off == 0 ? !btf_struct_ids_match(r.map, want, strict) : have != p.pointee)
            return env.refuse(Rule::HelperArg, fmt("kernel function %s args#%zu expected pointer to STRUCT %s but R%d has a pointer to STRUCT %s",
                                                   name.c_str(), i, p.pointee.c_str(), regno, have.c_str()));
    }
    if (release && !release_regno)
        return env.refuse(Rule::Reference, "release kernel function " + name + " expects refcounted PTR_TO_BTF_ID");

    Reg r0;
    const bool slice = name == "bpf_dynptr_slice" || name == "bpf_dynptr_slice_rdwr";
    if (slice) {
        // check_special_kfunc: PTR_TO_MEM of the constant size (MEM_RDONLY for bpf_dynptr_slice),
        // with the dynptr's kind (a packet's slice goes with the packet), or NULL. This project's
        // reference kernel (Linux 6.18.44-fc) refuses every writable slice once its arguments
        // passed, whatever the program type or dynptr kind (recorded: the corpus's
        // ref_*_dynptr_slice_rdwr), before upstream's may_access_direct_pkt_data test.
        if (name == "bpf_dynptr_slice_rdwr") return env.refuse(Rule::HelperUnavailable, "bpf_dynptr_slice_rdwr() is not allowed");
        if (const_size >= (1ull << 29)) return env.cannot_tell(name + "'s slice of more than 2^29 bytes");
        r0.type = RegType::Mem;
        r0.plain_mem = true;
        r0.rdonly = true;
        r0.pkt_slice = is_packet_dynptr(dynptr.kind);
        r0.mem_size = uint32_t(const_size);
        r0.var = Scalar::constant(0);
        // A ring buffer dynptr's slice dies with its record (the kernel: with the dynptr's id).
        r0.ref_obj_id = dynptr.ref;
        r0.dynptr_id = dynptr.id;
    }
    switch (slice ? KfuncType::Kind::Void : decl->ret.kind) {
    case KfuncType::Kind::Void: break;
    case KfuncType::Kind::Scalar: r0 = Reg::scalar(Scalar::unknown()); break;
    case KfuncType::Kind::StructPtr:
        r0.type = RegType::BtfId;
        r0.var = Scalar::constant(0);
        r0.map = btf_struct_id(decl->ret.pointee.c_str());
        // An acquired object is referenced, so trusted; others are trusted only by the kernel's
        // case-by-case rules (not modelled).
        r0.trusted = flags & KF_ACQUIRE;
        if (!r0.trusted) return env.cannot_tell(name + "'s returned kernel object (not acquired: its trust is not tracked)");
        if (flags & KF_RET_NULL) {
            r0.maybe_null = true;
            r0.id = env.new_id();
        }
        break;
    case KfuncType::Kind::OtherPtr:
    case KfuncType::Kind::Unknown: return env.cannot_tell(name + "'s return value (memory, or another kind of pointer)");
    }
    if (slice && (flags & KF_RET_NULL)) {
        r0.maybe_null = true;
        r0.id = env.new_id();
    }

    if (release) {
        std::erase_if(st.refs, [&](const Reference& ref) { return ref.id == release_ref; });
        for_each_reg(st, [&](Reg& x) {
            if (x.is_pointer() && x.ref_obj_id == release_ref) x = Reg::scalar(Scalar::unknown());
        });
    }
    // is_kfunc_pkt_changing: bpf_xdp_pull_data may move the packet.
    if (name == "bpf_xdp_pull_data") clear_packet_pointers(st);
    Frame& f = st.top();
    for (int r = 1; r <= 5; ++r) f.regs[r] = Reg{};
    if ((flags & KF_ACQUIRE) && r0.is_pointer()) {
        const uint32_t ref = env.new_id();
        r0.id = r0.ref_obj_id = ref;
        st.refs.push_back(Reference{ref, env.pc});
    }
    f.regs[0] = r0;
    return true;
}

}  // namespace bpfplay::verifier
