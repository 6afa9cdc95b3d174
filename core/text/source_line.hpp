#pragma once
// One line of assembler input taken apart: what llvm-objdump -d (or -dr, -S, --no-show-raw-insn)
// puts around the instruction text is recognised and set aside here, so the assembler proper
// only sees labels, an instruction's text and, when present, its hex bytes.
#include <cstdint>
#include <string_view>
#include <vector>

namespace bpfplay::text {

struct SourceLine {
    std::vector<std::string_view> labels; // "LBB0_2:" definitions, in order
    std::string_view symbol;              // "0000000000000020 <LBB1_2>:" header: "LBB1_2"
    std::string_view text;                // the instruction, trimmed; empty if none
    uint8_t bytes[16] = {};
    size_t byte_count = 0; // 0, 8 or 16: the hex byte column
};

// Never fails: anything it does not recognise is left in `text` for the assembler to judge.
SourceLine split_line(std::string_view raw);

} // namespace bpfplay::text
