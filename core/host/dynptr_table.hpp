#pragma once
// What the kernel's verifier knows of a run's dynptrs: where each struct bpf_dynptr is on the
// program's stack, its kind, the bytes the helper that made it wrote there, and whether it holds
// a reference (a ring buffer reservation) that must be given back before the program exits.
//
// The dynptr itself is those 16 stack bytes, laid out as the kernel's struct bpf_dynptr_kern
// (core/run/dynptr_helpers.hpp), and the helpers work from them as the kernel's do. This table
// only lets bpfplay stop a run where the kernel's verifier would have refused the program at
// load time: a dynptr used before any helper made it, written over by the program, released
// twice, or still holding its reservation at exit ("Unreleased reference").
#include <array>
#include <cstdint>
#include <vector>

namespace bpfplay {

// enum bpf_dynptr_type (include/linux/bpf.h, Linux 6.18): the value in the top bits of the
// size word (below the read-only bit).
enum class DynptrType : uint8_t {
    Invalid = 0,
    Local = 1,   // bpf_dynptr_from_mem: a map value
    Ringbuf = 2, // bpf_ringbuf_reserve_dynptr: a ring buffer record
    Skb = 3,     // the bpf_dynptr_from_skb kfunc (not a helper)
    Xdp = 4,     // the bpf_dynptr_from_xdp kfunc (not a helper)
    SkbMeta = 5, // the bpf_dynptr_from_skb_meta kfunc (not a helper)
};

struct DynptrSlot {
    uint64_t addr = 0; // of the 16-byte struct, on one of the stacks
    DynptrType type = DynptrType::Invalid;
    bool referenced = false;         // ring buffer: submit or discard it before the program exits
    uint32_t made_pc = 0;            // the helper call that made it (the verifier's alloc_insn)
    int32_t made_by = 0;             // that helper's id
    std::array<uint8_t, 16> bytes{}; // what that helper wrote
    friend bool operator==(const DynptrSlot&, const DynptrSlot&) = default;
};

// A kernel object a kfunc acquired for the program (bpf_task_from_pid, bpf_cgroup_acquire...,
// or the old pointer bpf_kptr_xchg hands back): a reference it must release, or store in a
// map's kptr field, before it exits (core/run/kernel_refs.hpp).
// NfConn / NfConnInit: a struct nf_conn a conntrack lookup or insert returned, and one
// bpf_xdp_ct_alloc / bpf_skb_ct_alloc returned (struct nf_conn___init for the verifier: only
// the set_* kfuncs and bpf_ct_insert_entry take it).
// Allocated: an object of the program's own type (bpf_obj_new, or one a list pop or
// bpf_rbtree_remove handed back: obj_heap.hpp), which bpf_obj_drop, a list push or an rbtree add
// takes back.
enum class KernelObjectKind : uint8_t { Task, Cgroup, NfConn, NfConnInit, Allocated };
struct HeldObject {
    uint64_t addr = 0;              // the task_struct or struct cgroup
    KernelObjectKind kind = KernelObjectKind::Task;
    uint32_t acquired_pc = 0;       // the call that acquired it (the verifier's alloc_insn)
    const char* by = "";            // that kfunc's name
    bool released = false;          // given back (released, or moved into a map): no longer held
    friend bool operator==(const HeldObject&, const HeldObject&) = default;
};

// The run's references as the verifier tracks them: ring buffer dynptrs and kernel objects.
struct DynptrTable {
    std::vector<DynptrSlot> slots; // in the order they were made
    std::vector<HeldObject> objects; // in the order they were acquired
    friend bool operator==(const DynptrTable&, const DynptrTable&) = default;
};

} // namespace bpfplay
