#pragma once
// Which addresses the emulated kernel's copy_from_kernel_nofault_allowed() accepts, for
// bpf_probe_read_kernel and the kfuncs that read `__ign` pointers the verifier does not check
// (core/run/string_kfuncs.cpp explains the mapping): bpfplay's windows are kernel memory, and so is x86-64's kernel half
// (where nothing is readable); NULL, small numbers, user memory and non-canonical addresses
// are not (-ERANGE).
#include <cstdint>

#include "core/memory.hpp"

namespace bpfplay {

constexpr uint64_t kKernelHalfStart = 0xffff800000000000ull;

constexpr bool kernel_address(uint64_t addr) {
    return addr >= kKernelHalfStart || (addr >= window_base(1) && addr < window_base(window::kCount));
}

} // namespace bpfplay
