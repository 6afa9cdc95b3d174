#pragma once
// The 8-byte wire instruction of RFC 9669 and the names of its opcode fields. Nothing else:
// decoding, execution and text conversion each live in their own file.
#include <cstdint>

namespace bpfplay {

struct Insn {
    uint8_t opcode = 0;
    uint8_t dst = 0;  // 4 bits on the wire
    uint8_t src = 0;  // 4 bits on the wire
    int16_t off = 0;
    int32_t imm = 0;
    friend bool operator==(const Insn&, const Insn&) = default;
};

// Little-endian wire form, as RFC 9669 lays it out on a little-endian host.
inline Insn insn_from_bytes(const uint8_t* b) {
    Insn i;
    i.opcode = b[0];
    i.dst = b[1] & 0x0f;
    i.src = b[1] >> 4;
    i.off = int16_t(uint16_t(b[2] | (b[3] << 8)));
    i.imm = int32_t(uint32_t(b[4]) | (uint32_t(b[5]) << 8) | (uint32_t(b[6]) << 16) | (uint32_t(b[7]) << 24));
    return i;
}

inline void insn_to_bytes(const Insn& i, uint8_t* b) {
    b[0] = i.opcode;
    b[1] = uint8_t((i.dst & 0x0f) | (i.src << 4));
    b[2] = uint8_t(uint16_t(i.off));
    b[3] = uint8_t(uint16_t(i.off) >> 8);
    for (int k = 0; k < 4; ++k) b[4 + k] = uint8_t(uint32_t(i.imm) >> (8 * k));
}

namespace op {
// classes (low 3 bits)
constexpr uint8_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03;
constexpr uint8_t kAlu = 0x04, kJmp = 0x05, kJmp32 = 0x06, kAlu64 = 0x07;
// source (bit 3) for ALU/JMP
constexpr uint8_t kK = 0x00, kX = 0x08;
// ALU operations (high 4 bits)
constexpr uint8_t kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40, kAnd = 0x50,
                  kLsh = 0x60, kRsh = 0x70, kNeg = 0x80, kMod = 0x90, kXor = 0xa0, kMov = 0xb0,
                  kArsh = 0xc0, kEnd = 0xd0;
// JMP operations (high 4 bits)
constexpr uint8_t kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40, kJne = 0x50,
                  kJsgt = 0x60, kJsge = 0x70, kCall = 0x80, kExit = 0x90, kJlt = 0xa0, kJle = 0xb0,
                  kJslt = 0xc0, kJsle = 0xd0;
// load/store size (bits 3-4) and mode (bits 5-7)
constexpr uint8_t kW = 0x00, kH = 0x08, kB = 0x10, kDW = 0x18;
constexpr uint8_t kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kMemsx = 0x80, kAtomic = 0xc0;
// atomic operations (imm)
constexpr int32_t kFetch = 0x01, kXchg = 0xe0 | kFetch, kCmpxchg = 0xf0 | kFetch;
// byte swap direction (source bit of BPF_END in the ALU class)
constexpr uint8_t kToLe = 0x00, kToBe = 0x08;
// lddw pseudo sources
constexpr uint8_t kPseudoMapFd = 1, kPseudoMapValue = 2, kPseudoBtfId = 3, kPseudoFunc = 4,
                  kPseudoMapIdx = 5, kPseudoMapIdxValue = 6;
// call pseudo sources
constexpr uint8_t kPseudoCall = 1, kPseudoKfuncCall = 2;

constexpr uint8_t kLddw = kLd | kImm | kDW;  // 0x18
constexpr uint8_t kCallOpcode = kJmp | kCall;  // 0x85

constexpr uint8_t cls(uint8_t opcode) { return opcode & 0x07; }
constexpr uint8_t src_bit(uint8_t opcode) { return opcode & 0x08; }
constexpr uint8_t code(uint8_t opcode) { return opcode & 0xf0; }
constexpr uint8_t size(uint8_t opcode) { return opcode & 0x18; }
constexpr uint8_t mode(uint8_t opcode) { return opcode & 0xe0; }
constexpr uint32_t size_bytes(uint8_t opcode) {
    return size(opcode) == kW ? 4 : size(opcode) == kH ? 2 : size(opcode) == kB ? 1 : 8;
}

// The same fields as the enumerations the ISA defines, for switches: one that lists every
// value and has no `default:` makes -Wswitch name a forgotten case. The code field's 0xe and
// 0xf are no operation in either class: a switch over them ends, and the code after it
// refuses the opcode.
enum class Class : uint8_t { Ld = kLd, Ldx = kLdx, St = kSt, Stx = kStx, Alu = kAlu, Jmp = kJmp, Jmp32 = kJmp32, Alu64 = kAlu64 };
enum class AluCode : uint8_t {
    Add = kAdd >> 4, Sub = kSub >> 4, Mul = kMul >> 4, Div = kDiv >> 4, Or = kOr >> 4, And = kAnd >> 4,
    Lsh = kLsh >> 4, Rsh = kRsh >> 4, Neg = kNeg >> 4, Mod = kMod >> 4, Xor = kXor >> 4, Mov = kMov >> 4,
    Arsh = kArsh >> 4, End = kEnd >> 4,
};
enum class JmpCode : uint8_t {
    Ja = kJa >> 4, Jeq = kJeq >> 4, Jgt = kJgt >> 4, Jge = kJge >> 4, Jset = kJset >> 4, Jne = kJne >> 4,
    Jsgt = kJsgt >> 4, Jsge = kJsge >> 4, Call = kCall >> 4, Exit = kExit >> 4, Jlt = kJlt >> 4, Jle = kJle >> 4,
    Jslt = kJslt >> 4, Jsle = kJsle >> 4,
};
// lddw's src: a plain 64-bit number or one of the kernel's BPF_PSEUDO_* sources. A src past
// kLddwSourceMax is none; check that before switching.
enum class LddwSource : uint8_t {
    Imm = 0, MapFd = kPseudoMapFd, MapValue = kPseudoMapValue, BtfId = kPseudoBtfId, Func = kPseudoFunc,
    MapIdx = kPseudoMapIdx, MapIdxValue = kPseudoMapIdxValue,
};
constexpr uint8_t kLddwSourceMax = kPseudoMapIdxValue;
constexpr Class insn_class(uint8_t opcode) { return Class(cls(opcode)); }
constexpr AluCode alu_code(uint8_t opcode) { return AluCode(opcode >> 4); }
constexpr JmpCode jmp_code(uint8_t opcode) { return JmpCode(opcode >> 4); }
}  // namespace op

constexpr uint32_t kMaxInsns = 1'000'000;  // BPF_COMPLEXITY_LIMIT_INSNS
constexpr int kMaxCallFrames = 8;          // MAX_CALL_FRAMES
constexpr uint32_t kStackSize = 512;       // MAX_BPF_STACK
constexpr int kMaxTailCalls = 33;          // MAX_TAIL_CALL_CNT
// Frames a run may nest at once. The verifier limits each program to kMaxCallFrames, but a tail
// call made from a subprogram keeps the frames of that subprogram's callers: the target starts in
// the subprogram's frame and, when it exits, returns to the subprogram's caller. Each of the 33
// tail calls can so add up to 7 frames (the kernel runs 34 nested programs this way).
constexpr int kMaxRunFrames = kMaxCallFrames + kMaxTailCalls * (kMaxCallFrames - 1);

}  // namespace bpfplay
