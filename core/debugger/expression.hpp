#pragma once
// The little expression language of breakpoint conditions and memory commands:
//   r1 == 0x800      r2 > 10 && r3 != 0      r10-16      (r1 & 0xff) == 6     s(r0) < 0
// Registers r0..r10 (also `fp` for r10), decimal/hex numbers, + - * & | ^ << >>, comparisons
// == != < <= > >= (unsigned; wrap an operand in s(...) to compare signed), && || !, parens.
// Values are 64-bit; comparisons give 0 or 1.
#include <array>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"

namespace bpfplay {

Result<uint64_t> evaluate_expression(std::string_view text, const std::array<uint64_t, 11>& regs);

}  // namespace bpfplay
