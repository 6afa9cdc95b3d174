#pragma once
// What `run` and `plugin` share: decode in raw-memory mode (r1 = memory, r2 = its length)
// and build a VM over a private copy of the memory.
#include <cstdint>
#include <span>
#include <vector>

#include "core/decode.hpp"
#include "core/helpers/registry.hpp"

namespace bpfplay::cli {

// r1 = memory, r2 = length, r10 = frame pointer hold values at entry.
constexpr uint16_t kRawMemoryEntryRegs = (1u << 1) | (1u << 2) | (1u << 10);

inline Result<Program> decode_raw_memory_program(std::span<const Insn> insns, const HelperRegistry& helpers) {
    DecodeOptions options;
    options.helpers = &helpers;
    options.entry_regs = kRawMemoryEntryRegs;
    return decode(insns, options);
}

} // namespace bpfplay::cli
