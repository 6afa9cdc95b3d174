// struct bpf_timer (process_timer_func, set_timer_callback_state, check_return_code for async
// callbacks): the timer helpers take the map value's struct bpf_timer at its exact offset in a
// map with BTF; bpf_timer_init's map must be the timer's own; bpf_timer_set_callback's function
// runs later, on its own (an async callback: a path of its own with the map, the key and the
// value holding the timer, that must return 0).
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

constexpr int32_t kHelperTimerSetCallback = 170;  // BPF_FUNC_timer_set_callback

// The map's name as the kernel keeps it (BPF_OBJ_NAME_LEN: 15 characters).
std::string timer_map_name(const MapSpec& m) { return m.name.substr(0, 15); }

}  // namespace

bool timer_arg(Env& env, const Reg& r, int regno, uint32_t& timer_map) {
    if (r.type != RegType::MapValue || r.maybe_null)
        return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=map_value", regno, reg_type_name(r.type, r.maybe_null).c_str()));
    if (!r.var.is_const())
        return env.refuse(Rule::HelperArg,
                          fmt("R%d doesn't have constant offset. bpf_timer has to be at the constant offset", regno));
    const MapSpec* m = env.any_map(r.map);
    if (!m) return env.cannot_tell("a bpf_timer in an unknown map");
    if (!m->kernel_btf)
        return env.refuse(Rule::HelperArg, fmt("map '%s' has to have BTF in order to use bpf_timer", timer_map_name(*m).c_str()));
    if (m->timer_off < 0) return env.refuse(Rule::HelperArg, fmt("map '%s' has no valid bpf_timer", timer_map_name(*m).c_str()));
    const int64_t at = int64_t(r.var.value()) + r.off;
    if (at != m->timer_off)
        return env.refuse(Rule::HelperArg, fmt("off %lld doesn't point to 'struct bpf_timer' that is at %d", (long long)at, int(m->timer_off)));
    timer_map = r.map;
    return true;
}

bool timer_map_matches(Env& env, uint32_t timer_map, const Reg& map_reg) {
    // map_uid tells inner maps apart; the object's own maps all have 0.
    if (timer_map == map_reg.map) return true;
    if (timer_map >= env.in.maps.size() || map_reg.map >= env.in.maps.size())
        return env.cannot_tell("a bpf_timer of an inner map");
    return env.refuse(Rule::HelperArg, "timer pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0");
}

bool is_async_callback_call(int32_t helper) { return helper == kHelperTimerSetCallback; }

void push_async_callback(Env& env, uint32_t callback, uint32_t timer_map) {
    // A state of its own: no frames, references or lock of the path that set it.
    State st;
    Frame f;
    f.callsite = env.pc;
    f.subprog = callback;
    f.callback_of = kHelperTimerSetCallback;
    f.regs[1].type = RegType::MapPtr;
    f.regs[1].map = timer_map;
    f.regs[1].var = Scalar::constant(0);
    for (int r : {2, 3}) {
        Reg& p = f.regs[r];
        p.type = r == 2 ? RegType::MapKey : RegType::MapValue;
        p.map = timer_map;
        p.var = Scalar::constant(0);
    }
    // The value gets an id when the callback is set up (the kernel's log shows map_value(id=N)).
    f.regs[3].id = env.new_id();
    f.regs[10].type = RegType::Stack;
    f.regs[10].var = Scalar::constant(0);
    st.frames.push_back(std::move(f));
    env.branches_out.push_back(Branch{callback, std::move(st)});
}

bool async_callback_exit(Env& env, const State& st, bool& done) {
    if (!lock_allows_leaving(env, st, "BPF_EXIT instruction in main prog")) return false;
    if (!st.refs.empty())
        return env.refuse(Rule::Reference, fmt("Unreleased reference id=%u alloc_insn=%u", st.refs[0].id, st.refs[0].insn));
    if (!check_readable(env, st, 0)) return false;
    const Reg& r0 = st.top().regs[0];
    if (r0.type != RegType::Scalar)
        return env.refuse(Rule::ReturnValue, fmt("At async callback return the register R0 is not a known value (%s)",
                                                 reg_type_name(r0, r0.maybe_null).c_str()));
    const Scalar& v = r0.var;
    if (v.smin != 0 || v.smax != 0) {
        std::string m = "At async callback return the register R0 has";
        if (v.smin > INT64_MIN) m += fmt(" smin=%lld", (long long)v.smin);
        if (v.smax < INT64_MAX) m += fmt(" smax=%lld", (long long)v.smax);
        if (v.smin == INT64_MIN && v.smax == INT64_MAX) m += " unknown scalar value";
        return env.refuse(Rule::ReturnValue, m + " should have been in [0, 0]");
    }
    done = true;
    return true;
}

}  // namespace bpfplay::verifier
