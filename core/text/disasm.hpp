#pragma once
// Instructions -> llvm-objdump syntax. Never on the execution path.
#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "core/insn.hpp"

namespace bpfplay {

struct DisasmOptions {
    bool show_index = false;   // "       0:\t" prefix as llvm-objdump -d prints it
    bool show_bytes = false;   // the 8 (or 16) hex bytes after the index, as llvm-objdump -d
    bool helper_names = false; // "call 1" -> "call 1 ; bpf_map_lookup_elem" (a comment; still assembles)
    // With helper_names: a kfunc call's kfunc by its instruction index ("call kfunc(7) ;
    // bpf_iter_num_new"), "" when unknown. Only the object that holds the call can name it.
    std::function<std::string(size_t index)> kfunc_name;
};

// The text is what llvm-objdump 14 prints, byte for byte, wherever it prints the instruction
// correctly; where it cannot (ISA v4, jset, mod, store-immediate, 32-bit atomics, lddw pseudo
// sources), newer LLVM's spelling or the kernel's names (see core/text/syntax.cpp). Anything
// that is no valid instruction prints as "<unknown opcode 0xNN>", "<invalid 0xNN: dst=...>" or
// "<truncated lddw>", which the assembler rejects (or, with show_bytes, reads from the bytes).
//
// Text of the instruction at `index` (an lddw consumes index and index+1), without a newline.
// Returns the number of slots used through *slots (1 or 2) when non-null.
std::string disassemble_one(std::span<const Insn> insns, size_t index, size_t* slots = nullptr,
                            const DisasmOptions& options = {});

// Whole program, one line per instruction (lddw: one line), each ending in '\n'.
std::string disassemble(std::span<const Insn> insns, const DisasmOptions& options = {});

}  // namespace bpfplay
