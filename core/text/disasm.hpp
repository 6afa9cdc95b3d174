#pragma once
// Instructions -> llvm-objdump syntax. Never on the execution path.
#include <cstddef>
#include <span>
#include <string>

#include "core/insn.hpp"

namespace bpfplay {

struct DisasmOptions {
    bool show_index = false;   // "       0:\t" prefix as llvm-objdump -d prints it
    bool show_bytes = false;   // the 8 (or 16) hex bytes after the index, as llvm-objdump -d
    bool helper_names = false; // "call 1" -> "call 1 ; bpf_map_lookup_elem" (a comment; still assembles)
};

// Text of the instruction at `index` (an lddw consumes index and index+1), without a newline.
// Returns the number of slots used through *slots (1 or 2) when non-null.
std::string disassemble_one(std::span<const Insn> insns, size_t index, size_t* slots = nullptr,
                            const DisasmOptions& options = {});

// Whole program, one line per instruction (lddw: one line), each ending in '\n'.
std::string disassemble(std::span<const Insn> insns, const DisasmOptions& options = {});

}  // namespace bpfplay
