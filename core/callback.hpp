#pragma once
// Callbacks that helpers call back into the program: bpf_loop, bpf_for_each_map_elem (and,
// later, timers). The kernel calls the callback from C, once per iteration, inside the helper.
// bpfplay runs each call as a frame of the program instead, so the debugger can step into the
// callback, see the iteration, and step back across it: the helper asks the Vm for a callback
// frame (Vm::helper_call_back), the interpreter pushes it, and each exit of that frame asks
// the callback's `next` function for the following iteration's arguments until there is none
// or the callback returned 1. The helper's result (r0 after the frame is gone) counts the calls.
#include <cstdint>
#include <string>

namespace bpfplay {

class Vm;
struct CallbackState;

enum class CallbackKind : uint8_t {
    None,     // an ordinary frame
    Loop,     // bpf_loop: callback(index, ctx)
    ForEach,  // bpf_for_each_map_elem: callback(map, key, value, ctx)
    UserRingbufDrain,  // bpf_user_ringbuf_drain: callback(dynptr, ctx)
    FindVma,  // bpf_find_vma: callback(task, vma, ctx), once; the helper then returns 0, not the count
    // bpf_rbtree_add_impl: less(node, parent) at each node of the walk down the tree; every
    // answer goes on (it picks the child to visit next: `next` gets it in `ctx`) until the walk
    // falls off the tree and `next` links the node there. The kfunc then returns 0.
    RbtreeAdd,
};
const char* callback_helper_name(CallbackKind kind);

// Fills the argument registers r1..r5 (args[0..4]) of the next call and advances `s.position`
// past the element it used; false when no element is left. `depth` is the callback's frame.
// Runs inside the Vm (not as a helper): it may read maps but not fail the run.
using CallbackNextFn = bool (*)(Vm& vm, uint32_t depth, CallbackState& s, uint64_t args[5]);

// What a callback frame remembers between its calls. Trivially copyable: the journal saves it
// whole when a step changes it.
struct CallbackState {
    CallbackKind kind = CallbackKind::None;
    uint32_t entry = 0;     // the callback's first instruction
    uint64_t calls = 0;     // calls made so far: the helper returns this
    uint64_t position = 0;  // the next element `next` looks at (bpf_loop: the next index;
                            // bpf_user_ringbuf_drain: records looked at, discarded ones too)
    uint64_t limit = 0;     // elements there are (bpf_loop: nr_loops; for_each: snapshot size;
                            // find_vma: the vm_area_struct's address, its one element)
    uint64_t ctx = 0;       // callback_ctx, passed through
    uint64_t map = 0;       // for_each: the map's handle, passed as the callback's r1;
                            // find_vma: the task, likewise
    CallbackNextFn next = nullptr;
    // Registers the verifier considers written at the callback's entry (checked mode).
    uint16_t arg_mask = 0;
};
constexpr uint32_t kCallbackStateWords = 7;  // its size in journal words
CallbackState callback_state_from_words(const uint64_t w[kCallbackStateWords]);
// For the debugger's frame list: "bpf_loop: index 2 (call 3 of 16)", "bpf_for_each_map_elem:
// element 1 of 4"; empty for an ordinary frame.
std::string callback_description(const CallbackState& s);

// Largest key a callback is handed (hash keys are at most MAX_BPF_STACK bytes): one slot of the
// callback key window per frame.
constexpr uint32_t kCallbackKeySlot = 512;

}  // namespace bpfplay
