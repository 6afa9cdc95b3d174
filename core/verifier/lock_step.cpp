// bpf_spin_lock / bpf_spin_unlock (the kernel's process_spin_lock) and what holding the lock
// forbids: calls other than bpf_spin_unlock, legacy packet loads, ending the program (do_check's
// active_locks checks and check_resource_leak, Linux 6.18's words).
#include <string_view>

#include "core/btf/btf.hpp"
#include "core/spin_lock_calls.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

constexpr int32_t kHelperSpinUnlock = 94;  // BPF_FUNC_spin_unlock

// process_spin_lock on an object the program allocated (PTR_TO_BTF_ID | MEM_ALLOC): its
// struct's bpf_spin_lock, named by the program's BTF and the pointer's id.
bool alloc_spin_lock(Env& env, State& st, int regno, bool lock) {
    const Reg& r = st.top().regs[regno];
    if (!r.var.is_const())
        return env.refuse(Rule::Lock,
                          fmt("R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset", regno));
    const Btf& btf = *env.in.object_btf;
    const int32_t lock_off = alloc_spin_lock_off(btf, r.local_type);
    // 6.18 names every allocated object 'kptr' here (recorded).
    if (lock_off < 0) return env.refuse(Rule::Lock, "local 'kptr' has no valid bpf_spin_lock");
    const int64_t off = int64_t(r.var.value()) + r.off;
    if (off != lock_off)
        return env.refuse(Rule::Lock, fmt("off %lld doesn't point to 'struct bpf_spin_lock' that is at %d", (long long)off, int(lock_off)));
    if (lock) {
        if (st.lock) return env.refuse(Rule::Lock, "Locking two bpf_spin_locks are not allowed");
        st.lock = HeldLock{r.id, kLockInAllocation, env.pc};
        return true;
    }
    if (!st.lock) return env.refuse(Rule::Lock, "bpf_spin_unlock without taking a lock");
    if (st.lock->id != r.id || st.lock->map != kLockInAllocation) return env.refuse(Rule::Lock, "bpf_spin_unlock of different lock");
    st.lock.reset();
    invalidate_non_owning_refs(st);
    return true;
}

}  // namespace

std::string kernel_map_name(const MapSpec& m) { return m.name.substr(0, 15); }

bool lock_allows_call(Env& env, const State& st, const Insn& insn, std::string_view kfunc) {
    if (!st.lock) return true;
    const bool helper = insn.src == 0;
    if (helper && insn.imm == kHelperSpinUnlock) return true;
    if (insn.src == op::kPseudoKfuncCall && insn.off == 0 && kfunc_allowed_under_spin_lock(kfunc)) {
        if (is_modelled_list_kfunc(kfunc) || kfunc == "bpf_refcount_acquire_impl") return true;
        return env.cannot_tell("a list, rbtree or iterator kfunc called under a bpf_spin_lock");
    }
    if (!helper && insn.src != op::kPseudoKfuncCall) return true;  // a bpf-to-bpf call: check_func_call's business
    return env.refuse(Rule::Lock, "function calls are not allowed while holding a lock");
}

bool lock_allows_leaving(Env& env, const State& st, const char* what) {
    if (!st.lock) return true;
    return env.refuse(Rule::Lock, fmt("%s cannot be used inside bpf_spin_lock-ed region", what));
}

bool lock_maps_allowed(Env& env) {
    const ProgType t = env.in.type;
    const bool socket_filter = t == ProgType::SocketFilter;
    // is_tracing_prog_type (fentry and the other BTF tracing programs are not among them).
    const bool tracing = t == ProgType::Kprobe || t == ProgType::Tracepoint || t == ProgType::PerfEvent ||
                         t == ProgType::RawTracepoint || t == ProgType::RawTracepointWritable;
    if (!socket_filter && !tracing) return true;
    for (uint32_t pc = 0; pc < env.in.insns.size(); ++pc) {
        const Insn& insn = env.in.insns[pc];
        const bool map_ref = insn.src == op::kPseudoMapFd || insn.src == op::kPseudoMapValue ||
                             insn.src == op::kPseudoMapIdx || insn.src == op::kPseudoMapIdxValue;
        if (insn.opcode != op::kLddw || !map_ref) continue;
        const MapSpec* m = env.map(uint32_t(insn.imm));
        if (!m || m->spin_lock_off < 0) continue;
        env.pc = pc;
        return env.refuse(Rule::LockMap, socket_filter ? "socket filter progs cannot use bpf_spin_lock yet"
                                                    : "tracing progs cannot use bpf_spin_lock yet");
    }
    return true;
}

bool process_spin_lock(Env& env, State& st, int regno, bool lock) {
    const Reg& r = st.top().regs[regno];
    if (r.type == RegType::BtfId && r.local_type && !r.maybe_null) return alloc_spin_lock(env, st, regno, lock);
    if (r.type == RegType::BtfId) return env.cannot_tell("a bpf_spin_lock in a kernel object");
    if (r.type != RegType::MapValue || r.maybe_null)
        return env.refuse(Rule::HelperArg,
                          fmt("R%d type=%s expected=map_value, ptr_", regno, reg_type_name(r.type, r.maybe_null).c_str()));
    if (!r.var.is_const())
        return env.refuse(Rule::Lock,
                          fmt("R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset", regno));
    const MapSpec* map = env.any_map(r.map);
    if (!map) return env.cannot_tell("a bpf_spin_lock in a map the checker does not know");
    if (!map->kernel_btf)
        return env.refuse(Rule::Lock, fmt("map '%s' has to have BTF in order to use bpf_spin_lock", kernel_map_name(*map).c_str()));
    if (map->spin_lock_off < 0)
        return env.refuse(Rule::Lock, fmt("map '%s' has no valid bpf_spin_lock", kernel_map_name(*map).c_str()));
    const int64_t off = int64_t(r.var.value()) + r.off;
    if (off != map->spin_lock_off)
        return env.refuse(Rule::Lock, fmt("off %lld doesn't point to 'struct bpf_spin_lock' that is at %d", (long long)off,
                                          int(map->spin_lock_off)));
    if (lock) {
        // Unreachable from a program (bpf_spin_lock is itself a call the held lock forbids),
        // kept as the kernel keeps it.
        if (st.lock) return env.refuse(Rule::Lock, "Locking two bpf_spin_locks are not allowed");
        st.lock = HeldLock{r.id, r.map, env.pc};
        return true;
    }
    if (!st.lock) return env.refuse(Rule::Lock, "bpf_spin_unlock without taking a lock");
    if (st.lock->id != r.id || st.lock->map != r.map) return env.refuse(Rule::Lock, "bpf_spin_unlock of different lock");
    st.lock.reset();
    // invalidate_non_owning_refs: what a list or tree owns is out of reach without its lock.
    invalidate_non_owning_refs(st);
    return true;
}

}  // namespace bpfplay::verifier
