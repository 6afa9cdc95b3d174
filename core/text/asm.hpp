#pragma once
// llvm-objdump syntax -> instructions. Accepts pasted `llvm-objdump -d` output as it is:
// index prefixes ("  12:"), hex byte columns, labels ("LBB0_2:", "<LBB0_2>"), section and
// symbol headers, relocation lines and comments are skipped or understood.
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/insn.hpp"

namespace bpfplay {

// The syntax itself is defined once, in core/text/syntax.cpp, for both directions. Beyond it:
// - numbers may be decimal or 0x-hex; 32-bit operations also take 2^31..2^32-1 (same bits);
// - memory operations take wN for rN ("w1 = *(u8 *)(r2 + 0)"), as LLVM's alu32 output has it;
// - "call N" is a helper call for N >= 0 and a local call (src 1) for N < 0, the only local
//   call llvm-objdump prints for an object file ("call -1"); "call pc+N" is a local call with
//   any offset, "call kfunc(N)" a kfunc call, "call helper(N)" a helper call with any id;
// - "call NAME" calls the label NAME if there is one, else the kernel helper NAME;
//   "call NAME#ID" (kernel verifier syntax) is the helper, checked against the id;
// - jump targets may be labels ("LBB0_2:" lines or llvm-objdump's "<LBB0_2>:" headers);
// - with a hex byte column, "<unknown>" lines take their bytes, and so do lines whose text
//   llvm-objdump 14 prints lossily (32-bit fetch-add, ld_pseudo, ld_ind offsets, call kinds,
//   callx); otherwise the text decides.
// Errors are ErrorKind::Parse with where.line set (1-based) and `what` quoting the bad text.
Result<std::vector<Insn>> assemble(std::string_view text);

}  // namespace bpfplay
