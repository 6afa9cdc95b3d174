#pragma once
// The dynptr helpers (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c): a struct bpf_dynptr is 16
// bytes on the program's stack, laid out as the kernel's struct bpf_dynptr_kern:
//
//   bytes 0-7    data    the address of the memory (here: its bpfplay virtual address)
//   bytes 8-11   size    bits 0-23 the size, bits 28-30 the enum bpf_dynptr_type, bit 31 read-only
//   bytes 12-15  offset  where the dynptr's view starts in that memory
//
// An invalid dynptr (a failed bpf_dynptr_from_mem or bpf_ringbuf_reserve_dynptr, or one that
// was submitted or discarded) is 16 zero bytes, as the kernel's bpf_dynptr_set_null leaves it.
// What the kernel's verifier refuses (a dynptr not on the stack, one used before it is made,
// released twice, written over, or still reserved at exit) stops the run with the verifier's
// message; the run's dynptrs are tracked in Host::dynptrs (core/host/dynptr_table.hpp) for that.
#include <cstdint>
#include <optional>
#include <span>

#include "core/error.hpp"
#include "core/helpers/registry.hpp"

namespace bpfplay {

class Vm;

// include/linux/bpf.h (Linux 6.18).
constexpr uint32_t kDynptrBytes = 16;               // sizeof(struct bpf_dynptr)
constexpr uint32_t kDynptrMaxSize = (1u << 24) - 1; // DYNPTR_MAX_SIZE
constexpr uint32_t kDynptrSizeMask = 0xffffff;      // DYNPTR_SIZE_MASK
constexpr uint32_t kDynptrTypeShift = 28;           // DYNPTR_TYPE_SHIFT
constexpr uint32_t kDynptrRdonlyBit = 1u << 31;     // DYNPTR_RDONLY_BIT

namespace helper_id {
constexpr int32_t kDynptrFromMem = 197;
constexpr int32_t kRingbufReserveDynptr = 198;
constexpr int32_t kRingbufSubmitDynptr = 199;
constexpr int32_t kRingbufDiscardDynptr = 200;
constexpr int32_t kDynptrRead = 201;
constexpr int32_t kDynptrWrite = 202;
constexpr int32_t kDynptrData = 203;
} // namespace helper_id

// bpf_dynptr_from_mem (197), bpf_ringbuf_reserve_dynptr (198), bpf_ringbuf_submit_dynptr (199),
// bpf_ringbuf_discard_dynptr (200), bpf_dynptr_read (201), bpf_dynptr_write (202),
// bpf_dynptr_data (203).
std::span<const HelperImpl> dynptr_helper_impls();

// What the verifier checks where the main program exits: a ring buffer dynptr still reserved,
// or a kernel object reference still held (kernel_refs.hpp), is an error ("Unreleased reference"). The runner sets it as the Vm's exit check.
std::optional<Error> dynptr_exit_check(Vm& vm);

// For bpf_tail_call: the verifier refuses a tail call while a ring buffer dynptr is reserved
// or a kernel object reference is held ("tail_call would lead to reference leak"). nullopt when none is.
std::optional<Error> dynptr_tail_call_check(Vm& vm);

} // namespace bpfplay
