#pragma once
// One instruction, abstractly: each step checks what the kernel checks for its instruction
// class and updates the state. They return false after recording a failure in env.
#include <string_view>

#include "core/helpers/helper_catalog.hpp"
#include "core/verifier/env.hpp"

namespace bpfplay::verifier {

bool step_alu(Env& env, State& st, const Insn& insn);
bool step_lddw(Env& env, State& st, const Insn& insn, const Insn& next);
bool step_load(Env& env, State& st, const Insn& insn);
bool step_store(Env& env, State& st, const Insn& insn);
bool step_atomic(Env& env, State& st, const Insn& insn);
bool step_legacy_packet_load(Env& env, State& st, const Insn& insn);
// Conditional jump: leaves `st` as the fall-through side (or the taken side when the
// fall-through is impossible) and sets `next`; pushes the other side onto env.branches_out.
bool step_cond_jump(Env& env, State& st, const Insn& insn, uint32_t& next);
bool step_helper_call(Env& env, State& st, const Insn& insn);
// libbpf's resolution of the kfuncs the program calls, before the kernel sees it: a kfunc the
// kernel lacks, unless declared __weak, stops the load wherever the call is (kfunc_step.cpp).
bool kfuncs_resolve(Env& env);
// The kernel's resolution of typed __ksym variables through kallsyms, before the walk (ksym_check.cpp).
bool ksyms_resolve(Env& env);
// A kfunc call (kfunc_step.cpp); `name` is the kfunc's, "" when the object's BTF does not say.
bool step_kfunc_call(Env& env, State& st, const Insn& insn, const std::string& name);
// Open-coded iterators (iter_step.cpp): bpf_iter_<kind>_new / _next / _destroy on stack slots.
bool is_iter_next_kfunc(const std::string& name);
bool step_iter_kfunc(Env& env, State& st, const std::string& name);
// Objects the program allocates (alloc_step.cpp): bpf_obj_new_impl / bpf_obj_drop_impl, and a
// load or store through a pointer to one (a BtfId register with local_type).
bool step_obj_new(Env& env, State& st);
// The list and tree kfuncs (list_step.cpp) the checker models, and bpf_spin_unlock's end of the
// non-owning references they made.
bool is_modelled_list_kfunc(std::string_view name);
bool step_list_kfunc(Env& env, State& st, std::string_view name);
void invalidate_non_owning_refs(State& st);
// The kernel refuses the object's BTF: a struct's list head or tree root whose contains: tag
// names no struct of it, or no node field of that struct.
bool graph_tags_refused(const Btf& btf);
// A load's number of `size` bytes (any value of the width), and a variable offset as the
// kernel's messages print it (mem_step.cpp).
Scalar loaded_number(uint32_t size);
std::string tnum_text(const Tnum& t);
bool step_obj_drop(Env& env, State& st);
bool step_refcount_acquire(Env& env, State& st);
// The offset of allocated struct `type`'s bpf_spin_lock (-1: none).
int32_t alloc_spin_lock_off(const Btf& btf, uint32_t type);
bool alloc_object_access(Env& env, const Reg& ptr, int regno, int32_t off, uint32_t size, bool write, Reg* out,
                         const Reg* stored, bool from_helper);
// At an iterator's next call: the iterator r1 points at is active (not yet drained).
bool iter_active_at_r1(const State& st);
bool step_local_call(Env& env, State& st, const Insn& insn, uint32_t& next);
// Helpers that call back into the program (callback_step.cpp): the helper call `insn` is one;
// at one, with its arguments checked (`st` before r1-r5 are clobbered), push the branch that
// enters `callback`; a callback's exit back to the helper call.
bool calls_sync_callback(const Insn& insn);
// The same, kfuncs included: bpf_rbtree_add_impl calls its `less`.
bool calls_sync_callback(const CheckInput& in, const Insn& insn);
// A callback frame's callback_of for bpf_rbtree_add_impl's less (helpers use their ids).
constexpr int32_t kRbtreeAddCallback = -2;
bool push_callback(Env& env, State& st, int32_t helper, uint32_t callback);
bool callback_exit(Env& env, State& st, uint32_t& next);
// struct bpf_timer (timer_step.cpp): the timer argument in `r` (its map id to `timer_map`);
// bpf_timer_init's map argument against it; bpf_timer_set_callback's callback, a path of its
// own, and its exit.
bool timer_arg(Env& env, const Reg& r, int regno, uint32_t& timer_map);
bool timer_map_matches(Env& env, uint32_t timer_map, const Reg& map_reg);
bool is_async_callback_call(int32_t helper);
void push_async_callback(Env& env, uint32_t callback, uint32_t timer_map);
bool async_callback_exit(Env& env, const State& st, bool& done);
// struct bpf_dynptr arguments (dynptr_step.cpp). The kinds are enum bpf_dynptr_type's.
constexpr uint32_t kDynptrLocal = 1, kDynptrRingbuf = 2, kDynptrSkb = 3, kDynptrXdp = 4, kDynptrSkbMeta = 5;
// An initialised dynptr an argument names: its id, kind and reference (a slice of it shares it).
struct DynptrInfo {
    uint32_t id = 0;
    uint32_t kind = 0;
    uint32_t ref = 0;
};
// Argument `regno` of `helper`, set up, checked (`info`) or released (its reference to `release_ref`).
bool dynptr_arg(Env& env, State& st, int regno, int32_t helper, const HelperArg& arg, uint32_t& release_ref, DynptrInfo& info);
// A kfunc's dynptr argument `argno` (KF_ARG_PTR_TO_DYNPTR) in `regno`: `uninit` (a __uninit
// parameter) sets one up of `new_kind` holding `clone_ref` (bpf_dynptr_clone's parent's
// reference, or 0); otherwise an initialised one is described in `info`.
bool dynptr_kfunc_arg(Env& env, State& st, int regno, size_t argno, bool uninit, uint32_t new_kind, uint32_t clone_ref,
                      DynptrInfo& info);
// destroy_if_dynptr_stack_slot: a store into 8-byte stack slot `slot` (depth index) of frame
// `frame` destroys the dynptr there (refused for a referenced one), and its plain slices.
bool destroy_dynptr_slot(Env& env, State& st, uint8_t frame, uint32_t slot);
// The packet's dynptr kinds (reg_is_dynptr_slice_pkt: their slices are packet memory).
bool is_packet_dynptr(uint32_t kind);
// bpf_helper_changes_pkt_data: helper `id` may move or resize the packet (call_step.cpp).
bool helper_changes_packet(int32_t id);
// clear_all_pkt_pointers: after a call that may move the packet, packet pointers and packet
// dynptr slices are numbers.
void clear_packet_pointers(State& st);
// bpf_dynptr_from_mem's memory must be a map value.
bool dynptr_from_mem_data(Env& env, const State& st);
// A call to global function `index` of env.in.global_sigs: its arguments checked against its
// signature, r0 an unknown number (global_call.cpp).
bool step_global_call(Env& env, State& st, size_t index);
// A global function's walk: the state it starts in, and its exit to an unknown caller.
State global_function_entry(Env& env, const GlobalFunction& g);
bool global_function_exit(Env& env, const State& st, bool& done);
// Exit: from a function back to its caller (`next` set, returns true with done = false), or
// the program's end (done = true).
bool step_exit(Env& env, State& st, uint32_t& next, bool& done);
// The program's return value at its last exit, as the program type and attach point allow
// (return_code.cpp); R0 unwritten is refused there too, unless the kernel ignores it.
bool check_return_code(Env& env, const State& st);
// bpf_snprintf's constant format against its data_len (printf_format.cpp), once its arguments passed.
bool check_snprintf_format(Env& env, const State& st);

// bpf_kptr_xchg (kptr_step.cpp): its destination `r` (argument `regno`), whose kptr field is
// `field`; the pointer moved in, whose reference is released (`release_ref`, 0 for NULL); the
// old value it returns (a reference to acquire).
bool kptr_xchg_dest(Env& env, const Reg& r, int regno, const KptrField*& field);
bool kptr_xchg_value(Env& env, const Reg& r, int regno, const KptrField& field, uint32_t& release_ref);
Reg kptr_xchg_result(Env& env, const KptrField& field);

// bpf_spin_lock (lock_step.cpp). A call (helper, kfunc `kfunc`, bpf-to-bpf) the held lock
// allows; leaving the locked region by `what` ("BPF_EXIT instruction in main prog"); the lock
// helpers' argument `regno` taken (lock) or released.
bool lock_allows_call(Env& env, const State& st, const Insn& insn, std::string_view kfunc);
bool lock_allows_leaving(Env& env, const State& st, const char* what);
bool process_spin_lock(Env& env, State& st, int regno, bool lock);
// check_map_prog_compatibility, before the walk: socket filters and tracing programs may not
// use a map whose value holds a lock, whether or not they take it.
bool lock_maps_allowed(Env& env);

// Shared by the steps.
// The kernel prints a map by its bpf_map name, which holds BPF_OBJ_NAME_LEN - 1 characters.
std::string kernel_map_name(const MapSpec& m);
// BPF_MAX_VAR_OFF: how far a variable offset may move a pointer from its object.
constexpr int64_t kMaxVarOff = 1ll << 29;
bool check_readable(Env& env, const State& st, int regno);
// Memory of `size` bytes at reg+off may be accessed (helpers' memory arguments use it too).
// `write`: stores; `value_out`: for loads, the register the value lands in.
bool check_mem_access(Env& env, State& st, int regno, int32_t off, uint32_t size, bool write, Reg* value_out,
                      const Reg* stored = nullptr, bool from_helper = false);
// A helper's (or a global function's) memory argument: `size` bytes at register `regno`,
// accessed as `access` says.
bool check_mem_arg(Env& env, State& st, int regno, uint64_t size, ArgAccess access);
// Every register and spilled register of every frame.
template <class F>
void for_each_reg(State& st, F&& f) {
    for (Frame& fr : st.frames) {
        for (Reg& r : fr.regs) f(r);
        for (size_t s = 0; s < fr.spilled.size(); ++s)
            if (fr.slot_at(uint32_t(s * 8)) == Slot::Spill) f(fr.spilled[s]);
    }
}

}  // namespace bpfplay::verifier
