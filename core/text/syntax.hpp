#pragma once
// The single definition of the instruction syntax, read by both the disassembler and the
// assembler. Each Form is one opcode, the values it fixes for the fields its text does not
// show, and a template whose {holes} stand for the fields that vary:
//
//   {rd} {wd} {rs} {ws}  dst/src register as rN / wN
//   {Rd} {Wd} {Rs} {Ws}  the same, printed as rN / wN but read in either spelling (memory
//                        operations, where the size says everything and objdump prints rN)
//   {ri}                 register number kept in imm (old callx encoding; printed only)
//   {imm}                imm, signed 32-bit decimal
//   {imm32}              imm of a 32-bit operation; may be written as unsigned (0xffffffff)
//   {uimm} {nimm}        imm >= 0 / imm < 0 (tell a helper call from a local call)
//   {simm}               imm with its sign always written: "+5"
//   {imm2}               imm of the second lddw slot
//   {imm64}              the 64-bit lddw constant
//   {off}                off as a jump offset "+N"/"-N" (a label when assembling)
//   {joff}               imm as a jump offset (gotol)
//   {moff}               off inside "(rX + N)": "+ N" / "- N"
//   {ioff}               imm after the register of "skb[rX]": "", " + N" or " - N"
//   {ll}                 "ll", optional when reading
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/insn.hpp"
#include "core/text/lexer.hpp"

namespace bpfplay::text {

enum class Hole : uint8_t {
    DstR,
    DstW,
    DstAnyR,
    DstAnyW,
    SrcR,
    SrcW,
    SrcAnyR,
    SrcAnyW,
    ImmReg,
    Imm,
    Imm32,
    ImmNonNeg,
    ImmNeg,
    ImmSigned,
    Imm2,
    Imm64,
    JumpOff,
    JumpImm,
    MemOff,
    IndOff,
    Ll,
};

// Bits of Form::fields: which instruction fields the holes carry.
enum : uint8_t { kFieldDst = 1, kFieldSrc = 2, kFieldOff = 4, kFieldImm = 8, kFieldImm2 = 16 };

uint8_t hole_fields(Hole h);
bool hole_from_name(std::string_view name, Hole& out);

struct PatternItem {
    bool is_hole;
    Hole hole;
    Token token; // literal token when !is_hole
};

struct Form {
    enum class Use : uint8_t { Both, DisasmOnly, AsmOnly };

    uint8_t opcode = 0;
    std::string text; // the template
    uint8_t dst = 0, src = 0;
    int16_t off = 0;
    int32_t imm = 0;   // fixed values of the fields no hole carries
    bool wide = false; // lddw: a second slot of zeros except what {imm2}/{imm64} carry
    Use use = Use::Both;
    uint8_t fields = 0;               // kField* bits set by the holes
    std::vector<PatternItem> pattern; // the template lexed, for matching
};

// All forms, in the order both directions try them: the first form that fits wins.
const std::vector<Form>& forms();

// The template with its holes as a reader would fill them in: "r0 = cmpxchg_64(rN + OFF, r0, rN)".
std::string describe(const Form& f);

// The forms of one opcode, in table order.
std::span<const Form* const> forms_for_opcode(uint8_t opcode);

} // namespace bpfplay::text
