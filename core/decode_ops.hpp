#pragma once
// Opcode byte (+ fields) -> Op, with the kernel's reserved-field rules; and the facts about an
// Op that the decoder, the register analysis and the checked interpreter share.
#include <cstdint>

#include "core/error.hpp"
#include "core/insn.hpp"
#include "core/program.hpp"

namespace bpfplay {

enum class OpFamily : uint8_t {
    Alu, Jump, Call, Exit, Lddw, LddwTail, LegacyLoad, Load, Store, Atomic, AtomicFetch, Cmpxchg
};

OpFamily op_family(Op op);

// Resolves the opcode and checks the fields it must leave zero. Errors carry no pc.
// `legacy_packet`: ld abs/ind are allowed (socket filters and TC programs).
Result<Op> classify(const Insn& insn, bool legacy_packet = false);

// Registers an instruction reads and writes, as bit masks (bit i = ri). Calls: a helper reads
// r1..r<nargs> and writes r0 (the caller clears r1-r5); a local call reads nothing itself.
struct RegUse {
    uint16_t reads = 0;
    uint16_t writes = 0;
};
RegUse reg_use(const DecodedInsn& d, const Program& prog);

constexpr uint16_t kArgRegs = 0x3e;         // r1..r5
constexpr uint16_t kCalleeSaved = 0x3c0;    // r6..r9
constexpr uint16_t kFramePointer = 1u << 10;

}  // namespace bpfplay
