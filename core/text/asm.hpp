#pragma once
// llvm-objdump syntax -> instructions. Accepts pasted `llvm-objdump -d` output as it is:
// index prefixes ("  12:"), hex byte columns, labels ("LBB0_2:", "<LBB0_2>"), section and
// symbol headers, relocation lines and comments are skipped or understood.
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/insn.hpp"

namespace bpfplay {

// Errors are ErrorKind::Parse with where.line set (1-based) and `what` quoting the bad text.
Result<std::vector<Insn>> assemble(std::string_view text);

}  // namespace bpfplay
