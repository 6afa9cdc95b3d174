#!/usr/bin/env python3
"""Writes tests/conformance/data/*.data.  Expected values are written by hand in the tables
below; an independent Python model of the RFC 9669 semantics cross-checks every one of them
(a mismatch aborts generation, so a typo in a hand-written value cannot slip through)."""
import os
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/work/main/tests/conformance/data"
M64 = (1 << 64) - 1
M32 = (1 << 32) - 1

SEC_ALU = "RFC 9669 4.1 (Arithmetic Instructions)"
SEC_END = "RFC 9669 4.2 (Byte Swap Instructions)"
SEC_JMP = "RFC 9669 4.3 (Jump Instructions)"
SEC_MEM = "RFC 9669 5.1 (Regular Load and Store Operations)"
SEC_MEMSX = "RFC 9669 5.2 (Sign-Extension Load Operations)"
SEC_ATOMIC = "RFC 9669 5.3 (Atomic Operations)"
SEC_LDDW = "RFC 9669 5.4 (64-bit Immediate Instructions)"

files = {}


def s64(x):
    x &= M64
    return x - (1 << 64) if x >> 63 else x


def s32(x):
    x &= M32
    return x - (1 << 32) if x >> 31 else x


def imm_fits(v):
    return -(2**31) <= v < 2**31


def num(v):
    """An immediate as text: decimal for small or negative values, hex otherwise."""
    if v < 0 or v < 4096:
        return str(v)
    return hex(v)


def ld(reg, v):
    """Load a full 64-bit value into rN: mov (sign-extended imm) when it fits, else lddw."""
    v &= M64
    sv = s64(v)
    if imm_fits(sv):
        return f"{reg} = {num(sv)}"
    return f"{reg} = {hex(v)} ll"


def emit(name, comment, asm, result=None, mem=None, error=None):
    assert name not in files, name
    assert (result is None) != (error is None)
    lines = []
    for c in comment.strip().split("\n"):
        lines.append("# " + c.strip())
    lines.append("-- asm")
    lines.extend(asm)
    if mem is not None:
        lines.append("-- mem")
        for i in range(0, len(mem), 16):
            lines.append(" ".join(f"{b:02x}" for b in mem[i:i + 16]))
    if result is not None:
        lines.append("-- result")
        lines.append(hex(result & M64))
    else:
        lines.append("-- error")
        lines.append(error)
    files[name] = "\n".join(lines) + "\n"


# ---------------------------------------------------------------- reference model (RFC 9669)
def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def alu(op, w, d, s):
    M = M64 if w == 64 else M32
    sx = s64 if w == 64 else s32
    a, b = d & M, s & M
    sa, sb = sx(a), sx(b)
    if op == "add":
        r = a + b
    elif op == "sub":
        r = a - b
    elif op == "mul":
        r = a * b
    elif op == "div":
        r = a // b if b else 0
    elif op == "sdiv":
        r = trunc_div(sa, sb) if sb else 0
    elif op == "mod":
        r = a % b if b else a
    elif op == "smod":
        r = sa - sb * trunc_div(sa, sb) if sb else a
    elif op == "or":
        r = a | b
    elif op == "and":
        r = a & b
    elif op == "xor":
        r = a ^ b
    elif op == "lsh":
        r = a << (b & (w - 1))
    elif op == "rsh":
        r = a >> (b & (w - 1))
    elif op == "arsh":
        r = sa >> (b & (w - 1))
    elif op == "mov":
        r = b
    else:
        raise ValueError(op)
    return r & M


def cond(c, w, a, b):
    M = M64 if w == 64 else M32
    sx = s64 if w == 64 else s32
    ua, ub = a & M, b & M
    sa, sb = sx(ua), sx(ub)
    return {
        "jeq": ua == ub, "jne": ua != ub, "jgt": ua > ub, "jge": ua >= ub, "jlt": ua < ub,
        "jle": ua <= ub, "jsgt": sa > sb, "jsge": sa >= sb, "jslt": sa < sb, "jsle": sa <= sb,
        "jset": (ua & ub) != 0,
    }[c]


# ---------------------------------------------------------------- ALU
OPSYM = {"add": "+=", "sub": "-=", "mul": "*=", "div": "/=", "sdiv": "s/=", "mod": "%=",
         "smod": "s%=", "or": "|=", "and": "&=", "xor": "^=", "lsh": "<<=", "rsh": ">>=",
         "arsh": "s>>=", "mov": "="}
OPNAME = {"add": "BPF_ADD", "sub": "BPF_SUB", "mul": "BPF_MUL", "div": "BPF_DIV (offset 0)",
          "sdiv": "BPF_DIV with offset 1 (SDIV)", "mod": "BPF_MOD (offset 0)",
          "smod": "BPF_MOD with offset 1 (SMOD)", "or": "BPF_OR", "and": "BPF_AND",
          "xor": "BPF_XOR", "lsh": "BPF_LSH", "rsh": "BPF_RSH", "arsh": "BPF_ARSH", "mov": "BPF_MOV"}


def alu_case(w, op, src, slug, dst, sv, expected, why):
    """w: 32/64; src: 'imm' or 'reg'; dst: full 64-bit start value of r0; sv: imm (signed int)
    or the full 64-bit value of r1; expected: hand-computed r0."""
    cls = "ALU64" if w == 64 else "ALU"
    r = "r" if w == 64 else "w"
    if src == "imm":
        assert imm_fits(sv), (slug, sv)
        operand = sv & M64 if w == 64 else sv & M32  # imm sign-extended for ALU64
        asm_op = f"{r}0 {OPSYM[op]} {num(sv)}"
        setup = [ld("r0", dst)] if op != "mov" else []
    else:
        operand = sv
        asm_op = f"{r}0 {OPSYM[op]} {r}1"
        setup = ([ld("r0", dst)] if op != "mov" else []) + [ld("r1", sv)]
    model = alu(op, w, dst, operand)
    assert model == expected & M64, (w, op, src, slug, hex(model), hex(expected))
    name = f"alu{w}-{op}-{src}-{slug}"
    comment = f"{OPNAME[op]} {cls} {'K' if src == 'imm' else 'X'}: {why}\n{SEC_ALU}"
    emit(name, comment, setup + [asm_op, "exit"], result=expected)


A = alu_case
X1 = 0x123456789abcdef0
# --- add
A(64, "add", "imm", "basic", 5, 3, 8, "5 + 3")
A(64, "add", "imm", "negative-imm", 5, -10, -5, "the imm is sign-extended to 64 bits: 5 + (-10) = -5")
A(64, "add", "imm", "wrap", -1, 2, 1, "0xffffffffffffffff + 2 wraps to 1")
A(64, "add", "reg", "basic", 0x100000000, 0x200000001, 0x300000001, "full 64-bit addition")
A(64, "add", "reg", "carry-into-upper", 0xffffffff, 1, 0x100000000, "carry out of bit 31 reaches bit 32")
A(32, "add", "imm", "basic", 5, 3, 8, "5 + 3")
A(32, "add", "imm", "clears-upper", -1, 2, 1, "0xffffffff + 2 = 1 in 32 bits; the upper half of r0 is zeroed")
A(32, "add", "imm", "negative-imm", 5, -10, 0xfffffffb, "5 + (-10) = 0xfffffffb, zero-extended (not sign-extended) to 64 bits")
A(32, "add", "reg", "basic", 0x1122334400000005, 0xaabbccdd00000003, 8, "only the low 32 bits of both operands take part")
A(32, "add", "reg", "no-carry-out", 0xffffffff, 1, 0, "0xffffffff + 1 = 0: no carry into bit 32")
# --- sub
A(64, "sub", "imm", "basic", 10, 3, 7, "10 - 3")
A(64, "sub", "imm", "underflow", 0, 1, M64, "0 - 1 = 0xffffffffffffffff")
A(64, "sub", "imm", "negative-imm", 1, -1, 2, "1 - (-1) = 2 (imm sign-extended)")
A(64, "sub", "reg", "basic", 0x300000000, 0x100000001, 0x1ffffffff, "full 64-bit subtraction with borrow")
A(32, "sub", "imm", "underflow", 0, 1, 0xffffffff, "0 - 1 = 0xffffffff, upper half zero")
A(32, "sub", "imm", "basic", 0xffffffff0000000a, 3, 7, "10 - 3; the upper half of r0 is ignored and zeroed")
A(32, "sub", "reg", "basic", 0x500000000, 0x100000001, 0xffffffff, "0 - 1 on the low halves = 0xffffffff")
# --- mul
A(64, "mul", "imm", "basic", 7, 6, 42, "7 * 6")
A(64, "mul", "imm", "negative-imm", 3, -2, -6, "3 * (-2) = -6 (imm sign-extended)")
A(64, "mul", "reg", "wrap", 0x100000001, 0x100000001, 0x200000001, "(2^32+1)^2 mod 2^64 = 0x200000001")
A(64, "mul", "reg", "basic", 0x10000, 0x10000, 0x100000000, "0x10000 * 0x10000 = 2^32")
A(32, "mul", "imm", "negative-imm", 3, -2, 0xfffffffa, "3 * (-2) in 32 bits = 0xfffffffa, zero-extended")
A(32, "mul", "imm", "basic", 0x700000007, 6, 42, "7 * 6; upper half of r0 ignored")
A(32, "mul", "reg", "wrap", 0x10000, 0x10000, 0, "0x10000 * 0x10000 = 2^32, truncated to 0 in 32 bits")
A(32, "mul", "reg", "upper-bits-ignored", 0xffffffff00000003, 0x1200000004, 12, "3 * 4; the upper halves do not take part")
# --- div (unsigned)
A(64, "div", "imm", "basic", 100, 7, 14, "100 / 7 = 14 (truncated)")
A(64, "div", "imm", "negative-imm-is-huge", 10, -1, 0,
  "the imm -1 is sign-extended to 0xffffffffffffffff and divides unsigned: 10 / (2^64-1) = 0")
A(64, "div", "imm", "negative-imm-max", -1, -1, 1, "0xffffffffffffffff / 0xffffffffffffffff = 1 (unsigned)")
A(64, "div", "imm", "negative-imm-2", -1, -2, 1, "0xffffffffffffffff / 0xfffffffffffffffe = 1 (unsigned)")
A(64, "div", "imm", "by-zero", 42, 0, 0, "division by zero sets the destination to 0")
A(64, "div", "reg", "basic", 0x8000000000000000, 2, 0x4000000000000000, "unsigned: 2^63 / 2 = 2^62")
A(64, "div", "reg", "unsigned-dividend", -2, 2, 0x7fffffffffffffff, "0xfffffffffffffffe / 2 is unsigned")
A(64, "div", "reg", "by-zero", 42, 0, 0, "division by a zero register sets the destination to 0")
A(64, "div", "reg", "high-divisor", 0x300000000, 0x100000000, 3, "a divisor with only upper bits set is not zero in 64 bits")
A(32, "div", "imm", "basic", 100, 7, 14, "100 / 7 = 14")
A(32, "div", "imm", "upper-dividend-ignored", 0x100000010, 2, 8, "only the low 32 bits of r0 (0x10) are divided")
A(32, "div", "imm", "negative-imm-is-u32", 0xffffffff, -1, 1, "for ALU the imm is a 32-bit unsigned value: 0xffffffff / 0xffffffff = 1")
A(32, "div", "imm", "negative-imm-small", 10, -2, 0, "10 / 0xfffffffe = 0 (unsigned 32-bit)")
A(32, "div", "imm", "by-zero", 0xffffffff00000005, 0, 0, "division by zero sets the destination (all 64 bits) to 0")
A(32, "div", "reg", "basic", 0xfffffffe, 2, 0x7fffffff, "0xfffffffe / 2 unsigned")
A(32, "div", "reg", "by-zero", 0xffffffff00000005, 0, 0, "division by a zero register gives 0")
A(32, "div", "reg", "high-divisor-is-zero", 5, 0x100000000, 0,
  "the divisor's low 32 bits are 0: that is a division by zero in 32 bits, result 0")
A(32, "div", "reg", "high-divisor-ignored", 12, 0x100000003, 4, "only the divisor's low 32 bits (3) are used")
# --- sdiv
A(64, "sdiv", "imm", "negative-imm", 10, -3, -3, "10 s/ -3 = -3 (truncation toward zero)")
A(64, "sdiv", "imm", "negative-dividend", -10, 3, -3, "-10 s/ 3 = -3 (truncation toward zero)")
A(64, "sdiv", "imm", "both-negative", -10, -3, 3, "-10 s/ -3 = 3")
A(64, "sdiv", "imm", "intmin-by-minus1", 0x8000000000000000, -1, 0x8000000000000000,
  "LLONG_MIN s/ -1 overflows and gives LLONG_MIN")
A(64, "sdiv", "imm", "by-zero", -7, 0, 0, "signed division by zero also gives 0")
A(64, "sdiv", "reg", "negative", -100, 7, -14, "-100 s/ 7 = -14")
A(64, "sdiv", "reg", "intmin-by-minus1", 0x8000000000000000, M64, 0x8000000000000000, "LLONG_MIN s/ -1 = LLONG_MIN")
A(64, "sdiv", "reg", "by-zero", -7, 0, 0, "signed division by a zero register gives 0")
A(64, "sdiv", "reg", "both-negative", -9, -2, 4, "-9 s/ -2 = 4 (truncation toward zero)")
A(32, "sdiv", "imm", "negative-dividend", 0x12345678fffffff6, 3, 0xfffffffd,
  "low half -10 s/ 3 = -3 = 0xfffffffd, zero-extended; the upper half of r0 is ignored")
A(32, "sdiv", "imm", "negative-imm", 10, -3, 0xfffffffd, "for ALU SDIV the imm is a signed 32-bit value: 10 s/ -3 = -3")
A(32, "sdiv", "imm", "intmin-by-minus1", 0x80000000, -1, 0x80000000, "INT_MIN s/ -1 = INT_MIN in 32 bits, zero-extended")
A(32, "sdiv", "imm", "by-zero", 0xfffffff6, 0, 0, "signed 32-bit division by zero gives 0")
A(32, "sdiv", "reg", "both-negative", 0xfffffff6, 0xfffffffd, 3, "-10 s/ -3 = 3, using the low 32 bits as s32")
A(32, "sdiv", "reg", "intmin-by-minus1", 0x80000000, 0xffffffff, 0x80000000, "INT_MIN s/ -1 = INT_MIN")
A(32, "sdiv", "reg", "by-zero", 0xfffffff6, 0x100000000, 0, "the divisor's low 32 bits are 0: division by zero gives 0")
A(32, "sdiv", "reg", "low-half-signed", 0xfffffff6, 0x2, 0xfffffffb,
  "0x00000000fffffff6 is -10 as s32 even though it is positive as s64: -10 s/ 2 = -5")
# --- mod (unsigned)
A(64, "mod", "imm", "basic", 100, 7, 2, "100 % 7 = 2")
A(64, "mod", "imm", "negative-imm", -1, -2, 1, "imm -2 sign-extends to 0xfffffffffffffffe: (2^64-1) % (2^64-2) = 1")
A(64, "mod", "imm", "negative-imm-larger", 10, -1, 10, "10 % 0xffffffffffffffff = 10")
A(64, "mod", "imm", "by-zero", 0x123456789, 0, 0x123456789, "ALU64 modulo by zero leaves the destination unchanged")
A(64, "mod", "reg", "basic", 0x8000000000000001, 0x10, 1, "unsigned 64-bit remainder")
A(64, "mod", "reg", "by-zero", X1, 0, X1, "ALU64 modulo by a zero register leaves the destination unchanged")
A(64, "mod", "reg", "unsigned-dividend", -1, 10, 5, "0xffffffffffffffff % 10 = 5 (unsigned)")
A(32, "mod", "imm", "basic", 100, 7, 2, "100 % 7 = 2")
A(32, "mod", "imm", "negative-imm", 0xffffffff, -2, 1, "imm -2 is 0xfffffffe as u32: 0xffffffff % 0xfffffffe = 1")
A(32, "mod", "imm", "by-zero", X1, 0, 0x9abcdef0, "ALU modulo by zero keeps the low 32 bits and zeroes the upper half")
A(32, "mod", "imm", "upper-dividend-ignored", 0x100000011, 5, 2, "only the low half (0x11 = 17) is used: 17 % 5 = 2")
A(32, "mod", "reg", "basic", 0xffffffff, 10, 5, "0xffffffff % 10 = 5")
A(32, "mod", "reg", "by-zero", X1, 0, 0x9abcdef0, "ALU modulo by a zero register: upper 32 bits of the destination zeroed")
A(32, "mod", "reg", "high-divisor-is-zero", X1, 0x500000000, 0x9abcdef0,
  "the divisor's low 32 bits are 0: modulo by zero, destination truncated to 32 bits")
# --- smod
A(64, "smod", "imm", "negative-dividend", -10, 3, -1, "-10 s% 3 = -1: the remainder takes the dividend's sign")
A(64, "smod", "imm", "negative-imm", 10, -3, 1, "10 s% -3 = 1")
A(64, "smod", "imm", "both-negative", -10, -3, -1, "-10 s% -3 = -1")
A(64, "smod", "imm", "intmin-by-minus1", 0x8000000000000000, -1, 0, "LLONG_MIN s% -1 = 0")
A(64, "smod", "imm", "by-zero", -10, 0, -10, "ALU64 signed modulo by zero leaves the destination unchanged")
A(64, "smod", "reg", "negative-dividend", -13, 3, -1, "-13 s% 3 = -1 (truncated division, as in C)")
A(64, "smod", "reg", "intmin-by-minus1", 0x8000000000000000, M64, 0, "LLONG_MIN s% -1 = 0")
A(64, "smod", "reg", "by-zero", -10, 0, -10, "signed modulo by a zero register leaves the destination unchanged")
A(64, "smod", "reg", "positive", 13, -3, 1, "13 s% -3 = 1")
A(32, "smod", "imm", "negative-dividend", 0x12345678fffffff6, 3, 0xffffffff,
  "low half -10 s% 3 = -1 = 0xffffffff, zero-extended")
A(32, "smod", "imm", "negative-imm", 10, -3, 1, "10 s% -3 = 1")
A(32, "smod", "imm", "intmin-by-minus1", 0x80000000, -1, 0, "INT_MIN s% -1 = 0")
A(32, "smod", "imm", "by-zero", 0xabcdef01fffffff6, 0, 0xfffffff6,
  "ALU signed modulo by zero keeps the low 32 bits, upper half zeroed")
A(32, "smod", "reg", "both-negative", 0xfffffff3, 0xfffffffd, 0xffffffff, "-13 s% -3 = -1")
A(32, "smod", "reg", "intmin-by-minus1", 0x80000000, 0xffffffff, 0, "INT_MIN s% -1 = 0")
A(32, "smod", "reg", "by-zero", 0xabcdef01fffffff6, 0xffffffff00000000, 0xfffffff6,
  "divisor low half 0: modulo by zero keeps the low 32 bits, upper half zeroed")
# --- or / and / xor
A(64, "or", "imm", "basic", 0xf0, 0x0f, 0xff, "0xf0 | 0x0f")
A(64, "or", "imm", "negative-imm", 0, -0x10000, 0xffffffffffff0000, "the imm is sign-extended: 0 | 0xffffffffffff0000")
A(64, "or", "reg", "basic", 0xff00000000000000, 0xff, 0xff000000000000ff, "full 64-bit or")
A(32, "or", "imm", "basic", 0xff00000000000000, 0x0f, 0x0f, "32-bit or: upper half of the result zero")
A(32, "or", "imm", "negative-imm", 0, -0x10000, 0xffff0000, "imm used as 32 bits: 0 | 0xffff0000, zero-extended")
A(32, "or", "reg", "basic", 0x1100000001, 0x2200000002, 3, "only low halves: 1 | 2")
A(64, "and", "imm", "basic", 0xff, 0x0f, 0x0f, "0xff & 0x0f")
A(64, "and", "imm", "negative-imm", X1, -0x10000, 0x123456789abc0000, "imm -0x10000 sign-extends to 0xffffffffffff0000")
A(64, "and", "imm", "positive-imm-clears-upper", X1, 0x7fffffff, 0x1abcdef0, "imm 0x7fffffff has no upper bits")
A(64, "and", "reg", "basic", X1, 0xffff0000ffff0000, 0x123400009abc0000, "full 64-bit and")
A(32, "and", "imm", "negative-imm", M64, -2, 0xfffffffe, "32-bit and with 0xfffffffe; upper half zeroed")
A(32, "and", "reg", "basic", X1, M64, 0x9abcdef0, "and with all ones keeps the low 32 bits only")
A(64, "xor", "imm", "negative-imm", X1, -1, X1 ^ M64, "xor with sign-extended -1 inverts all 64 bits")
A(64, "xor", "reg", "basic", X1, X1, 0, "x ^ x = 0")
A(64, "xor", "imm", "basic", 0xff, 0x0f, 0xf0, "0xff ^ 0x0f")
A(32, "xor", "imm", "negative-imm", X1, -1, 0x6543210f, "32-bit xor with 0xffffffff inverts the low half, zeroes the upper")
A(32, "xor", "reg", "basic", 0xffffffff000000ff, 0x0f, 0xf0, "0xff ^ 0x0f, upper half zeroed")
# --- shifts
A(64, "lsh", "imm", "basic", 1, 4, 0x10, "1 << 4")
A(64, "lsh", "imm", "by-63", 1, 63, 0x8000000000000000, "1 << 63")
A(64, "lsh", "imm", "out-of-bits", 0xffffffff, 32, 0xffffffff00000000, "bits shifted past bit 63 are lost")
A(64, "lsh", "reg", "by-63", 3, 63, 0x8000000000000000, "3 << 63")
A(64, "lsh", "reg", "by-64-masked", X1, 64, X1, "64-bit shift amounts are masked with 0x3f: << 64 is << 0")
A(64, "lsh", "reg", "by-65-masked", 1, 65, 2, "65 & 0x3f = 1")
A(64, "lsh", "reg", "high-amount-masked", 1, 0x100000004, 0x10, "only the low 6 bits of the amount count: << 4")
A(32, "lsh", "imm", "by-31", 1, 31, 0x80000000, "1 << 31 in 32 bits, zero-extended (no sign extension)")
A(32, "lsh", "imm", "clears-upper", 0xfffffffff0000001, 4, 0x10, "bits leaving bit 31 are lost; upper half zeroed")
A(32, "lsh", "reg", "by-32-masked", X1, 32, 0x9abcdef0, "32-bit shift amounts are masked with 0x1f: << 32 is << 0, upper half zeroed")
A(32, "lsh", "reg", "by-33-masked", 1, 33, 2, "33 & 0x1f = 1")
A(32, "lsh", "reg", "by-31", 3, 31, 0x80000000, "3 << 31 in 32 bits")
A(64, "rsh", "imm", "basic", 0x100, 4, 0x10, "0x100 >> 4")
A(64, "rsh", "imm", "logical", M64, 4, 0x0fffffffffffffff, "RSH is logical: zeros enter at the top")
A(64, "rsh", "imm", "by-63", 0x8000000000000000, 63, 1, "2^63 >> 63 = 1")
A(64, "rsh", "reg", "by-64-masked", X1, 64, X1, ">> 64 is >> 0 (mask 0x3f)")
A(64, "rsh", "reg", "by-63", M64, 63, 1, "all ones >> 63 = 1")
A(64, "rsh", "reg", "by-32", X1, 32, 0x12345678, ">> 32 moves the upper half down")
A(32, "rsh", "imm", "logical", M64, 4, 0x0fffffff, "32-bit logical shift of 0xffffffff; upper half zeroed")
A(32, "rsh", "imm", "by-31", 0x80000000, 31, 1, "0x80000000 >> 31 = 1")
A(32, "rsh", "imm", "upper-ignored", 0xff00000000000010, 4, 1, "the upper half is not shifted in: 0x10 >> 4 = 1")
A(32, "rsh", "reg", "by-32-masked", X1, 32, 0x9abcdef0, ">> 32 is >> 0 in 32 bits (mask 0x1f), upper half zeroed")
A(32, "rsh", "reg", "by-31", 0xffffffff, 31, 1, "0xffffffff >> 31 = 1")
A(64, "arsh", "imm", "negative", -16, 2, -4, "-16 s>> 2 = -4")
A(64, "arsh", "imm", "by-63", 0x8000000000000000, 63, M64, "sign bit fills all 64 bits")
A(64, "arsh", "imm", "positive", 0x80000000, 1, 0x40000000, "0x0000000080000000 is positive in 64 bits")
A(64, "arsh", "reg", "negative", 0xf000000000000000, 4, 0xff00000000000000, "arithmetic right shift of a negative value")
A(64, "arsh", "reg", "by-64-masked", -16, 64, -16, "s>> 64 is s>> 0 (mask 0x3f)")
A(64, "arsh", "reg", "by-63", -2, 63, M64, "-2 s>> 63 = -1")
A(32, "arsh", "imm", "by-31", 0x80000000, 31, 0xffffffff, "0x80000000 s>> 31 = -1 as s32, zero-extended to 0x00000000ffffffff")
A(32, "arsh", "imm", "negative", 0xfffffff0, 2, 0xfffffffc, "-16 s>> 2 = -4 in 32 bits, zero-extended")
A(32, "arsh", "imm", "upper-ignored", 0xffffffff00000010, 1, 8, "the sign is bit 31, not bit 63: 0x10 s>> 1 = 8")
A(32, "arsh", "reg", "negative", 0x80000000, 4, 0xf8000000, "0x80000000 s>> 4 = 0xf8000000")
A(32, "arsh", "reg", "by-32-masked", 0xabcdef0080000000, 32, 0x80000000, "s>> 32 is s>> 0 in 32 bits; upper half zeroed")
A(32, "arsh", "reg", "by-31", 0x7fffffff, 31, 0, "positive s32 >> 31 = 0")
# --- mov
A(64, "mov", "imm", "negative", 0, -1, M64, "the imm is sign-extended to 64 bits")
A(64, "mov", "imm", "positive", 0, 0x7fffffff, 0x7fffffff, "largest positive imm")
A(64, "mov", "imm", "intmin", 0, -0x80000000, 0xffffffff80000000, "imm INT_MIN sign-extends")
A(64, "mov", "reg", "basic", 0, X1, X1, "all 64 bits are copied")
A(32, "mov", "imm", "negative", 0, -1, 0xffffffff, "32-bit mov of -1 gives 0x00000000ffffffff")
A(32, "mov", "imm", "positive", 0, 0x7fffffff, 0x7fffffff, "32-bit mov of a positive imm")
A(32, "mov", "reg", "zero-extends", 0, X1, 0x9abcdef0, "32-bit mov copies the low half and zeroes the upper half")
A(32, "mov", "reg", "negative-low-half", 0, 0xffffffff80000000, 0x80000000, "no sign extension of the low half")

# --- the source register is the destination register
def self_case(w, op, slug, v, expected, why):
    assert alu(op, w, v, v) == expected & M64, (w, op, slug)
    r = "r" if w == 64 else "w"
    emit(f"alu{w}-{op}-reg-self-{slug}", f"{OPNAME[op]} {'ALU64' if w == 64 else 'ALU'} X with src == dst: {why}\n{SEC_ALU}",
         [ld("r0", v), f"{r}0 {OPSYM[op]} {r}0", "exit"], result=expected)


self_case(64, "add", "double", X1, (2 * X1) & M64, "r0 += r0 doubles")
self_case(64, "sub", "zero", X1, 0, "r0 -= r0 = 0")
self_case(64, "mul", "square", 0x100000001, 0x200000001, "r0 *= r0 squares, mod 2^64")
self_case(64, "div", "zero-by-zero", 0, 0, "0 / 0: division by zero gives 0")
self_case(64, "mod", "zero-by-zero", 0, 0, "0 % 0: modulo by zero leaves 0")
self_case(64, "sdiv", "negative", -7, 1, "-7 s/ -7 = 1")
self_case(64, "smod", "negative", -7, 0, "-7 s% -7 = 0")
self_case(64, "lsh", "amount-masked", 65, 130, "r0 <<= r0 with 65: amount 65 & 63 = 1")
self_case(64, "arsh", "negative", -2, M64, "-2 s>> (-2 & 63 = 62) = -1")
self_case(64, "xor", "zero", M64, 0, "r0 ^= r0 = 0")
self_case(32, "mov", "clears-upper", 0xffffffff00000001, 1, "w0 = w0 is not a no-op: it zeroes the upper half")
self_case(32, "and", "clears-upper", 0xffffffff80000001, 0x80000001, "w0 &= w0 keeps the low half and zeroes the upper half")
self_case(32, "rsh", "amount-masked", 0x21, 0x10, "w0 >>= w0 with 0x21: amount 33 & 31 = 1")
self_case(32, "sdiv", "intmin", 0x80000000, 1, "INT_MIN s/ INT_MIN = 1")
self_case(32, "smod", "upper-bits", 0x12345678fffffff9, 0, "-7 s% -7 = 0, upper half zeroed")
A(64, "div", "imm", "imm-intmin", M64, -0x80000000, 1,
  "imm 0x80000000 sign-extends to 0xffffffff80000000: (2^64-1) / that = 1")
A(32, "div", "imm", "imm-intmin", 0xffffffff, -0x80000000, 1, "imm 0x80000000 as u32: 0xffffffff / 0x80000000 = 1")
A(32, "sdiv", "imm", "imm-intmin", 0x80000000, -0x80000000, 1, "INT_MIN s/ INT_MIN = 1")
A(64, "smod", "imm", "imm-intmin", 0x8000000000000000, -0x80000000, 0,
  "LLONG_MIN s% (-2^31) = 0 (-2^63 is a multiple of -2^31)")
A(32, "mod", "reg", "upper-dividend-ignored", 0xffffffff00000007, 0xffffffff00000004, 3, "7 % 4 = 3 on the low halves")
movsx_self = [("r0 = (s32)r0", 0x00000000fffffffe, M64 - 1, "alu64-movsx32-self", "r0 = (s32)r0 sign-extends in place"),
              ("w0 = (s8)w0", 0xffffffff000000ff, 0xffffffff, "alu32-movsx8-self", "w0 = (s8)w0 sign-extends to 32 bits and zeroes the upper half")]
for insn, v, exp, name, why in movsx_self:
    emit(name, f"BPF_MOVSX with src == dst: {why}\n{SEC_ALU}", [ld("r0", v), insn, "exit"], result=exp)

# --- neg (BPF_NEG, K source, no operand)
def neg_case(w, slug, dst, expected, why):
    M = M64 if w == 64 else M32
    assert expected & M64 == (-(dst & M)) & M, slug
    r = "r" if w == 64 else "w"
    emit(f"alu{w}-neg-{slug}", f"BPF_NEG {'ALU64' if w == 64 else 'ALU'}: {why}\n{SEC_ALU}",
         [ld("r0", dst), f"{r}0 = -{r}0", "exit"], result=expected)


neg_case(64, "basic", 5, -5, "-5")
neg_case(64, "zero", 0, 0, "-0 = 0")
neg_case(64, "intmin", 0x8000000000000000, 0x8000000000000000, "-LLONG_MIN wraps to LLONG_MIN")
neg_case(64, "negative", -42, 42, "-(-42) = 42")
neg_case(32, "basic", 5, 0xfffffffb, "-5 in 32 bits, zero-extended")
neg_case(32, "intmin", 0x80000000, 0x80000000, "-INT_MIN wraps to INT_MIN (0x80000000), zero-extended")
neg_case(32, "upper-ignored", 0x100000001, 0xffffffff, "only the low half (1) is negated; upper half zeroed")
neg_case(32, "zero-low-half", 0xffffffff00000000, 0, "low half 0: result 0, upper half cleared")


# --- movsx (BPF_MOV with offset 8/16/32)
def movsx_case(w, bits, slug, src, expected, why):
    v = src & ((1 << bits) - 1)
    if v >> (bits - 1):
        v -= 1 << bits
    M = M64 if w == 64 else M32
    assert expected & M64 == v & M, slug
    r = "r" if w == 64 else "w"
    emit(f"alu{w}-movsx{bits}-{slug}",
         f"BPF_MOVSX {'ALU64' if w == 64 else 'ALU'} offset {bits}: {why}\n{SEC_ALU}",
         [ld("r1", src), f"{r}0 = (s{bits}){r}1", "exit"], result=expected)


movsx_case(64, 8, "negative", 0x80, 0xffffffffffffff80, "(s8)0x80 = -128 sign-extended to 64 bits")
movsx_case(64, 8, "positive", 0x17f, 0x7f, "only the low byte 0x7f is taken")
movsx_case(64, 8, "all-ones", M64, M64, "(s8)0xff = -1")
movsx_case(64, 16, "negative", 0x12348000, 0xffffffffffff8000, "(s16)0x8000 sign-extended to 64 bits")
movsx_case(64, 16, "positive", 0xffff7fff, 0x7fff, "(s16)0x7fff = 0x7fff")
movsx_case(64, 32, "negative", 0x80000000, 0xffffffff80000000, "(s32)0x80000000 sign-extended to 64 bits")
movsx_case(64, 32, "positive", 0xffffffff7fffffff, 0x7fffffff, "upper half dropped, low half positive")
movsx_case(32, 8, "negative", 0x80, 0xffffff80, "(s8)0x80 sign-extended to 32 bits, then zero-extended to 64")
movsx_case(32, 8, "positive", 0xffffffffffffff7f, 0x7f, "(s8)0x7f = 0x7f")
movsx_case(32, 16, "negative", 0x8000, 0xffff8000, "(s16)0x8000 sign-extended to 32 bits, zero-extended to 64")
movsx_case(32, 16, "positive", 0xabcd1234, 0x1234, "(s16)0x1234 = 0x1234")


# ---------------------------------------------------------------- byte swaps
def end_case(kind, bits, slug, val, expected, why):
    b = val & ((1 << bits) - 1)
    if kind == "le":
        model = b  # hosts are little-endian: truncation only
    else:
        model = int.from_bytes(b.to_bytes(bits // 8, "little"), "big")
    assert model == expected, (kind, bits, slug, hex(model))
    cls = "ALU64 (unconditional BSWAP)" if kind == "bswap" else ("ALU TO_BE" if kind == "be" else "ALU TO_LE")
    emit(f"end-{kind}{bits}-{slug}", f"BPF_END {cls}, imm {bits}: {why}\n{SEC_END}",
         [ld("r0", val), f"r0 = {kind}{bits} r0", "exit"], result=expected)


end_case("le", 16, "truncates", X1, 0xdef0, "le16 keeps the low 16 bits, zero-extends")
end_case("le", 32, "truncates", X1, 0x9abcdef0, "le32 keeps the low 32 bits, zero-extends")
end_case("le", 64, "identity", X1, X1, "le64 is the identity on a little-endian machine")
end_case("be", 16, "swap", X1, 0xf0de, "be16 swaps the low 2 bytes, upper bits zero")
end_case("be", 16, "high-bits-dropped", 0xffffffffffff1122, 0x2211, "be16 of 0x...1122 = 0x2211")
end_case("be", 32, "swap", X1, 0xf0debc9a, "be32 swaps the low 4 bytes, upper half zero")
end_case("be", 32, "high-bits-dropped", 0xffffffff00000011, 0x11000000, "be32 ignores the upper half")
end_case("be", 64, "swap", X1, 0xf0debc9a78563412, "be64 reverses all 8 bytes")
end_case("bswap", 16, "swap", X1, 0xf0de, "bswap16 swaps the low 2 bytes, upper bits zero")
end_case("bswap", 32, "swap", X1, 0xf0debc9a, "bswap32 swaps the low 4 bytes, upper half zero")
end_case("bswap", 64, "swap", X1, 0xf0debc9a78563412, "bswap64 reverses all 8 bytes")
end_case("bswap", 64, "sign", 0x80, 0x8000000000000000, "bswap64 of 0x80 moves the byte to the top")
end_case("le", 16, "small", 0x12345, 0x2345, "le16 of 0x12345 keeps 0x2345")

# ---------------------------------------------------------------- lddw
for slug, v, why in [
    ("full", 0x123456789abcdef0, "imm holds the low 32 bits, next imm the high 32 bits"),
    ("low-half-negative", 0x80000000, "a low half with bit 31 set is not sign-extended"),
    ("high-half-only", 0xffffffff00000000, "low imm 0, next imm 0xffffffff"),
    ("all-ones", M64, "both halves 0xffffffff"),
    ("zero", 0, "both halves 0"),
    ("intmin", 0x8000000000000000, "only bit 63 set"),
    ("low-all-ones", 0x00000000ffffffff, "low imm 0xffffffff (-1 as s32) gives 0x00000000ffffffff"),
]:
    emit(f"lddw-{slug}", f"lddw (opcode 0x18, src 0): dst = imm64; {why}\n{SEC_LDDW}",
         [f"r0 = {hex(v)} ll", "exit"], result=v)
emit("lddw-negative-decimal", f"lddw of -1 written as a decimal: all 64 bits set\n{SEC_LDDW}",
     ["r0 = -1 ll", "exit"], result=M64)
emit("lddw-then-alu", f"lddw into r1 and r2, then combine: the pair of slots counts as one instruction\n{SEC_LDDW}",
     ["r1 = 0x100000000 ll", "r2 = 0x200000000 ll", "r0 = r1", "r0 += r2", "exit"], result=0x300000000)
emit("lddw-jump-over", f"a jump over an lddw skips both of its slots (offsets count 8-byte slots)\n{SEC_LDDW}; {SEC_JMP}",
     ["r0 = 1", "goto +2", "r0 = 0x1111111122222222 ll", "exit"], result=1)

# ---------------------------------------------------------------- jumps
CSYM = {"jeq": "==", "jne": "!=", "jgt": ">", "jge": ">=", "jlt": "<", "jle": "<=", "jsgt": "s>",
        "jsge": "s>=", "jslt": "s<", "jsle": "s<=", "jset": "&"}
CDESC = {"jeq": "BPF_JEQ", "jne": "BPF_JNE", "jgt": "BPF_JGT (unsigned)", "jge": "BPF_JGE (unsigned)",
         "jlt": "BPF_JLT (unsigned)", "jle": "BPF_JLE (unsigned)", "jsgt": "BPF_JSGT (signed)",
         "jsge": "BPF_JSGE (signed)", "jslt": "BPF_JSLT (signed)", "jsle": "BPF_JSLE (signed)",
         "jset": "BPF_JSET (dst & src != 0)"}


def jmp_case(w, c, src, taken, slug, a, b, why):
    """a: full 64-bit value of r1; b: imm (signed int) or full 64-bit value of r2."""
    cls = "JMP" if w == 64 else "JMP32"
    r = "r" if w == 64 else "w"
    if src == "imm":
        assert imm_fits(b)
        operand = b & M64  # sign-extended; JMP32 then uses the low 32 bits
        test = f"if {r}1 {CSYM[c]} {num(b)} goto +2"
        setup = [ld("r1", a)]
    else:
        operand = b
        test = f"if {r}1 {CSYM[c]} {r}2 goto +2"
        setup = [ld("r1", a), ld("r2", b)]
    assert cond(c, w, a, operand) == taken, (w, c, src, slug)
    name = f"{'jmp' if w == 64 else 'jmp32'}-{c}-{src}-{'taken' if taken else 'not-taken'}"
    if slug:
        name += "-" + slug
    comment = f"{CDESC[c]} {cls} {'K' if src == 'imm' else 'X'}, {'taken' if taken else 'not taken'}: {why}\n{SEC_JMP}"
    emit(name, comment, setup + [test, "r0 = 1", "exit", "r0 = 2", "exit"], result=2 if taken else 1)


J = jmp_case
# 64-bit, imm (sign-extended to 64 bits)
J(64, "jeq", "imm", True, "", 5, 5, "5 == 5")
J(64, "jeq", "imm", True, "sign-extended", M64, -1, "imm -1 is sign-extended: 0xffffffffffffffff == -1")
J(64, "jeq", "imm", False, "sign-extended", 0xffffffff, -1, "0x00000000ffffffff != sign-extended -1")
J(64, "jeq", "imm", False, "upper-bits", 0x100000005, 5, "64-bit compare sees the upper bits")
J(64, "jne", "imm", True, "upper-bits", 0x100000005, 5, "0x100000005 != 5 in 64 bits")
J(64, "jne", "imm", False, "", M64, -1, "0xffffffffffffffff == sign-extended -1")
J(64, "jgt", "imm", True, "unsigned", M64, 1, "-1 is 2^64-1 unsigned, > 1")
J(64, "jgt", "imm", False, "imm-sign-extended", 1, -1, "1 > 0xffffffffffffffff is false")
J(64, "jgt", "imm", False, "equal", 7, 7, "7 > 7 is false")
J(64, "jge", "imm", True, "equal", 7, 7, "7 >= 7")
J(64, "jge", "imm", True, "unsigned", 0x8000000000000000, 0x7fffffff, "2^63 >= 0x7fffffff unsigned")
J(64, "jge", "imm", False, "", 0, 1, "0 >= 1 is false")
J(64, "jlt", "imm", True, "unsigned", 1, -1, "1 < 0xffffffffffffffff unsigned")
J(64, "jlt", "imm", False, "unsigned", M64, 1, "-1 as unsigned is not < 1")
J(64, "jle", "imm", True, "equal", 3, 3, "3 <= 3")
J(64, "jle", "imm", False, "", 4, 3, "4 <= 3 is false")
J(64, "jsgt", "imm", True, "", 1, -1, "1 s> -1")
J(64, "jsgt", "imm", False, "negative", M64, 1, "-1 s> 1 is false (although -1 > 1 unsigned)")
J(64, "jsge", "imm", True, "equal-negative", -5, -5, "-5 s>= -5")
J(64, "jsge", "imm", False, "", 0x8000000000000000, 0, "LLONG_MIN s>= 0 is false")
J(64, "jslt", "imm", True, "", -2, -1, "-2 s< -1")
J(64, "jslt", "imm", False, "upper-bit-positive", 0xffffffff, 0, "0x00000000ffffffff is positive in 64 bits: not s< 0")
J(64, "jsle", "imm", True, "", -1, 0, "-1 s<= 0")
J(64, "jsle", "imm", False, "", 1, -1, "1 s<= -1 is false")
J(64, "jset", "imm", True, "", 0x106, 0x4, "0x106 & 0x4 != 0")
J(64, "jset", "imm", True, "sign-extended", 0x8000000000000000, -0x80000000,
  "imm 0x80000000 sign-extends to 0xffffffff80000000, which shares bit 63")
J(64, "jset", "imm", False, "", 0x106, 0x1, "0x106 & 0x1 == 0")
# 64-bit, reg
J(64, "jeq", "reg", True, "", X1, X1, "equal 64-bit values")
J(64, "jeq", "reg", False, "upper-bits", 0x100000005, 5, "values differing only in the upper half are not equal")
J(64, "jne", "reg", True, "", 0x100000005, 5, "differing upper halves")
J(64, "jne", "reg", False, "", X1, X1, "equal values")
J(64, "jgt", "reg", True, "unsigned", M64, 1, "0xffffffffffffffff > 1 unsigned")
J(64, "jgt", "reg", False, "", 1, M64, "1 > 0xffffffffffffffff is false")
J(64, "jge", "reg", True, "", 0x100000000, 0xffffffff, "2^32 >= 0xffffffff")
J(64, "jge", "reg", False, "", 0xffffffff, 0x100000000, "0xffffffff >= 2^32 is false")
J(64, "jlt", "reg", True, "", 0xffffffff, 0x100000000, "0xffffffff < 2^32")
J(64, "jlt", "reg", False, "equal", 9, 9, "9 < 9 is false")
J(64, "jle", "reg", True, "", 1, M64, "1 <= 0xffffffffffffffff unsigned")
J(64, "jle", "reg", False, "unsigned", M64, 1, "-1 <= 1 is false unsigned")
J(64, "jsgt", "reg", True, "", 0x7fffffffffffffff, 0x8000000000000000, "LLONG_MAX s> LLONG_MIN")
J(64, "jsgt", "reg", False, "", M64, 1, "-1 s> 1 is false")
J(64, "jsge", "reg", True, "", 0, M64, "0 s>= -1")
J(64, "jsge", "reg", False, "", -3, -2, "-3 s>= -2 is false")
J(64, "jslt", "reg", True, "", 0x8000000000000000, 0, "LLONG_MIN s< 0")
J(64, "jslt", "reg", False, "", 1, M64, "1 s< -1 is false")
J(64, "jsle", "reg", True, "equal", M64, M64, "-1 s<= -1")
J(64, "jsle", "reg", False, "", 0, 0x8000000000000000, "0 s<= LLONG_MIN is false")
J(64, "jset", "reg", True, "", 0x100000000, 0x300000000, "common bit 32")
J(64, "jset", "reg", False, "", 0xf0f0f0f0f0f0f0f0, 0x0f0f0f0f0f0f0f0f, "no common bit")
# 32-bit, imm: only the low 32 bits of the register and of the imm are compared
J(32, "jeq", "imm", True, "upper-ignored", 0xffffffff00000001, 1, "upper half ignored: low half 1 == 1")
J(32, "jeq", "imm", True, "minus-one", 0xffffffff, -1, "low half 0xffffffff == imm -1 in 32 bits")
J(32, "jeq", "imm", False, "", 2, 1, "2 == 1 is false")
J(32, "jne", "imm", True, "", 2, 1, "2 != 1")
J(32, "jne", "imm", False, "upper-ignored", 0x700000005, 5, "upper half ignored: 5 != 5 is false")
J(32, "jgt", "imm", True, "unsigned", 0xffffffff, 1, "0xffffffff > 1 as u32")
J(32, "jgt", "imm", False, "upper-ignored", 0x100000000, 0, "low half 0 > 0 is false even though r1 is 2^32")
J(32, "jge", "imm", True, "equal", 0xabcdef0000000007, 7, "7 >= 7")
J(32, "jge", "imm", False, "", 6, 7, "6 >= 7 is false")
J(32, "jlt", "imm", True, "upper-ignored", 0xffffffff00000001, 2, "low half 1 < 2")
J(32, "jlt", "imm", False, "unsigned", 0x80000000, 1, "0x80000000 < 1 is false unsigned")
J(32, "jle", "imm", True, "", 1, -1, "1 <= 0xffffffff unsigned")
J(32, "jle", "imm", False, "", 0xffffffff, 0, "0xffffffff <= 0 is false")
J(32, "jsgt", "imm", True, "", 0x7fffffff, -1, "INT_MAX s> -1")
J(32, "jsgt", "imm", False, "low-half-negative", 0xffffffff, 0, "low half 0xffffffff is -1 as s32: not s> 0")
J(32, "jsge", "imm", True, "", 0, -1, "0 s>= -1")
J(32, "jsge", "imm", False, "", 0x80000000, 0, "INT_MIN s>= 0 is false")
J(32, "jslt", "imm", True, "low-half-negative", 0xffffffff, 0, "0x00000000ffffffff: low half -1 s< 0 (a 64-bit compare says no)")
J(32, "jslt", "imm", False, "upper-ignored", 0xffffffff00000001, 0, "bit 63 set but low half 1: not s< 0")
J(32, "jsle", "imm", True, "", 0x80000000, 0x7fffffff, "INT_MIN s<= INT_MAX")
J(32, "jsle", "imm", False, "", 1, 0, "1 s<= 0 is false")
J(32, "jset", "imm", True, "", 0x80000000, -0x80000000, "bit 31 in common")
J(32, "jset", "imm", False, "upper-ignored", 0x8000000000000000, -0x80000000,
  "bit 63 is outside the 32-bit compare: no common bit")
# 32-bit, reg
J(32, "jeq", "reg", True, "upper-ignored", 0x100000005, 5, "low halves equal, upper halves differ")
J(32, "jeq", "reg", False, "", 5, 6, "5 == 6 is false")
J(32, "jne", "reg", True, "", 5, 6, "5 != 6")
J(32, "jne", "reg", False, "upper-ignored", 0xaaaaaaaa12345678, 0x5555555512345678, "low halves equal")
J(32, "jgt", "reg", True, "", 0xffffffff, 0xfffffffe, "0xffffffff > 0xfffffffe")
J(32, "jgt", "reg", False, "upper-ignored", 0x100000001, 2, "low half 1 > 2 is false")
J(32, "jge", "reg", True, "", 0x80000000, 0x7fffffff, "0x80000000 >= 0x7fffffff unsigned")
J(32, "jge", "reg", False, "upper-ignored", 0xf00000001, 0x200000002, "1 >= 2 is false")
J(32, "jlt", "reg", True, "upper-ignored", 0x200000001, 0x100000002, "1 < 2 (upper halves ignored)")
J(32, "jlt", "reg", False, "", 0xffffffff, 0, "0xffffffff < 0 is false")
J(32, "jle", "reg", True, "equal", 0x1ffffffff, 0xffffffff, "low halves equal")
J(32, "jle", "reg", False, "", 0x80000000, 0x7fffffff, "0x80000000 <= 0x7fffffff is false unsigned")
J(32, "jsgt", "reg", True, "", 1, 0xffffffff, "1 s> -1")
J(32, "jsgt", "reg", False, "", 0x80000000, 0x7fffffff, "INT_MIN s> INT_MAX is false")
J(32, "jsge", "reg", True, "equal", 0xffffffff, M64, "-1 s>= -1 in 32 bits")
J(32, "jsge", "reg", False, "", 0xfffffffe, 0xffffffff, "-2 s>= -1 is false")
J(32, "jslt", "reg", True, "", 0x80000000, 0, "INT_MIN s< 0")
J(32, "jslt", "reg", False, "", 0, 0x80000000, "0 s< INT_MIN is false")
J(32, "jsle", "reg", True, "", 0xfffffffe, 0xffffffff, "-2 s<= -1")
J(32, "jsle", "reg", False, "upper-ignored", 0xffffffff00000001, 0, "low half 1 s<= 0 is false")
J(32, "jset", "reg", True, "", 0xffffffff00000100, 0x100, "bit 8 in common")
J(32, "jset", "reg", False, "upper-ignored", 0xffffffff00000000, 0xffffffff00000000, "only upper bits in common")

# ja / gotol / loops
emit("jmp-ja-forward", f"BPF_JA JMP: goto +1 skips one instruction\n{SEC_JMP}",
     ["r0 = 1", "goto +1", "r0 = 2", "exit"], result=1)
emit("jmp-ja-zero", f"BPF_JA JMP with offset 0 is a no-op (pc + 1 + 0)\n{SEC_JMP}",
     ["r0 = 1", "goto +0", "r0 += 1", "exit"], result=2)
emit("jmp-ja-backward", f"BPF_JA JMP with a negative offset: forward, back, forward again\n{SEC_JMP}",
     ["r0 = 1", "goto +2", "r0 += 10", "goto +2", "r0 += 100", "goto -4", "exit"], result=111)
emit("jmp32-ja-gotol-forward", f"BPF_JA JMP32 (gotol): the offset is in imm, not in offset\n{SEC_JMP}",
     ["r0 = 1", "gotol +2", "r0 = 2", "r0 = 3", "exit"], result=1)
emit("jmp32-ja-gotol-backward", f"BPF_JA JMP32 (gotol) with a negative imm offset\n{SEC_JMP}",
     ["r0 = 1", "gotol +2", "r0 += 10", "gotol +2", "r0 += 100", "gotol -4", "exit"], result=111)
emit("jmp-loop-countdown", f"a backward conditional jump: sum 10 + 9 + ... + 1\n{SEC_JMP}",
     ["r0 = 0", "r1 = 10", "r0 += r1", "r1 -= 1", "if r1 != 0 goto -3", "exit"], result=55)
emit("jmp32-loop-countdown", f"a JMP32 loop counter that ignores the upper half of the register\n{SEC_JMP}",
     ["r0 = 0", "r1 = 0x700000005 ll", "r0 += 1", "r1 -= 1", "if w1 != 0 goto -3", "exit"], result=5)
emit("jmp-loop-signed-counter", f"loop with a signed compare: i from -5 to 4, counting iterations\n{SEC_JMP}",
     ["r0 = 0", "r1 = -5", "r0 += 1", "r1 += 1", "if r1 s< 5 goto -3", "exit"], result=10)
emit("jmp-loop-nested", f"nested loops: 4 * 5 iterations\n{SEC_JMP}",
     ["r0 = 0", "r1 = 4", "r2 = 5", "r0 += 1", "r2 -= 1", "if r2 != 0 goto -3", "r1 -= 1",
      "if r1 != 0 goto -6", "exit"], result=20)
emit("jmp-chain", f"several conditional jumps in sequence, each not taken or taken as their operands say\n{SEC_JMP}",
     ["r0 = 0", "r1 = 3", "if r1 == 2 goto +6", "r0 |= 1", "if r1 > 2 goto +1", "r0 |= 2",
      "if r1 s< 0 goto +2", "r0 |= 4", "exit", "r0 = 0xff", "exit"], result=5)

# ---------------------------------------------------------------- loads and stores
MEM = bytes([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00])


def le(b, off, n, signed=False):
    return int.from_bytes(b[off:off + n], "little", signed=signed) & M64


SZ = {1: "u8", 2: "u16", 4: "u32", 8: "u64"}
SSZ = {1: "s8", 2: "s16", 4: "s32"}
LDX = {1: "ldxb", 2: "ldxh", 4: "ldxw", 8: "ldxdw"}
LDXS = {1: "ldxsb", 2: "ldxsh", 4: "ldxsw"}
STX = {1: "stxb", 2: "stxh", 4: "stxw", 8: "stxdw"}
ST = {1: "stb", 2: "sth", 4: "stw", 8: "stdw"}

for n in (1, 2, 4, 8):
    for off in sorted({0, 8 - n, 16 - n}):
        exp = le(MEM, off, n)
        emit(f"mem-{LDX[n]}-input-off{off}",
             f"LDX MEM size {n}: r0 = *({SZ[n]} *)(r1 + {off}) from the input, little-endian, zero-extended\n{SEC_MEM}",
             [f"r0 = *({SZ[n]} *)(r1 + {off})", "exit"], result=exp, mem=MEM)
for n in (1, 2, 4):
    for off, label in [(0, "positive"), (8 - n, "negative")]:
        exp = le(MEM, off, n, signed=True)
        emit(f"mem-{LDXS[n]}-input-{label}",
             f"LDX MEMSX size {n}: r0 = *({SSZ[n]} *)(r1 + {off}), sign-extended to 64 bits\n{SEC_MEMSX}",
             [f"r0 = *({SSZ[n]} *)(r1 + {off})", "exit"], result=exp, mem=MEM)
emit("mem-ldxsb-input-0x7f", f"LDX MEMSX byte 0x7f stays positive, 0x80 becomes -128: r0 = sum\n{SEC_MEMSX}",
     ["r0 = *(s8 *)(r1 + 0)", "r2 = *(s8 *)(r1 + 1)", "r0 += r2", "exit"], result=(0x7f - 0x80) & M64,
     mem=bytes([0x7f, 0x80]))
emit("mem-ldxdw-input-negative-offset", f"LDX with a negative offset from an adjusted pointer\n{SEC_MEM}",
     ["r1 += 8", "r0 = *(u64 *)(r1 - 8)", "exit"], result=le(MEM, 0, 8), mem=MEM)
emit("mem-ldxw-input-unaligned", f"LDX MEM word at an odd offset: little-endian bytes 1..4\n{SEC_MEM}",
     ["r0 = *(u32 *)(r1 + 1)", "exit"], result=le(MEM, 1, 4), mem=MEM)
emit("mem-ldxh-same-reg", f"LDX whose destination is its own base register\n{SEC_MEM}",
     ["r1 = *(u16 *)(r1 + 2)", "r0 = r1", "exit"], result=0x4433, mem=MEM)

# stack: STX then LDX of the same size, and stores inside a zeroed 8-byte slot
V = 0x8877665544332211
for n in (1, 2, 4, 8):
    exp = V & ((1 << (8 * n)) - 1)
    emit(f"mem-{STX[n]}-stack-roundtrip",
         f"STX MEM size {n} to the stack then LDX of size {n}: the low {n} byte(s) of the source\n{SEC_MEM}",
         [ld("r1", V), f"*({SZ[n]} *)(r10 - 8) = r1", f"r0 = *({SZ[n]} *)(r10 - 8)", "exit"], result=exp)
    if n < 8:
        emit(f"mem-{STX[n]}-stack-partial",
             f"STX MEM size {n} into a zeroed 8-byte slot writes only {n} byte(s); the rest stay 0\n{SEC_MEM}",
             ["r2 = 0", "*(u64 *)(r10 - 16) = r2", ld("r1", V), f"*({SZ[n]} *)(r10 - 14) = r1",
              "r0 = *(u64 *)(r10 - 16)", "exit"], result=(exp << 16) & M64)
emit("mem-stxdw-stack-little-endian", f"an 8-byte store is little-endian: byte at the lowest address is the LSB\n{SEC_MEM}",
     ["r1 = 0x0102030405060708 ll", "*(u64 *)(r10 - 8) = r1", "r0 = *(u8 *)(r10 - 8)", "r2 = *(u8 *)(r10 - 1)",
      "r0 <<= 8", "r0 |= r2", "exit"], result=0x0801)
emit("mem-stxw-stack-two-halves", f"two 4-byte stores make one 8-byte value (low word at the lower address)\n{SEC_MEM}",
     ["r1 = 0x11111111", "r2 = 0x22222222", "*(u32 *)(r10 - 8) = r1", "*(u32 *)(r10 - 4) = r2",
      "r0 = *(u64 *)(r10 - 8)", "exit"], result=0x2222222211111111)
emit("mem-stxdw-stack-bottom", f"the whole 512-byte stack is usable: store and load at r10 - 512\n{SEC_MEM}",
     [ld("r1", X1), "*(u64 *)(r10 - 512) = r1", "r0 = *(u64 *)(r10 - 512)", "exit"], result=X1)
emit("mem-stxb-stack-chain", f"bytes stored one by one and read back as a word\n{SEC_MEM}",
     ["r1 = 0xaa", "*(u8 *)(r10 - 4) = r1", "r1 = 0xbb", "*(u8 *)(r10 - 3) = r1", "r1 = 0xcc",
      "*(u8 *)(r10 - 2) = r1", "r1 = 0xdd", "*(u8 *)(r10 - 1) = r1", "r0 = *(u32 *)(r10 - 4)", "exit"],
     result=0xddccbbaa)
emit("mem-stxdw-frame-pointer-copy", f"a copy of r10 addresses the same stack\n{SEC_MEM}",
     ["r2 = r10", "r2 += -16", "r1 = 77", "*(u64 *)(r2 + 8) = r1", "r0 = *(u64 *)(r10 - 8)", "exit"], result=77)

for n in (1, 2, 4, 8):
    exp = (V >> (8 * (8 - n))) & ((1 << (8 * n)) - 1)
    emit(f"mem-{LDX[n]}-stack", f"LDX MEM size {n} from the top {n} byte(s) of a stack slot holding {hex(V)}\n{SEC_MEM}",
         [ld("r1", V), "*(u64 *)(r10 - 8) = r1", f"r0 = *({SZ[n]} *)(r10 - {n})", "exit"], result=exp)

# ST (imm): imm stored truncated to the size; for DW sign-extended
for n, imm, exp, why in [
    (1, 0x7f, 0x7f, "the imm's low byte"),
    (1, -1, 0xff, "imm -1 stores one byte 0xff"),
    (2, 0x1234, 0x1234, "the imm's low 2 bytes"),
    (2, -2, 0xfffe, "imm -2 stores 0xfffe"),
    (4, 0x12345678, 0x12345678, "a 4-byte imm"),
    (4, -1, 0xffffffff, "imm -1 stores 4 bytes 0xff; the load zero-extends"),
    (8, -2, 0xfffffffffffffffe, "for DW the imm is sign-extended to 64 bits"),
    (8, 0x7fffffff, 0x7fffffff, "a positive DW imm has a zero upper half"),
]:
    slug = "negative" if imm < 0 else "positive"
    emit(f"mem-{ST[n]}-stack-{slug}", f"ST MEM size {n}: *({SZ[n]} *)(r10 - 8) = {imm}: {why}\n{SEC_MEM}",
         [f"*({SZ[n]} *)(r10 - 8) = {num(imm)}", f"r0 = *({SZ[n]} *)(r10 - 8)", "exit"], result=exp)
emit("mem-stw-stack-partial", f"ST MEM word writes only 4 bytes of a zeroed slot\n{SEC_MEM}",
     ["*(u64 *)(r10 - 8) = 0", "*(u32 *)(r10 - 8) = -1", "r0 = *(u64 *)(r10 - 8)", "exit"], result=0xffffffff)
emit("mem-sth-stack-partial", f"ST MEM half word into the middle of an all-ones slot\n{SEC_MEM}",
     ["*(u64 *)(r10 - 8) = -1", "*(u16 *)(r10 - 6) = 0", "r0 = *(u64 *)(r10 - 8)", "exit"],
     result=0xffffffff0000ffff)
emit("mem-stb-stack-partial", f"ST MEM byte into the top byte of a zeroed slot\n{SEC_MEM}",
     ["*(u64 *)(r10 - 8) = 0", "*(u8 *)(r10 - 1) = 0x80", "r0 = *(u64 *)(r10 - 8)", "exit"],
     result=0x8000000000000000)
emit("mem-ldxsw-stack", f"LDX MEMSX word from the stack: 0x80000000 becomes 0xffffffff80000000\n{SEC_MEMSX}",
     ["*(u32 *)(r10 - 4) = -2147483648", "r0 = *(s32 *)(r10 - 4)", "exit"], result=0xffffffff80000000)
emit("mem-ldxsh-stack", f"LDX MEMSX half word from the stack\n{SEC_MEMSX}",
     ["*(u16 *)(r10 - 2) = -3", "r0 = *(s16 *)(r10 - 2)", "exit"], result=(-3) & M64)
emit("mem-ldxsb-stack", f"LDX MEMSX byte from the stack\n{SEC_MEMSX}",
     ["*(u8 *)(r10 - 1) = 0xfe", "r0 = *(s8 *)(r10 - 1)", "exit"], result=(-2) & M64)

# stores to the input memory
for n in (1, 2, 4, 8):
    m = bytearray(MEM)
    v = 0xa1b2c3d4e5f60718
    m[4:4 + n] = (v & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
    emit(f"mem-{STX[n]}-input", f"STX MEM size {n} into the input memory at r1 + 4, then read 8 bytes at r1 + 0\n{SEC_MEM}",
         [ld("r2", v), f"*({SZ[n]} *)(r1 + 4) = r2", "r0 = *(u64 *)(r1 + 0)", "exit"],
         result=le(m, 0, 8), mem=MEM)
    m = bytearray(MEM)
    imm = -0x2b3c4d5e
    m[8:8 + n] = ((imm & M64) & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
    emit(f"mem-{ST[n]}-input", f"ST MEM size {n} of imm {imm} into the input memory at r1 + 8, then read 8 bytes\n{SEC_MEM}",
         [f"*({SZ[n]} *)(r1 + 8) = {imm}", "r0 = *(u64 *)(r1 + 8)", "exit"], result=le(m, 8, 8), mem=MEM)

# ---------------------------------------------------------------- atomics (on the stack)
AOPS = {"add": ("+=", lambda a, b: a + b), "or": ("|=", lambda a, b: a | b),
        "and": ("&=", lambda a, b: a & b), "xor": ("^=", lambda a, b: a ^ b)}


def atomic_setup(w, init, r1v):
    return [ld("r2", init), "*(u64 *)(r10 - 8) = r2", ld("r1", r1v)]


def atomic_case(w, op, fetch, what, init, val, why):
    """init: the 8-byte slot at r10-8; val: full 64-bit r1. what: 'mem' returns the slot (8 bytes),
    'old' returns r1 after the instruction (the fetched old value)."""
    M = M64 if w == 64 else M32
    sym, f = AOPS[op]
    new_low = f(init & M, val & M) & M
    new_slot = (init & ~M & M64) | new_low
    old = init & M  # 32-bit fetch zero-extends into the register
    r = "r" if w == 64 else "w"
    size = "u64" if w == 64 else "u32"
    if fetch:
        insn = f"{r}1 = atomic_fetch_{op}(({size} *)(r10 - 8), {r}1)"
        name = f"atomic{w}-fetch-{op}-{what}"
        desc = f"BPF_ATOMIC {'DW' if w == 64 else 'W'} BPF_{op.upper()} | BPF_FETCH"
    else:
        insn = f"lock *({size} *)(r10 - 8) {sym} {r}1"
        name = f"atomic{w}-{op}-{what}"
        desc = f"BPF_ATOMIC {'DW' if w == 64 else 'W'} BPF_{op.upper()}"
    tail = ["r0 = *(u64 *)(r10 - 8)"] if what == "mem" else ["r0 = r1"]
    exp = new_slot if what == "mem" else (old if fetch else val)
    emit(name, f"{desc}: {why}\n{SEC_ATOMIC}", atomic_setup(w, init, val) + [insn] + tail + ["exit"], result=exp)


ATOM_CASES = {
    "add": (0x00000001ffffffff, 0x1, "32-bit add wraps inside the low word (no carry into the upper word); 64-bit carries"),
    "or": (0xf0000000000000f0, 0x0f0000000000000f, "or of disjoint bit patterns"),
    "and": (0xffffffff0000ffff, 0x00ffff0000ff00ff, "and keeps the common bits"),
    "xor": (0xffff0000ffff0000, 0xff00ff00ff00ff00, "xor flips the selected bits"),
}
for w in (32, 64):
    for op, (init, val, why) in ATOM_CASES.items():
        for fetch in (False, True):
            atomic_case(w, op, fetch, "mem", init, val,
                        ("the 8-byte slot after the operation; " if w == 64 else
                         "the 8-byte slot after a 4-byte operation on its low word; ") + why)
            if fetch:
                atomic_case(w, op, fetch, "old", init, val,
                            "the source register receives the old value" +
                            (" zero-extended from 32 bits" if w == 32 else ""))
            else:
                atomic_case(w, op, fetch, "src-kept", init, val,
                            "without BPF_FETCH the source register is not modified")
emit("atomic32-fetch-add-old-zero-extends", f"BPF_ATOMIC W ADD|FETCH: an old value with bit 31 set is zero-extended, "
     f"and the register's previous upper half is cleared\n{SEC_ATOMIC}",
     ["r2 = 0x5555555580000000 ll", "*(u64 *)(r10 - 8) = r2", "r1 = -1", "w1 = atomic_fetch_add((u32 *)(r10 - 8), w1)",
      "r0 = r1", "exit"], result=0x80000000)
emit("atomic32-add-high-word", f"BPF_ATOMIC W ADD on the upper word of an 8-byte slot leaves the lower word alone\n{SEC_ATOMIC}",
     ["r2 = 0x00000001ffffffff ll", "*(u64 *)(r10 - 8) = r2", "r1 = 2", "lock *(u32 *)(r10 - 4) += w1",
      "r0 = *(u64 *)(r10 - 8)", "exit"], result=0x00000003ffffffff)
emit("atomic32-add-llvm14-syntax", f"BPF_ATOMIC W ADD as LLVM 14's objdump prints it (r register name)\n{SEC_ATOMIC}",
     ["r2 = 40", "*(u32 *)(r10 - 4) = r2", "r1 = 2", "lock *(u32 *)(r10 - 4) += r1",
      "r0 = *(u32 *)(r10 - 4)", "exit"], result=42)
emit("atomic64-add-negative-is-sub", f"atomic subtract expressed as BPF_ATOMIC DW ADD of a negated value\n{SEC_ATOMIC}",
     ["r2 = 100", "*(u64 *)(r10 - 8) = r2", "r1 = 30", "r1 = -r1", "lock *(u64 *)(r10 - 8) += r1",
      "r0 = *(u64 *)(r10 - 8)", "exit"], result=70)
emit("atomic64-fetch-add-negative-is-sub", f"fetching atomic subtract: BPF_ATOMIC DW ADD|FETCH of a negated value; r0 = old * 1000 + new\n{SEC_ATOMIC}",
     ["r2 = 5", "*(u64 *)(r10 - 8) = r2", "r1 = 7", "r1 = -r1", "r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)",
      "r0 = r1", "r0 *= 1000", "r3 = *(u64 *)(r10 - 8)", "r0 += r3", "exit"], result=(5000 - 2) & M64)
emit("atomic32-add-negative-is-sub", f"32-bit atomic subtract as BPF_ATOMIC W ADD of a negated value (wraps in 32 bits)\n{SEC_ATOMIC}",
     ["r2 = 5", "*(u64 *)(r10 - 8) = r2", "w1 = 7", "w1 = -w1", "lock *(u32 *)(r10 - 8) += w1",
      "r0 = *(u64 *)(r10 - 8)", "exit"], result=0xfffffffe)
emit("atomic64-add-input-memory", f"BPF_ATOMIC DW ADD on the input memory\n{SEC_ATOMIC}",
     ["r2 = 0x10", "lock *(u64 *)(r1 + 0) += r2", "r0 = *(u64 *)(r1 + 0)", "exit"],
     result=0x0807060504030211, mem=bytes([1, 2, 3, 4, 5, 6, 7, 8]))

# xchg
for w in (32, 64):
    M = M64 if w == 64 else M32
    init, val = 0x1122334455667788, 0xaabbccddeeff0011
    r = "r" if w == 64 else "w"
    insn = f"r1 = xchg_64(r10 - 8, r1)" if w == 64 else "w1 = xchg32_32(r10 - 8, w1)"
    new_slot = (init & ~M & M64) | (val & M)
    emit(f"atomic{w}-xchg-mem", f"BPF_XCHG {'DW' if w == 64 else 'W'}: memory receives the source register's "
         f"{'value' if w == 64 else 'low word (upper word of the slot untouched)'}\n{SEC_ATOMIC}",
         atomic_setup(w, init, val) + [insn, "r0 = *(u64 *)(r10 - 8)", "exit"], result=new_slot)
    emit(f"atomic{w}-xchg-old", f"BPF_XCHG {'DW' if w == 64 else 'W'}: the source register receives the old value"
         f"{' zero-extended' if w == 32 else ''}\n{SEC_ATOMIC}",
         atomic_setup(w, init, val) + [insn, "r0 = r1", "exit"], result=init & M)

# cmpxchg
for w in (32, 64):
    M = M64 if w == 64 else M32
    r = "r" if w == 64 else "w"
    insn = "r0 = cmpxchg_64(r10 - 8, r0, r1)" if w == 64 else "w0 = cmpxchg32_32(r10 - 8, w0, w1)"
    d = "DW" if w == 64 else "W"
    init, val = 0xaaaaaaaa12345678, 0x55555555deadbeef
    for hit in (True, False):
        r0v = init if hit else init + 1
        new_slot = ((init & ~M & M64) | (val & M)) if hit else init
        hm = "hit" if hit else "miss"
        setup = atomic_setup(w, init, val) + [ld("r0", r0v)]
        emit(f"atomic{w}-cmpxchg-{hm}-mem", f"BPF_CMPXCHG {d}, r0 {'equals' if hit else 'differs from'} memory: "
             f"memory {'replaced by the source' if hit else 'unchanged'}\n{SEC_ATOMIC}",
             setup + [insn, "r0 = *(u64 *)(r10 - 8)", "exit"], result=new_slot)
        emit(f"atomic{w}-cmpxchg-{hm}-old", f"BPF_CMPXCHG {d}, {hm}: r0 receives the old value"
             f"{' zero-extended from 32 bits' if w == 32 else ''} in either case\n{SEC_ATOMIC}",
             setup + [insn, "exit"], result=init & M)
        emit(f"atomic{w}-cmpxchg-{hm}-src-kept", f"BPF_CMPXCHG {d}, {hm}: the source register is not modified\n{SEC_ATOMIC}",
             setup + [insn, "r0 = r1", "exit"], result=val)
emit("atomic32-cmpxchg-compares-low-word", f"BPF_CMPXCHG W compares only the low 32 bits of r0: upper bits of r0 "
     f"differ from memory's upper word but the exchange happens\n{SEC_ATOMIC}",
     ["r2 = 5", "*(u64 *)(r10 - 8) = r2", "r0 = 0xffffffff00000005 ll", "r1 = 9",
      "w0 = cmpxchg32_32(r10 - 8, w0, w1)", "r0 = *(u64 *)(r10 - 8)", "exit"], result=9)
emit("atomic64-cmpxchg-loop", f"a compare-and-swap retry loop that doubles a counter three times\n{SEC_ATOMIC}; {SEC_JMP}",
     ["r2 = 3", "*(u64 *)(r10 - 8) = r2", "r3 = 3", "r0 = *(u64 *)(r10 - 8)", "r1 = r0", "r1 <<= 1",
      "r4 = r0", "r0 = cmpxchg_64(r10 - 8, r0, r1)", "if r0 != r4 goto -6", "r3 -= 1", "if r3 != 0 goto -8",
      "r0 = *(u64 *)(r10 - 8)", "exit"], result=24)

# ---------------------------------------------------------------- exit
emit("exit-returns-r0", f"BPF_EXIT returns r0\n{SEC_JMP}", ["r0 = 42", "exit"], result=42)
emit("exit-returns-full-64-bits", f"BPF_EXIT returns all 64 bits of r0\n{SEC_JMP}",
     ["r0 = 0xfedcba9876543210 ll", "exit"], result=0xfedcba9876543210)
emit("exit-early", f"BPF_EXIT in the middle of the program ends it; later instructions do not run\n{SEC_JMP}",
     ["r0 = 1", "if r0 != 1 goto +1", "exit", "r0 = 2", "exit"], result=1)
emit("exit-input-length", f"r2 holds the input length at entry (raw-memory convention)\n{SEC_JMP}",
     ["r0 = r2", "exit"], result=5, mem=bytes(5))

# ---------------------------------------------------------------- multi-instruction programs
DATA = bytes(range(1, 21))
emit("prog-sum-input-bytes", f"loop over the input summing its bytes (r1 = pointer, r2 = length)\n{SEC_MEM}; {SEC_JMP}",
     ["r0 = 0", "if r2 == 0 goto +5", "r3 = *(u8 *)(r1 + 0)", "r0 += r3", "r1 += 1", "r2 -= 1",
      "if r2 != 0 goto -5", "exit"], result=sum(DATA), mem=DATA)
emit("prog-sum-input-words", f"loop summing the input as little-endian 32-bit words with 32-bit adds\n{SEC_MEM}; {SEC_JMP}",
     ["w0 = 0", "r3 = r1", "r3 += r2", "r4 = *(u32 *)(r1 + 0)", "w0 += w4", "r1 += 4",
      "if r1 < r3 goto -4", "exit"],
     result=sum(le(bytes([0xff] * 4 + [1, 0, 0, 0, 2, 0, 0, 0]), i, 4) for i in (0, 4, 8)) & M32,
     mem=bytes([0xff] * 4 + [1, 0, 0, 0, 2, 0, 0, 0]))
SW = bytes([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
emit("prog-byteswap-input", f"byte-swap the first 4 bytes of the input in place with be32, then read 8 bytes\n{SEC_END}; {SEC_MEM}",
     ["r3 = *(u32 *)(r1 + 0)", "r3 = be32 r3", "*(u32 *)(r1 + 0) = r3", "r0 = *(u64 *)(r1 + 0)", "exit"],
     result=0x0807060501020304, mem=SW)
emit("prog-byteswap-input-64", f"reverse the 8 input bytes with bswap64 and store them back\n{SEC_END}; {SEC_MEM}",
     ["r3 = *(u64 *)(r1 + 0)", "r3 = bswap64 r3", "*(u64 *)(r1 + 0) = r3", "r0 = *(u8 *)(r1 + 0)", "r0 <<= 8",
      "r4 = *(u8 *)(r1 + 7)", "r0 |= r4", "exit"], result=0x0801, mem=SW)
emit("prog-read-be16-field", f"read a big-endian 16-bit field (as in a network header) with ldxh + be16\n{SEC_END}; {SEC_MEM}",
     ["r0 = *(u16 *)(r1 + 2)", "r0 = be16 r0", "exit"], result=0x0800, mem=bytes([0, 0, 0x08, 0x00]))
emit("prog-factorial", f"10! computed with a multiply loop\n{SEC_ALU}; {SEC_JMP}",
     ["r0 = 1", "r1 = 10", "r0 *= r1", "r1 -= 1", "if r1 > 1 goto -3", "exit"], result=3628800)
emit("prog-fibonacci", f"fib(50) with a loop of 64-bit adds\n{SEC_ALU}; {SEC_JMP}",
     ["r0 = 0", "r1 = 1", "r3 = 50", "r2 = r0", "r2 += r1", "r0 = r1", "r1 = r2", "r3 -= 1",
      "if r3 != 0 goto -6", "exit"], result=12586269025)
emit("prog-gcd", f"gcd(1071, 462) by Euclid's algorithm with BPF_MOD\n{SEC_ALU}; {SEC_JMP}",
     ["r1 = 1071", "r2 = 462", "r3 = r1", "r3 %= r2", "r1 = r2", "r2 = r3", "if r2 != 0 goto -5",
      "r0 = r1", "exit"], result=21)
emit("prog-popcount", f"population count of a 64-bit value by shifting and masking\n{SEC_ALU}; {SEC_JMP}",
     [ld("r1", X1), "r0 = 0", "r2 = r1", "r2 &= 1", "r0 += r2", "r1 >>= 1", "if r1 != 0 goto -5", "exit"],
     result=bin(X1).count("1"))
emit("prog-prime", f"trial division: 10007 is prime (r0 = 1)\n{SEC_ALU}; {SEC_JMP}",
     ["r1 = 10007", "r0 = 1", "r2 = 2", "r3 = r1", "r3 %= r2", "if r3 == 0 goto +5", "r2 += 1", "r4 = r2",
      "r4 *= r2", "if r4 <= r1 goto -7", "exit", "r0 = 0", "exit"], result=1)
emit("prog-not-prime", f"trial division: 10001 = 73 * 137 is not prime (r0 = 0)\n{SEC_ALU}; {SEC_JMP}",
     ["r1 = 10001", "r0 = 1", "r2 = 2", "r3 = r1", "r3 %= r2", "if r3 == 0 goto +5", "r2 += 1", "r4 = r2",
      "r4 *= r2", "if r4 <= r1 goto -7", "exit", "r0 = 0", "exit"], result=0)
MX = bytes([3, 250, 17, 0x80, 251, 9])
emit("prog-max-signed-byte", f"signed maximum of the input bytes with ldxsb and jsgt\n{SEC_MEMSX}; {SEC_JMP}",
     ["r0 = -128", "r3 = *(s8 *)(r1 + 0)", "if r3 s<= r0 goto +1", "r0 = r3", "r1 += 1", "r2 -= 1",
      "if r2 != 0 goto -6", "exit"], result=17, mem=MX)
emit("prog-max-unsigned-byte", f"unsigned maximum of the input bytes with ldxb and jgt\n{SEC_MEM}; {SEC_JMP}",
     ["r0 = 0", "r3 = *(u8 *)(r1 + 0)", "if r3 <= r0 goto +1", "r0 = r3", "r1 += 1", "r2 -= 1",
      "if r2 != 0 goto -6", "exit"], result=251, mem=MX)
emit("prog-copy-input-to-stack", f"copy 16 input bytes to the stack one byte at a time, then read two words back\n{SEC_MEM}; {SEC_JMP}",
     ["r3 = r10", "r3 += -16", "r4 = 0", "r5 = r1", "r5 += r4", "r5 = *(u8 *)(r5 + 0)", "r6 = r3", "r6 += r4",
      "*(u8 *)(r6 + 0) = r5", "r4 += 1", "if r4 < 16 goto -8", "r0 = *(u64 *)(r10 - 16)", "r7 = *(u64 *)(r10 - 8)",
      "r0 ^= r7", "exit"], result=le(MEM, 0, 8) ^ le(MEM, 8, 8), mem=MEM)
emit("prog-collatz", f"Collatz steps from 27 to 1 (111 steps)\n{SEC_ALU}; {SEC_JMP}",
     ["r1 = 27", "r0 = 0", "r2 = r1", "r2 &= 1", "if r2 == 0 goto +3", "r1 *= 3", "r1 += 1", "goto +1",
      "r1 >>= 1", "r0 += 1", "if r1 != 1 goto -9", "exit"], result=111)
CK = bytes([0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
            0xc0, 0xa8, 0x00, 0xc7])


def csum(b):
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


assert csum(CK) == 0xb861  # the textbook IPv4 header example
emit("prog-alu32-checksum", f"16-bit ones' complement checksum (RFC 1071) of an IPv4 header with 32-bit ALU ops\n{SEC_ALU}; {SEC_END}; {SEC_JMP}",
     ["w0 = 0", "r3 = *(u16 *)(r1 + 0)", "r3 = be16 r3", "w0 += w3", "r1 += 2", "r2 -= 2", "if r2 != 0 goto -6",
      "w3 = w0", "w3 >>= 16", "w0 &= 0xffff", "w0 += w3", "w3 = w0", "w3 >>= 16", "w0 += w3", "w0 ^= 0xffff",
      "w0 &= 0xffff", "exit"], result=0xb861, mem=CK)
emit("prog-all-registers", f"every general register r0-r9 written and summed; r10 stays the frame pointer\n{SEC_ALU}",
     ["r0 = 0", "r1 = 1", "r2 = 2", "r3 = 3", "r4 = 4", "r5 = 5", "r6 = 6", "r7 = 7", "r8 = 8", "r9 = 9",
      "r0 += r1", "r0 += r2", "r0 += r3", "r0 += r4", "r0 += r5", "r0 += r6", "r0 += r7", "r0 += r8", "r0 += r9",
      "*(u64 *)(r10 - 8) = r0", "r0 = *(u64 *)(r10 - 8)", "exit"], result=45)
emit("prog-mixed-width-arith", f"mixing 64-bit and 32-bit arithmetic: a 32-bit op in the middle truncates\n{SEC_ALU}",
     ["r0 = 0x100000000 ll", "r0 += 0x7fffffff", "w0 += 1", "r0 <<= 4", "r0 -= 1", "exit"], result=0x7ffffffff)
emit("prog-signed-divmod-identity", f"(a s/ b) * b + (a s% b) == a for a = -1000003, b = 97\n{SEC_ALU}",
     ["r1 = -1000003", "r2 = 97", "r3 = r1", "r3 s/= r2", "r4 = r1", "r4 s%= r2", "r3 *= r2", "r3 += r4",
      "r0 = 0", "if r3 != r1 goto +1", "r0 = 1", "exit"], result=1)

# ---------------------------------------------------------------- program-local calls
SEC_CALL = "RFC 9669 4.3.2 (Program-Local Functions)"
emit("call-local-return-value", f"BPF_CALL src 1 (call PC += imm): the callee's r0 comes back; its exit returns to the caller\n{SEC_CALL}",
     ["r1 = 5", "call double", "r0 += 1", "exit", "double:", "r0 = r1", "r0 <<= 1", "exit"], result=11)
emit("call-local-pc-relative", f"BPF_CALL src 1 spelled with the relative imm: call pc+2 calls the instruction 2 after the next\n{SEC_CALL}",
     ["r1 = 20", "call pc+2", "r0 += 3", "exit", "r0 = r1", "exit"], result=23)
emit("call-local-backward", f"BPF_CALL src 1 with a negative imm: a later function calls an earlier one\n{SEC_CALL}",
     ["r1 = 5", "call f2", "exit", "f1:", "r0 = r1", "r0 += 100", "exit", "f2:", "r1 *= 2", "call -5", "r0 += 1",
      "exit"], result=111)
emit("call-local-preserves-r6-r9", f"r6-r9 are callee-saved: the caller's values survive a callee that writes them\n{SEC_CALL}",
     ["r6 = 6", "r7 = 7", "r8 = 8", "r9 = 9", "call f", "r0 += r6", "r0 += r7", "r0 += r8", "r0 += r9", "exit",
      "f:", "r6 = 1000", "r7 = 1000", "r8 = 1000", "r9 = 1000", "r0 = 1", "exit"], result=31)
emit("call-local-arguments", f"r1-r5 carry a call's arguments\n{SEC_CALL}",
     ["r1 = 1", "r2 = 20", "r3 = 300", "r4 = 4000", "r5 = 50000", "call sum", "exit",
      "sum:", "r0 = r1", "r0 += r2", "r0 += r3", "r0 += r4", "r0 += r5", "exit"], result=54321)
emit("call-local-own-stack", f"each function has its own stack frame: r10 - 8 in the callee is not the caller's slot\n{SEC_CALL}",
     ["r1 = 11", "*(u64 *)(r10 - 8) = r1", "call f", "r3 = *(u64 *)(r10 - 8)", "r0 *= 100", "r0 += r3", "exit",
      "f:", "r1 = 22", "*(u64 *)(r10 - 8) = r1", "r0 = *(u64 *)(r10 - 8)", "exit"], result=2211)
emit("call-local-stack-pointer-argument", f"a pointer into the caller's stack passed in r1: the callee writes through it\n{SEC_CALL}",
     ["r1 = 5", "*(u64 *)(r10 - 8) = r1", "r1 = r10", "r1 += -8", "call f", "r0 = *(u64 *)(r10 - 8)", "exit",
      "f:", "r2 = 42", "*(u64 *)(r1 + 0) = r2", "r0 = 0", "exit"], result=42)
emit("call-local-nested", f"nested calls: main -> a -> b -> c, each adding its own digit on return\n{SEC_CALL}",
     ["call a", "r0 += 1", "exit", "a:", "call b", "r0 += 10", "exit", "b:", "call c", "r0 += 100", "exit",
      "c:", "r0 = 1000", "exit"], result=1111)
emit("call-local-twice", f"the same function called twice from a loop returns to the right place each time\n{SEC_CALL}; {SEC_JMP}",
     ["r6 = 0", "r7 = 3", "r1 = r7", "call sq", "r6 += r0", "r7 -= 1", "if r7 != 0 goto -5", "r0 = r6", "exit",
      "sq:", "r0 = r1", "r0 *= r1", "exit"], result=9 + 4 + 1)
chain = ["call f1", "exit"]
for k in range(1, 8):
    chain += [f"f{k}:"] + ([f"call f{k + 1}"] if k < 7 else ["r0 = 0"]) + ["r0 += 1", "exit"]
emit("call-local-depth-8-frames", f"main and 7 nested callees: 8 frames, the kernel's MAX_CALL_FRAMES, still run\n{SEC_CALL}",
     chain, result=7)
chain = ["call f1", "exit"]
for k in range(1, 9):
    chain += [f"f{k}:"] + ([f"call f{k + 1}"] if k < 8 else ["r0 = 0"]) + ["r0 += 1", "exit"]
emit("error-call-depth-9-frames", "main and 8 nested callees need 9 frames: more than MAX_CALL_FRAMES (8)",
     chain, error="frames")

# ---------------------------------------------------------------- errors (few: the set is about results)
emit("error-uninit-register", "reading a register that nothing wrote is refused (the kernel's \"R5 !read_ok\")",
     ["r0 = r5", "exit"], error="r5 is read before")
emit("error-exit-without-r0", "exit with r0 never written is refused: r0 is the return value",
     ["exit"], error="without setting r0")
emit("error-uninit-on-one-path", "r3 is written only when the input is not empty; with no input the read faults",
     ["if r2 == 0 goto +1", "r3 = 1", "r0 = r3", "exit"], error="r3 is read before")
emit("prog-init-on-one-path-written", f"the same program as error-uninit-on-one-path, on the path that writes r3\n{SEC_JMP}",
     ["if r2 == 0 goto +1", "r3 = 1", "r0 = r3", "exit"], result=1, mem=bytes([0]))
emit("error-legacy-ld-abs", "legacy packet access (BPF_LD | BPF_ABS) is not part of the raw-memory model\n"
     "RFC 9669 5.5 (Legacy BPF Packet Access Instructions)",
     ["r6 = r1", "r0 = *(u8 *)skb[0]", "exit"], error="legacy packet access", mem=bytes([1, 2, 3, 4]))
emit("error-load-out-of-bounds", "an 8-byte load at offset 4 of an 8-byte input runs past its end",
     ["r0 = *(u64 *)(r1 + 4)", "exit"], error="is outside", mem=bytes(8))
emit("error-store-above-frame-pointer", "r10 points just past the stack: a store at r10 + 0 is outside it",
     ["r1 = 1", "*(u64 *)(r10 + 0) = r1", "r0 = 0", "exit"], error="outside")
emit("error-null-load", "with no input r1 = 0: loading through it faults",
     ["r0 = *(u8 *)(r1 + 0)", "exit"], error="NULL")
emit("error-infinite-loop", "a jump to itself never exits: the instruction budget stops it",
     ["r0 = 0", "goto -1", "exit"], error="budget")
emit("error-write-r10", "r10, the frame pointer, is read-only",
     ["r10 = 0", "r0 = 0", "exit"], error="r10")
emit("error-unknown-helper", "a call to a helper id nobody registered is refused",
     ["r0 = 0", "call 999", "exit"], error="999")

# ---------------------------------------------------------------- write
if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".data"):
            os.remove(os.path.join(OUT, old))
    for name, text in sorted(files.items()):
        with open(os.path.join(OUT, name + ".data"), "w") as f:
            f.write(text)
    groups = {}
    for name in files:
        g = name.split("-")[0]
        groups[g] = groups.get(g, 0) + 1
    print(len(files), "files", groups)
