// Global (non-static) functions, as the kernel treats them (check_func_call with
// subprog_is_global, btf_check_func_arg_match, do_check_subprogs): a call checks the caller's
// arguments against the function's BTF signature, clobbers r1-r5 and gives r0 as an unknown
// number; the function itself is verified once, on its own, from its signature.
#include <algorithm>
#include <span>
#include <vector>

#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

bool global_arg_ok(Env& env, State& st, const GlobalArg& arg, int regno) {
    const Reg& r = st.top().regs[regno];
    switch (arg.kind) {
    case GlobalArgKind::Scalar:
        // No read check first: an unwritten register is not a scalar either.
        if (r.type != RegType::Scalar) return env.refuse(Rule::HelperArg, fmt("R%d is not a scalar", regno));
        return true;
    case GlobalArgKind::Ctx:
        if (r.type == RegType::NotInit) return env.cannot_tell(fmt("an unwritten R%d passed as a global function's context", regno));
        if (r.type == RegType::Ctx && (r.off != 0 || !r.var.is_const() || r.var.value() != 0))
            return env.refuse(Rule::HelperArg, fmt("dereference of modified ctx ptr R%d off=%d disallowed", regno, int(r.off)));
        if (r.type != RegType::Ctx) return env.refuse(Rule::HelperArg, fmt("arg#%d expects pointer to ctx", regno - 1));
        return true;
    case GlobalArgKind::Mem: {
        if (r.type == RegType::NotInit || r.type == RegType::Ctx || r.type == RegType::BtfId || r.type == RegType::Sock)
            return env.cannot_tell(fmt("R%d (%s) passed as a global function's memory argument", regno,
                                       reg_type_name(r.type, r.maybe_null).c_str()));
        // check_mem_reg: NULL passes; a pointer that may be NULL is checked as if it were not.
        if (r.type == RegType::Scalar && r.var.is_const() && r.var.value() == 0) return true;
        Reg& live = st.top().regs[regno];
        const bool was_null = live.maybe_null;
        live.maybe_null = false;
        // Read, then written (check_mem_reg): a refusal names the read first.
        const bool ok = check_mem_arg(env, st, regno, arg.mem_size, ArgAccess::Read) &&
                        check_mem_arg(env, st, regno, arg.mem_size, ArgAccess::Write);
        st.top().regs[regno].maybe_null = was_null;
        return ok;
    }
    }
    return env.cannot_tell("a global function argument of an unknown kind");
}

// The functions of the program by first instruction: the entry, bpf-to-bpf call targets and
// functions referenced as callbacks (lddw src 4).
std::vector<uint32_t> subprog_starts(std::span<const Insn> insns) {
    std::vector<uint32_t> starts{0};
    for (uint32_t pc = 0; pc < insns.size(); ++pc) {
        const Insn& insn = insns[pc];
        const bool local_call = insn.opcode == (op::kJmp | op::kCall) && insn.src == op::kPseudoCall;
        const bool func_ref = insn.opcode == op::kLddw && insn.src == op::kPseudoFunc;
        if (local_call || func_ref) starts.push_back(uint32_t(int64_t(pc) + insn.imm + 1));
        if (insn.opcode == op::kLddw) ++pc;
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    return starts;
}

// The kernel's subprog changes_pkt_data (mark_subprog_changes_pkt_data in check_cfg, merged from
// callees by merge_callee_effects): the function at `start`, or one it calls, calls a
// packet-changing helper or kfunc.
bool subprog_changes_packet(const Env& env, const std::vector<uint32_t>& starts, uint32_t start, std::vector<uint32_t>& seen) {
    if (std::find(seen.begin(), seen.end(), start) != seen.end()) return false;
    seen.push_back(start);
    const auto next = std::upper_bound(starts.begin(), starts.end(), start);
    const uint32_t end = next == starts.end() ? uint32_t(env.in.insns.size()) : *next;
    for (uint32_t pc = start; pc < end && pc < env.in.insns.size(); ++pc) {
        const Insn& insn = env.in.insns[pc];
        if (insn.opcode == op::kLddw) ++pc;
        if (insn.opcode != (op::kJmp | op::kCall)) continue;
        if (insn.src == 0 && helper_changes_packet(insn.imm)) return true;
        if (insn.src == op::kPseudoKfuncCall && env.in.kfunc_name && env.in.kfunc_name(insn.imm) == "bpf_xdp_pull_data") return true;
        if (insn.src == op::kPseudoCall && subprog_changes_packet(env, starts, uint32_t(int64_t(pc) + insn.imm + 1), seen))
            return true;
    }
    return false;
}

}  // namespace

bool step_global_call(Env& env, State& st, size_t index) {
    const GlobalFunction& g = env.in.global_sigs[index];
    if (st.lock)
        return env.refuse(Rule::Lock, "global function calls are not allowed while holding a lock,");
    if (!g.refusal.empty()) return env.refuse(Rule::HelperArg, g.refusal);
    if (!g.unmodelled.empty())
        return env.cannot_tell(fmt("a call to global function %s() (%s)", g.name.c_str(), g.unmodelled.c_str()));
    for (size_t i = 0; i < g.args.size(); ++i)
        if (!global_arg_ok(env, st, g.args[i], int(i) + 1)) return false;
    if (std::find(env.called_globals.begin(), env.called_globals.end(), index) == env.called_globals.end())
        env.called_globals.push_back(index);
    // check_func_call: a global function that may move the packet leaves the caller no packet
    // pointers (clear_all_pkt_pointers); a static one does so on its own walk.
    std::vector<uint32_t> seen;
    if (subprog_changes_packet(env, subprog_starts(env.in.insns), g.insn, seen)) clear_packet_pointers(st);
    Frame& f = st.top();
    for (int r = 1; r <= 5; ++r) f.regs[r] = Reg{};
    f.regs[0] = Reg::scalar(Scalar::unknown());
    return true;
}

State global_function_entry(Env& env, const GlobalFunction& g) {
    State st;
    Frame f;
    f.subprog = g.insn;
    for (size_t i = 0; i < g.args.size(); ++i) {
        Reg& r = f.regs[i + 1];
        switch (g.args[i].kind) {
        case GlobalArgKind::Scalar: r = Reg::scalar(Scalar::unknown()); break;
        case GlobalArgKind::Ctx:
            r.type = RegType::Ctx;
            r.var = Scalar::constant(0);
            break;
        case GlobalArgKind::Mem:
            r.type = RegType::Mem;
            r.var = Scalar::constant(0);
            r.mem_size = g.args[i].mem_size;
            r.plain_mem = true;
            r.maybe_null = true;
            r.id = env.new_id();
            break;
        }
    }
    f.regs[10].type = RegType::Stack;
    f.regs[10].var = Scalar::constant(0);
    st.frames.push_back(std::move(f));
    return st;
}

bool global_function_exit(Env& env, const State& st, bool& done) {
    if (!lock_allows_leaving(env, st, "BPF_EXIT instruction in main prog")) return false;
    if (!st.refs.empty())
        return env.refuse(Rule::Reference, fmt("Unreleased reference id=%u alloc_insn=%u", st.refs[0].id, st.refs[0].insn));
    // check_return_code for a subprogram: any number (root may not return a pointer either).
    if (!check_readable(env, st, 0)) return false;
    const Reg& r0 = st.top().regs[0];
    if (r0.type != RegType::Scalar)
        return env.refuse(Rule::ReturnValue, fmt("At subprogram exit the register R0 is not a scalar value (%s)",
                                                 reg_type_name(r0.type, r0.maybe_null).c_str()));
    done = true;
    return true;
}

}  // namespace bpfplay::verifier
