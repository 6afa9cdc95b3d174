// Helpers that call a function of the program (bpf_loop, bpf_for_each_map_elem,
// bpf_user_ringbuf_drain; the bpf_rbtree_add_impl kfunc's less), as the kernel verifies them (push_callback_call with
// set_loop_callback_state / set_map_elem_callback_state / set_user_ringbuf_callback_state,
// prepare_func_exit): at the helper call, a branch enters the callback in a new frame with the
// arguments the helper will give it, while the path goes on as if the helper returned at once.
// The callback's exit goes back to the helper call, which pushes the callback again: each path
// explores one more call, until the state at the helper call is one seen before on the path
// (the walk prunes it there; see checker.cpp) or, for bpf_loop, the loop count is reached.
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

constexpr int32_t kHelperForEachMapElem = 164;  // BPF_FUNC_for_each_map_elem
constexpr int32_t kHelperLoop = 181;            // BPF_FUNC_loop
constexpr int32_t kHelperUserRingbufDrain = 209; // BPF_FUNC_user_ringbuf_drain

// Maps whose ops have map_for_each_callback: arrays and hash tables.
bool map_has_for_each(MapType t) {
    switch (t) {
    case MapType::Hash:
    case MapType::Array:
    case MapType::PercpuHash:
    case MapType::PercpuArray:
    case MapType::LruHash:
    case MapType::LruPercpuHash: return true;
    default: return false;
    }
}

}  // namespace

bool calls_sync_callback(const Insn& insn) {
    return insn.src == 0 && (insn.imm == kHelperForEachMapElem || insn.imm == kHelperLoop || insn.imm == kHelperUserRingbufDrain);
}

bool calls_sync_callback(const CheckInput& in, const Insn& insn) {
    if (calls_sync_callback(insn)) return true;
    return insn.src == op::kPseudoKfuncCall && insn.off == 0 && in.kfunc_name && in.kfunc_name(insn.imm) == "bpf_rbtree_add_impl";
}

bool push_callback(Env& env, State& st, int32_t helper, uint32_t callback) {
    Frame& caller = st.top();
    if (helper == kHelperLoop && !(caller.callback_depth < caller.regs[1].var.umax)) {
        // As many calls explored as the loop makes at most: the path goes on without another.
        caller.callback_depth = 0;
        return true;
    }
    if (st.frames.size() >= size_t(kMaxCallFrames))
        return env.refuse(Rule::CallDepth, fmt("the call stack of %d frames is too deep !", int(st.frames.size()) + 1));
    Frame callee;
    callee.callsite = env.pc;
    callee.subprog = callback;
    callee.callback_of = helper;
    callee.regs[10].type = RegType::Stack;
    callee.regs[10].var = Scalar::constant(0);
    callee.regs[10].frame = uint8_t(st.frames.size());
    if (helper == kHelperLoop) {
        // callback_fn(u64 index, void *callback_ctx)
        callee.regs[1] = Reg::scalar(Scalar::unknown());
        callee.regs[2] = caller.regs[3];
    } else if (helper == kRbtreeAddCallback) {
        // less(a, b): both the node being added, as non-owning graph nodes (set_rbtree_add_callback_state).
        for (int r : {1, 2}) {
            callee.regs[r] = caller.regs[2];
            callee.regs[r].ref_obj_id = 0;
            callee.regs[r].id = 0;
            callee.regs[r].non_owning = true;
        }
    } else if (helper == kHelperUserRingbufDrain) {
        // callback_fn(const struct bpf_dynptr *record, void *callback_ctx): a local dynptr.
        callee.regs[1].type = RegType::ConstDynptr;
        callee.regs[1].var = Scalar::constant(0);
        callee.regs[1].id = env.new_id();
        callee.regs[2] = caller.regs[3];
    } else {
        // callback_fn(struct bpf_map *map, void *key, void *value, void *callback_ctx)
        const Reg& map = caller.regs[1];
        const MapSpec* m = env.any_map(map.map);
        if (!m) return env.cannot_tell("bpf_for_each_map_elem over an unknown map");
        if (!map_has_for_each(m->type)) return env.refuse(Rule::HelperArg, "callback function not allowed for map");
        callee.regs[1] = map;
        for (int r : {2, 3}) {
            Reg& p = callee.regs[r];
            p.type = r == 2 ? RegType::MapKey : RegType::MapValue;
            p.map = map.map;
            p.var = Scalar::constant(0);
        }
        callee.regs[4] = caller.regs[3];
    }
    State entered = st;
    entered.top().callback_depth++;
    entered.frames.push_back(std::move(callee));
    env.branches_out.push_back(Branch{callback, std::move(entered)});
    caller.callback_depth = 0;
    return true;
}

bool callback_exit(Env& env, State& st, uint32_t& next) {
    const Reg& r0 = st.top().regs[0];
    // Any stack pointer, the caller's too (prepare_func_exit is conservative there).
    if (r0.type == RegType::Stack) return env.refuse(Rule::Other, "cannot return stack pointer to the caller");
    if (r0.type != RegType::Scalar) return env.refuse(Rule::ReturnValue, "R0 not a scalar value");
    // bpf_loop and bpf_for_each_map_elem stop on 1 and go on on 0 (callback_ret_range), read as 64 bits.
    const Scalar& v = r0.var;
    if (v.smin < 0 || v.smax > 1) {
        std::string m = "At callback return the register R0 has";
        if (v.smin > INT64_MIN) m += fmt(" smin=%lld", (long long)v.smin);
        if (v.smax < INT64_MAX) m += fmt(" smax=%lld", (long long)v.smax);
        if (v.smin == INT64_MIN && v.smax == INT64_MAX) m += " unknown scalar value";
        return env.refuse(Rule::ReturnValue, m + " should have been in [0, 1]");
    }
    // Back to the helper call, whose caller registers are as they were: it calls again.
    next = st.top().callsite;
    st.frames.pop_back();
    env.after_callback_exit = true;
    return true;
}

}  // namespace bpfplay::verifier
