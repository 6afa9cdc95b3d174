#pragma once
// Which registers hold a value at each instruction, as the kernel's verifier tracks it
// ("R3 !read_ok"). A read that no path initializes is a load error; a read that only some
// paths initialize makes the program run under the interpreter's checked variant.
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/program.hpp"

namespace bpfplay {

// Returns whether run-time checks are needed (and fills prog.reg_use), or the load error.
Result<bool> analyze_register_init(Program& prog, uint16_t entry_regs, const std::vector<uint32_t>& callx_targets);

}  // namespace bpfplay
