#!/usr/bin/env python3
"""Minimal independent assembler for the syntax subset the data files use (cross-check only)."""
import re
import struct
import sys

M64 = (1 << 64) - 1
SZ = {"u8": 0x10, "u16": 0x08, "u32": 0x00, "u64": 0x18, "s8": 0x10, "s16": 0x08, "s32": 0x00}
ALU = {"+=": 0x00, "-=": 0x10, "*=": 0x20, "/=": 0x30, "|=": 0x40, "&=": 0x50, "<<=": 0x60, ">>=": 0x70,
       "%=": 0x90, "^=": 0xa0, "=": 0xb0, "s>>=": 0xc0, "s/=": 0x30, "s%=": 0x90}
JMP = {"==": 0x10, ">": 0x20, ">=": 0x30, "&": 0x40, "!=": 0x50, "s>": 0x60, "s>=": 0x70, "<": 0xa0, "<=": 0xb0,
       "s<": 0xc0, "s<=": 0xd0}
AOP = {"+=": 0x00, "|=": 0x40, "&=": 0x50, "^=": 0xa0}
AFN = {"add": 0x00, "or": 0x40, "and": 0x50, "xor": 0xa0}


def ins(op, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", op, dst | (src << 4), off, imm)


def n(s):
    return int(s.replace(" ", ""), 0)


def s32(v):
    v &= 0xffffffff
    return v - (1 << 32) if v >> 31 else v


def reg(s):
    return int(s[1:])


def memref(s):
    m = re.fullmatch(r"r(\d+)\s*([+-])\s*(\w+)", s.strip())
    off = int(m.group(3), 0)
    return int(m.group(1)), -off if m.group(2) == "-" else off


def assemble_line(l):
    l = l.strip()
    if not l:
        return b""
    if l == "exit":
        return ins(0x95)
    if m := re.fullmatch(r"call (\d+)", l):
        return ins(0x85, imm=int(m.group(1)))
    if m := re.fullmatch(r"goto ([+-]\d+)", l):
        return ins(0x05, off=int(m.group(1)))
    if m := re.fullmatch(r"gotol ([+-]\d+)", l):
        return ins(0x06, imm=int(m.group(1)))
    if m := re.fullmatch(r"r(\d+) = (\S+) ll", l):
        v = int(m.group(2), 0) & M64
        return ins(0x18, int(m.group(1)), imm=s32(v)) + ins(0, imm=s32(v >> 32))
    if m := re.fullmatch(r"r(\d+) = \*\(u(\d+) \*\)skb\[(\d+)\]", l):
        return ins(0x20 | SZ["u" + m.group(2)], imm=int(m.group(3)))
    if m := re.fullmatch(r"r(\d+) = \*\(([us]\d+) \*\)\((.*)\)", l):
        b, off = memref(m.group(3))
        mode = 0x80 if m.group(2)[0] == "s" else 0x60
        return ins(mode | SZ[m.group(2)] | 0x01, int(m.group(1)), b, off)
    if m := re.fullmatch(r"\*\((u\d+) \*\)\((.*)\) = (r\d+)", l):
        b, off = memref(m.group(2))
        return ins(0x60 | SZ[m.group(1)] | 0x03, b, reg(m.group(3)), off)
    if m := re.fullmatch(r"\*\((u\d+) \*\)\((.*)\) = (-?\w+)", l):
        b, off = memref(m.group(2))
        return ins(0x60 | SZ[m.group(1)] | 0x02, b, 0, off, s32(int(m.group(3), 0)))
    if m := re.fullmatch(r"lock \*\((u\d+) \*\)\((.*)\) (\S+) [rw](\d+)", l):
        b, off = memref(m.group(2))
        return ins(0xc0 | SZ[m.group(1)] | 0x03, b, int(m.group(4)), off, AOP[m.group(3)])
    if m := re.fullmatch(r"[rw](\d+) = atomic_fetch_(\w+)\(\((u\d+) \*\)\((.*)\), [rw](\d+)\)", l):
        b, off = memref(m.group(4))
        return ins(0xc0 | SZ[m.group(3)] | 0x03, b, int(m.group(5)), off, AFN[m.group(2)] | 1)
    if m := re.fullmatch(r"[rw](\d+) = xchg(32_32|_64)\((.*), [rw](\d+)\)", l):
        b, off = memref(m.group(3))
        return ins(0xc0 | (0x18 if m.group(2) == "_64" else 0) | 0x03, b, int(m.group(4)), off, 0xe1)
    if m := re.fullmatch(r"[rw]0 = cmpxchg(32_32|_64)\((.*), [rw]0, [rw](\d+)\)", l):
        b, off = memref(m.group(2))
        return ins(0xc0 | (0x18 if m.group(1) == "_64" else 0) | 0x03, b, int(m.group(3)), off, 0xf1)
    if m := re.fullmatch(r"([rw])(\d+) = \(s(\d+)\)[rw](\d+)", l):
        return ins(0xbf if m.group(1) == "r" else 0xbc, int(m.group(2)), int(m.group(4)), int(m.group(3)))
    if m := re.fullmatch(r"([rw])(\d+) = -[rw](\d+)", l):
        return ins(0x87 if m.group(1) == "r" else 0x84, int(m.group(2)))
    if m := re.fullmatch(r"r(\d+) = (be|le|bswap)(\d+) r\d+", l):
        op = {"le": 0xd4, "be": 0xdc, "bswap": 0xd7}[m.group(2)]
        return ins(op, int(m.group(1)), imm=int(m.group(3)))
    if m := re.fullmatch(r"if ([rw])(\d+) (\S+) ([rw]\d+|-?\w+) goto ([+-]\d+)", l):
        cls = 0x05 if m.group(1) == "r" else 0x06
        code = JMP[m.group(3)]
        if m.group(4)[0] in "rw" and m.group(4)[1:].isdigit():
            return ins(cls | code | 0x08, int(m.group(2)), reg(m.group(4)), int(m.group(5)))
        return ins(cls | code, int(m.group(2)), 0, int(m.group(5)), s32(int(m.group(4), 0)))
    if m := re.fullmatch(r"([rw])(\d+) (\S+) ([rw]\d+|-?\w+)", l):
        cls = 0x07 if m.group(1) == "r" else 0x04
        code = ALU[m.group(3)]
        off = 1 if m.group(3) in ("s/=", "s%=") else 0
        if m.group(4)[0] in "rw" and m.group(4)[1:].isdigit():
            return ins(cls | code | 0x08, int(m.group(2)), reg(m.group(4)), off)
        return ins(cls | code, int(m.group(2)), 0, off, s32(int(m.group(4), 0)))
    raise ValueError("cannot assemble: " + l)


def assemble(text):
    return b"".join(assemble_line(l) for l in text.split("\n"))


if __name__ == "__main__":
    print(assemble(sys.stdin.read()).hex())
