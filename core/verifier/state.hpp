#pragma once
// The abstract state of one path: per call frame, eleven registers and 512 stack bytes, plus
// the references the program holds (ring buffer records, sockets). Mirrors the kernel's
// struct bpf_verifier_state / bpf_func_state / bpf_reg_state, reduced to what is modelled.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/verifier/scalar.hpp"

namespace bpfplay::verifier {

enum class RegType : uint8_t {
    NotInit,
    Scalar,
    Ctx,        // ptr_to_ctx
    Packet,     // pkt: data + off (+ var), readable up to `range`
    PacketEnd,  // pkt_end
    PacketMeta, // pkt_meta
    Stack,      // fp: frame `frame`'s r10 + off (+ var)
    MapPtr,     // map_ptr (an lddw of a map)
    MapValue,   // map_value (maybe_null: map_value_or_null)
    Mem,        // mem of `mem_size` bytes (ringbuf_reserve's record: ringbuf_mem)
    Sock,       // a socket a lookup returned (opaque here)
    BtfId,      // ptr_: a kernel object of a BTF type (a tracing argument, the current task)
    Func,       // func: a function of the program (lddw src 4), a callback for a helper; `map`: its first insn
    MapKey,     // map_key: a map element's key, as a callback gets it; `map`: the map id
    ConstDynptr,// dynptr_ptr: a dynptr a helper hands its callback (read-only); `id`: the dynptr's id
};

// The kernel's names for log messages: "scalar", "map_value_or_null", "pkt_end"...
std::string reg_type_name(RegType t, bool maybe_null);
struct Reg;
// The same for a register, whose flags may name its type more exactly ("mem" vs "ringbuf_mem").
std::string reg_type_name(const Reg& r, bool maybe_null);

struct Reg {
    RegType type = RegType::NotInit;
    bool maybe_null = false;
    int32_t off = 0;       // pointers: the fixed offset
    Scalar var = Scalar::constant(0);  // scalars: the value; pointers: the variable offset
    uint32_t id = 0;       // pointers that share it move together (null checks, packet ranges)
    uint32_t ref_obj_id = 0;  // the reference this pointer holds (0: none)
    int32_t range = 0;     // packet pointers: bytes proven readable from data + off
    uint32_t map = 0;      // MapPtr/MapValue: the map id; BtfId: its struct's id in the built-in BTF
    uint32_t mem_size = 0; // Mem: its size
    uint8_t frame = 0;     // Stack: whose stack
    // BtfId: the kernel trusts the pointer (PTR_TRUSTED, or a reference the program holds): a
    // tracing program's argument, the current task, a kfunc's acquired object. Kfuncs that take
    // trusted arguments accept only these.
    bool trusted = false;
    // BtfId: walked out of another object where the kernel no longer vouches for it
    // (PTR_UNTRUSTED: a sleepable program outside an RCU section, or walked from an untrusted
    // pointer): it may be read, never passed to a helper or kfunc that takes an object.
    bool untrusted = false;
    // BtfId: MEM_RCU, valid inside the RCU read section a non-sleepable program runs in (a
    // field the kernel lists as RCU-safe): KF_RCU kfuncs take it, trusted-argument ones do not.
    bool rcu = false;
    // BtfId: an object the program allocated (bpf_obj_new: PTR_TO_BTF_ID | MEM_ALLOC), a struct
    // of the program's own BTF with this type id (`map` is then 0).
    uint32_t local_type = 0;
    // BtfId with local_type: NON_OWN_REF, an object a list or tree owns (pushed, or its front),
    // usable until the bpf_spin_lock is released.
    bool non_owning = false;
    // Mem: plain PTR_TO_MEM (a global function's memory argument), not a ring buffer record.
    bool plain_mem = false;
    // Mem: MEM_RDONLY (bpf_dynptr_slice's slice): loads only.
    bool rdonly = false;
    // Mem: a slice of a packet dynptr (skb, xdp, skb_meta: DYNPTR_TYPE_SKB/XDP/SKB_META on a
    // PTR_TO_MEM), which a packet-changing call invalidates with the packet pointers.
    bool pkt_slice = false;
    // Mem: the dynptr a slice was taken from (its id), whose destruction invalidates plain slices.
    uint32_t dynptr_id = 0;
    // Scalar: a number the checker forgot (widened) to make a callback's calls converge, or
    // computed from one. The kernel forgets only numbers it need not know exactly (imprecise
    // ones); where such a number decides a branch or a pointer's offset, the checker cannot tell.
    bool widened = false;

    static Reg scalar(Scalar s) {
        Reg r;
        r.type = RegType::Scalar;
        r.var = s;
        return r;
    }
    bool is_pointer() const { return type != RegType::NotInit && type != RegType::Scalar; }
    friend bool operator==(const Reg&, const Reg&) = default;
};

// reg_type_name with a kernel object pointer's trust ("untrusted_ptr_", "rcu_ptr_or_null_").
std::string reg_type_name(const Reg& r);

// Dynptr: a struct bpf_dynptr's 16 bytes (dynptr_step.cpp says what spilled[] holds for them).
enum class Slot : uint8_t { Invalid, Misc, Zero, Spill, Iter, Dynptr };

// An open-coded iterator on the stack (bpf_iter_<kind>_new's STACK_ITER slots): per 8-byte
// slot it covers, which iterator, whether next has returned NULL, and the reference new took
// (held by its first slot, the one at the iterator's address).
struct IterSlot {
    uint8_t kind = 0;       // iter_step.cpp's table index + 1; 0: no iterator
    uint8_t index = 0;      // 0: the iterator's first slot
    bool drained = false;   // BPF_ITER_STATE_DRAINED
    uint32_t ref = 0;       // first slot: the reference destroy releases
    uint32_t depth = 0;     // iterations walked (the kernel ignores it when comparing states)
    friend bool operator==(const IterSlot&, const IterSlot&) = default;
};

struct Frame {
    std::array<Reg, 11> regs{};
    // The stack as deep as the program used it (the kernel's allocated_stack): byte d is
    // fp-1-d; bytes past the end are Invalid. spilled[d / 8] is the register a Spill holds.
    std::vector<Slot> slot;
    std::vector<Reg> spilled;
    std::vector<IterSlot> iters;      // per 8-byte slot, where slot bytes are Slot::Iter
    uint32_t callsite = 0;            // the call insn in the caller (frames above 0)
    uint32_t subprog = 0;             // the function's first insn
    int32_t callback_of = 0;          // a callback's frame: the helper that calls it; 0: a plain call
    // Callbacks pushed from this frame since it last went on past the helper call (the kernel's
    // callback_depth: bpf_loop explores at most its loop count of calls). Not compared.
    uint64_t callback_depth = 0;

    Slot slot_at(uint32_t d) const { return d < slot.size() ? slot[d] : Slot::Invalid; }
    void grow(uint32_t depth) {       // make bytes [0, depth) addressable
        depth = (depth + 7) & ~7u;
        if (slot.size() < depth) {
            slot.resize(depth, Slot::Invalid);
            spilled.resize(depth / 8);
            iters.resize(depth / 8);
        }
    }
};
bool operator==(const Frame& a, const Frame& b);

struct Reference {
    uint32_t id = 0;
    uint32_t insn = 0;  // where it was acquired
    friend bool operator==(const Reference&, const Reference&) = default;
};

// The bpf_spin_lock a path holds (the kernel's REF_TYPE_LOCK reference state): at most one,
// named by the map value pointer's id (0 for a global variable's value) and its map.
// kLockInAllocation as `map`: the lock is in an object the program allocated (the kernel names
// it by the program's BTF and the pointer's id).
constexpr uint32_t kLockInAllocation = 0xffffffffu;
struct HeldLock {
    uint32_t id = 0;
    uint32_t map = 0;
    uint32_t insn = 0;  // the bpf_spin_lock call
    friend bool operator==(const HeldLock&, const HeldLock&) = default;
};

struct State {
    std::vector<Frame> frames;
    std::vector<Reference> refs;
    std::optional<HeldLock> lock;
    Frame& top() { return frames.back(); }
    const Frame& top() const { return frames.back(); }
    friend bool operator==(const State&, const State&) = default;
};

// `old` covers `cur`: every path from `cur` is a path `old` has explored or will explore, so
// `cur` need not be explored again (the kernel's states_equal with RANGE_WITHIN). `live`:
// the registers of the innermost frame read later (bit i: ri); others are ignored.
// `stack_live`: per frame, the 8-byte stack slots (bit i: bytes 8i..8i+7 below fp) old's
// exploration read before overwriting; others are ignored. Empty: all are compared.
bool state_covers(const State& old, const State& cur, uint16_t live, std::span<const uint64_t> stack_live = {});
// `cur` is `old` again, in the registers `live` names and everywhere else (ids may differ by a
// consistent renaming): a path that comes back to a state it was in loops forever.
bool state_same(const State& old, const State& cur, uint16_t live);

}  // namespace bpfplay::verifier
