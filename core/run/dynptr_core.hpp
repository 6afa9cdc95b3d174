#pragma once
// What the dynptr helpers (dynptr_helpers.cpp) and the dynptr kfuncs (dynptr_kfuncs.cpp) share:
// the struct bpf_dynptr_kern on the stack (dynptr_helpers.hpp has its layout), the verifier's
// checks of a dynptr argument (Host::dynptrs, core/host/dynptr_table.hpp), and the kernel's
// __bpf_dynptr_read / __bpf_dynptr_write, which reach local and ring buffer memory directly and
// skb, xdp and skb metadata dynptrs through the run's packet (kernel/bpf/helpers.c, Linux 6.18).
#include <array>
#include <cstdint>
#include <string>

#include "core/host/dynptr_table.hpp"
#include "core/run/dynptr_helpers.hpp"

namespace bpfplay {

class Vm;

namespace dynptr {

// struct bpf_dynptr_kern, read from or written to the 16 stack bytes.
struct DynptrKern {
    uint64_t data = 0;
    uint32_t size = 0; // the size word: size, type and read-only bit
    uint32_t offset = 0;
};

DynptrKern unpack(const uint8_t* p);
std::array<uint8_t, kDynptrBytes> pack(const DynptrKern& d);
// bpf_dynptr_init: the type goes in the top bits of the size word.
DynptrKern make_dynptr(uint64_t data, DynptrType type, uint32_t offset, uint32_t size);
uint32_t dynptr_size(const DynptrKern& d);
bool dynptr_rdonly(const DynptrKern& d);
uint32_t dynptr_type_bits(const DynptrKern& d);
// bpf_dynptr_check_off_len: -E2BIG for a range outside [0, size).
int64_t check_off_len(const DynptrKern& d, uint32_t offset, uint32_t len);

// The dynptr's enum bpf_dynptr_type; Invalid also for bits no type has (the kernel's
// WARN_ONCE default cases).
DynptrType type_of(const DynptrKern& d);
const char* type_name(DynptrType t);

// Stops the run: "<fn>: <what>", with a hint.
void fail(Vm& vm, const char* fn, std::string what, std::string hint);
// "the kernel's verifier refuses the call (\"...\")"
std::string refused(const std::string& verifier_says);
// "fp-16" (frame 0) or "fp-16 of frame 2".
std::string stack_name(uint64_t addr);
// How the verifier names what a register points to (reg_type_str), and that in words.
std::string reg_type(Vm& vm, uint64_t addr);
std::string pointee(const std::string& type);

// The run's dynptr table, or nullptr after failing the run (no host).
DynptrTable* table_of(Vm& vm, const char* fn);

// A helper's memory argument (ARG_PTR_TO_MEM / ARG_PTR_TO_UNINIT_MEM) of `len` bytes, checked
// as check_helper_mem_access does; nullptr after failing the run.
uint8_t* mem_arg(Vm& vm, const char* fn, int reg, uint64_t addr, uint64_t len, bool write);

DynptrSlot* find_slot(DynptrTable& t, uint64_t addr);
// A struct bpf_dynptr * in register `reg`: on a stack, 8-aligned, inside the frame. False after
// failing the run.
bool dynptr_place_ok(Vm& vm, const char* fn, int reg, uint64_t addr);
bool stack_bytes_match(Vm& vm, const DynptrSlot& s);
// "bpf_ringbuf_reserve_dynptr at insn 4" (a helper or a kfunc).
std::string made_by(const DynptrSlot& s);
void fail_overwritten(Vm& vm, const char* fn, const DynptrSlot& s);
// A dynptr argument the verifier requires to be initialized: its slot, or nullptr after
// failing the run.
DynptrSlot* initialized_dynptr(Vm& vm, DynptrTable& t, const char* fn, int reg, uint64_t addr);
// Before a dynptr is made at `addr` (MEM_UNINIT, the pointer in register `reg`): refuses to
// write over a ring buffer dynptr still reserved, destroys others there. False after failing.
bool make_room(Vm& vm, DynptrTable& t, const char* fn, int reg, uint64_t addr);
// Writes the dynptr's bytes to the stack and records it, made by helper or kfunc binding `maker`.
void make_dynptr(Vm& vm, DynptrTable& t, int32_t maker, uint64_t addr, const DynptrKern& d, DynptrType type);
// Writes a changed dynptr (bpf_dynptr_adjust) back to its stack bytes and its slot.
void update_dynptr(Vm& vm, DynptrSlot& s, const DynptrKern& d);
// bpf_dynptr_clone: a dynptr at `addr` with `d`'s bytes that the verifier counts as the parent's
// (its type; a ring buffer clone holds the same reservation, released with either).
void clone_dynptr(Vm& vm, DynptrTable& t, const DynptrSlot& parent, uint64_t addr, const DynptrKern& d);

// __bpf_dynptr_read: `len` bytes at `offset` of the dynptr into `dst` (program memory already
// checked); 0 or a negative errno. Stops the run (returning 0) only where the kernel would
// WARN or fault.
int64_t dynptr_read_at(Vm& vm, const char* fn, const DynptrKern& src, uint32_t offset, uint8_t* dst, uint32_t len,
                       uint64_t flags);
// __bpf_dynptr_write: `len` bytes of `src` to `offset` of the dynptr; 0 or a negative errno.
int64_t dynptr_write_at(Vm& vm, const char* fn, const DynptrKern& dst, uint32_t offset, const uint8_t* src,
                        uint32_t len, uint64_t flags);

} // namespace dynptr
} // namespace bpfplay
