"""Seeded generator of BPF programs the kernel's verifier accepts, written as BPF ELF objects.

A program is a tree of items (tools/oracle/oracle.py shrinks it by deleting items):
  ("insns", [insn...])                       straight-line instructions
  ("if", cond_insn, [then items], [else items])
  ("loop", count, [items])                   r6 counts down from count: bounded, so the verifier
                                             unrolls it
  ("call", n)                                a bpf-to-bpf call of subprogram n
The XDP program "prog" around the body: r7/r8 = data/data_end with one bounds check for 64 bytes,
r9 = the .data map's value (an array map with one 128-byte value), r0..r5 loaded from the packet or
set to edge values, the stack fp-64..fp-8 filled; at the end r0..r5 go to the value's first 48
bytes and the stack to its last 64, so every difference shows in the map, the packet or r0.

Everything comes from random.Random(seed): the same seed gives the same object.
"""
import random
import struct

# ---- instruction encoding (include/uapi/linux/bpf.h) ----
LD, LDX, ST, STX, ALU, JMP, JMP32, ALU64 = range(8)
W, H, B, DW = 0x00, 0x08, 0x10, 0x18
SIZE_BYTES = {W: 4, H: 2, B: 1, DW: 8}
IMM, MEM, MEMSX, ATOMIC = 0x00, 0x60, 0x80, 0xc0
K, X = 0x00, 0x08
ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END = (
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0)
JA, JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, CALL, EXIT, JLT, JLE, JSLT, JSLE = (
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0)
FETCH, XCHG, CMPXCHG = 0x01, 0xe1, 0xf1
CONDS = [JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE]


def insn(code, dst=0, src=0, off=0, imm=0):
    return (code, dst, src, off, imm)


def encode(i):
    code, dst, src, off, imm = i
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def ld_imm64(dst, value, src=0):
    """Two slots; src=2 (BPF_PSEUDO_MAP_VALUE) is resolved by a relocation to .data."""
    value &= (1 << 64) - 1
    lo, hi = value & 0xffffffff, value >> 32
    s32 = lambda v: v - (1 << 32) if v >= 1 << 31 else v
    return [insn(LD | DW | IMM, dst, src, 0, s32(lo)), insn(0, 0, 0, 0, s32(hi))]


EDGE = [0, 1, 2, 7, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
        0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000,
        0xffffffffffffffff, 0xfffffffffffffffe, 0xffffffff80000000, 0x80000000ffffffff]
STACK_SLOTS = 8            # fp-64..fp-8
VALUE_SIZE = 128           # the .data map's one value
PACKET_CHECKED = 64        # bytes the prologue's bounds check proves


def s32(v):
    v &= 0xffffffff
    return v - (1 << 32) if v >= 1 << 31 else v


class Gen:
    def __init__(self, seed, size=None):
        self.r = random.Random(seed)
        self.size = size if size is not None else self.r.randint(4, 40)
        self.subprogs = []   # lists of items
        # A socket filter reads its packet only through LD_ABS/LD_IND and bpf_skb_load_bytes.
        # A tc program (SEC("tc"), an __sk_buff) reads the packet directly like XDP, through
        # other ctx fields, and has its own packet helpers.
        t = self.r.random()
        self.type = "socket" if t < 0.3 else "tc" if t < 0.5 else "xdp"

    # -- operands --
    def imm(self):
        r = self.r
        c = r.random()
        if c < 0.5:
            return s32(r.choice(EDGE) + r.choice([0, 0, 0, 1, -1]))
        if c < 0.8:
            return r.randint(-16, 16)
        return s32(r.getrandbits(32))

    def value64(self):
        r = self.r
        if r.random() < 0.6:
            return (r.choice(EDGE) + r.choice([0, 0, 1, -1])) & ((1 << 64) - 1)
        return r.getrandbits(64)

    def reg(self):
        return self.r.randint(0, 5)

    # -- one straight-line instruction group over scalars r0..r5 --
    def alu(self):
        r = self.r
        cls = r.choice([ALU, ALU64])
        bits = 64 if cls == ALU64 else 32
        dst = self.reg()
        kind = r.random()
        if kind < 0.06:
            return [insn(cls | NEG, dst)]
        if kind < 0.14:   # byte swaps: le/be (ALU class) and bswap (ALU64 class, cpu v4)
            width = r.choice([16, 32, 64])
            return [insn(r.choice([ALU | END | K, ALU | END | X, ALU64 | END]), dst, 0, 0, width)]
        if kind < 0.22:   # movsx (cpu v4): off = source width
            offs = [8, 16, 32] if bits == 64 else [8, 16]
            return [insn(cls | MOV | X, dst, self.reg(), r.choice(offs))]
        if kind < 0.26:
            return ld_imm64(dst, self.value64())
        op = r.choice([ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, MOV, ARSH, DIV, MOD])
        off = 1 if op in (DIV, MOD) and r.random() < 0.5 else 0   # sdiv / smod
        if r.random() < 0.5:
            return [insn(cls | op | X, dst, self.reg(), off)]
        imm = self.imm()
        if op in (LSH, RSH, ARSH):
            imm = r.randrange(bits)        # the verifier refuses constant shifts >= width
        if op in (DIV, MOD) and imm == 0:
            imm = r.choice([-1, 3, 7])     # ... and constant division by zero
        return [insn(cls | op | K, dst, 0, off, imm)]

    def mem(self, in_subprog=False):
        """A load, store or atomic on the stack, the packet (r7) or the map value (r9)."""
        r = self.r
        area = "stack" if in_subprog else r.choice(["stack", "stack", "packet", "value"])
        if area == "packet" and self.type == "socket":
            area = "value"
        base, lo, hi = {"stack": (10, -8 * (2 if in_subprog else STACK_SLOTS), 0),
                        "packet": (7, 0, PACKET_CHECKED), "value": (9, 0, VALUE_SIZE)}[area]
        size = r.choice([B, H, W, DW])
        n = SIZE_BYTES[size]
        kind = r.random()
        if not in_subprog and area != "packet" and r.random() < 0.2:
            # (not the packet: a pointer with a variable offset has no proven range there)
            return self.var_offset_access(area, size)
        if kind < 0.3 and area != "packet":    # atomics: naturally aligned, W or DW
            size = r.choice([W, DW])
            n = SIZE_BYTES[size]
            off = lo + n * r.randrange((hi - lo) // n)
            op = r.choice([ADD, OR, AND, XOR, ADD | FETCH, OR | FETCH, AND | FETCH, XOR | FETCH,
                           XCHG, CMPXCHG])
            return [insn(STX | ATOMIC | size, base, self.reg(), off, op)]
        off = r.randrange(lo, hi - n + 1)
        if area == "stack":     # the verifier wants stack accesses aligned to their size
            off = lo + n * r.randrange((hi - lo) // n)
        if kind < 0.55:
            return [insn(LDX | r.choice([MEM, MEMSX]) | size, self.reg(), base, off)] if size != DW else \
                [insn(LDX | MEM | DW, self.reg(), base, off)]
        if kind < 0.75:
            return [insn(ST | MEM | size, base, 0, off, self.imm())]
        return [insn(STX | MEM | size, base, self.reg(), off)]

    def var_offset_access(self, area, size):
        """Through a pointer with a variable offset: rD = (rX & mask) + base, then *(rD + off).
        The mask keeps the access inside the value or the filled stack (stack offsets stay
        aligned as the verifier wants). A store leaves a
        pointer in rD: rD is set to a scalar after it, so no address reaches the map."""
        r = self.r
        n = SIZE_BYTES[size]
        d, x = self.reg(), self.reg()
        mask, base, off = {"value": (63, 9, None),
                           "stack": (0x38 & -n, 10, -8 * STACK_SLOTS)}[area]
        if off is None:
            off = r.randrange(0, VALUE_SIZE - mask - n + 1)
        code = [insn(ALU64 | MOV | X, d, x), insn(ALU64 | AND | K, d, 0, 0, mask),
                insn(ALU64 | ADD | X, d, base)]
        if r.random() < 0.5:
            sx = r.choice([MEM, MEMSX]) if size != DW else MEM
            return code + [insn(LDX | sx | size, d, d, off)]
        src = r.choice([v for v in range(6) if v != d])
        store = insn(STX | MEM | size, d, src, off) if r.random() < 0.6 else \
            insn(ST | MEM | size, d, 0, off, self.imm())
        return code + [store, insn(ALU64 | MOV | X, d, src)]

    def helper(self):
        """A helper call XDP programs may make whose result is the same in any run: packet
        adjustments (deltas that fit and that do not), byte loads and stores through the ctx,
        checksum differences of stack bytes, the frame's length, the CPU."""
        r = self.r
        if r.random() < 0.5:   # the hash map "h": keys and values are stack slots fp-8, -16, -24
            op = r.choice(["lookup", "update", "update", "delete"])
            # (the register added to a found value is not r0, which holds its address then)
            return ("map", op, r.randint(1, 3), r.randint(1, 3), r.choice([0, 0, 1, 2, 3, 4]),
                    self.reg(), r.randint(1, 5))
        if self.type == "tc":
            name = r.choice(["skb_load_bytes", "skb_store_bytes", "change_tail", "pull_data", "csum_diff", "cpu"])
            if name == "change_tail":
                return ("helper", name, r.choice([0, 13, 14, 15, 60, 64, 100, 1500, 3000, 70000]), r.choice([0, 0, 1]))
            if name == "pull_data":
                return ("helper", name, r.choice([0, 10, 64, 100, 200, 5000]))
            if name == "csum_diff":
                return ("helper", name, r.choice([0, 4, 8, 12, 16, 3]), r.choice([0, 4, 8, 16, 32, 6]), self.reg())
            return ("helper", name, r.choice([r.randint(0, 80), r.choice([-1, 0x7fffffff, 200])]), r.randint(1, 64),
                    r.choice([0, 0, 1, 2, 3]))
        if self.type == "socket":
            return ("helper", r.choice(["skb_load_bytes", "cpu"]),
                    r.choice([r.randint(0, 80), r.choice([-1, 0x7fffffff, 200])]), r.randint(1, 64))
        name = r.choice(["adjust_head", "adjust_tail", "adjust_meta", "load_bytes", "store_bytes",
                         "csum_diff", "buff_len", "cpu"])
        if name in ("adjust_head", "adjust_tail", "adjust_meta"):
            return ("helper", name, r.choice([r.randint(-20, 20), r.choice([-256, -255, -64, -40, -16, -4, 4, 16, 64, 255, 256, 1000, -1000, 3000])]))
        if name in ("load_bytes", "store_bytes"):
            return ("helper", name, r.choice([r.randint(0, 80), r.choice([-1, 0x7fffffff, 200])]), r.randint(1, 64))
        if name == "csum_diff":
            return ("helper", name, r.choice([0, 4, 8, 12, 16, 3]), r.choice([0, 4, 8, 16, 32, 6]), self.reg())
        return ("helper", name)

    def cond(self):
        r = self.r
        cls = r.choice([JMP, JMP32])
        if r.random() < 0.5:
            return insn(cls | r.choice(CONDS) | X, self.reg(), self.reg())
        return insn(cls | r.choice(CONDS) | K, self.reg(), 0, 0, self.imm())

    # -- item trees --
    def items(self, n, depth, in_loop=False, in_subprog=False):
        out = []
        r = self.r
        for _ in range(n):
            c = r.random()
            if depth < 2 and c < 0.12:
                out.append(("if", self.cond(), self.items(r.randint(1, 4), depth + 1, in_loop, in_subprog),
                            self.items(r.randint(0, 3), depth + 1, in_loop, in_subprog)))
            elif depth < 2 and not in_loop and not in_subprog and c < 0.16:
                out.append(("loop", r.randint(1, 6), self.items(r.randint(1, 4), depth + 1, True)))
            elif not in_subprog and c < 0.20:
                if not self.subprogs or (len(self.subprogs) < 3 and r.random() < 0.5):
                    self.subprogs.append(self.items(r.randint(1, 8), 1, False, True))
                out.append(("call", r.randrange(len(self.subprogs))))
            elif not in_subprog and c < 0.25:
                out.append(self.helper())
            elif self.type == "socket" and not in_subprog and not in_loop and c < 0.32:
                out.append(self.ld_abs())
            elif c < 0.45:
                out.append(("insns", self.mem(in_subprog)))
            else:
                out.append(("insns", self.alu()))
        return out

    def ld_abs(self):
        """LD_ABS/LD_IND (socket filter): offsets in and past the packet, negative ones and the
        SKF_NET_OFF/SKF_LL_OFF bases; out of bounds ends the program with r0 = 0."""
        r = self.r
        off = r.choice([r.randint(0, 70), r.randint(0, 70), -1, 0x7fffffff, -0x100000 + r.randint(0, 20),
                        -0x200000 + r.randint(0, 20)])
        return ("ldabs", r.choice([0x20, 0x40]), r.choice([B, H, W]), off, self.reg())

    def packet(self):
        r = self.r
        out = bytearray()
        while len(out) < PACKET_CHECKED:
            out += struct.pack("<Q", self.value64()) if r.random() < 0.5 else r.randbytes(8)
        return bytes(out + r.randbytes(r.randint(0, 32)))

    def program(self):
        body = self.items(self.size, 0)
        inits = self.inits()
        if self.type == "socket":   # no direct packet access: start from values
            inits = [("imm", self.value64()) if how == "pkt" else (how, v) for how, v in inits]
        return {"body": body, "subprogs": self.subprogs, "inits": inits, "packet": self.packet(), "type": self.type}

    def inits(self):
        """How r0..r5 start: ("pkt", offset) or ("imm", value)."""
        r = self.r
        return [("pkt", 8 * i) if r.random() < 0.6 else ("imm", self.value64()) for i in range(6)]


# ---- lowering items to instructions ----
def lower_calls(items):
    """Like lower, but returns (insns, [(insn index, subprog)]) with call sites at final indexes."""
    out, calls = [], []
    _lower_at(items, out, calls)
    return out, calls


def _lower_at(items, out, calls):
    # Lowering writes straight into out so call sites get their final index.
    for it in items:
        kind = it[0]
        if kind == "insns":
            out.extend(it[1])
        elif kind == "if":
            _, cond, then_items, else_items = it
            at = len(out)
            out.append(None)
            _lower_at(then_items, out, calls)
            if else_items:
                ja = len(out)
                out.append(None)
                _lower_at(else_items, out, calls)
                out[ja] = insn(JMP | JA, 0, 0, len(out) - ja - 1)
                out[at] = cond[:3] + (ja - at, cond[4])
            else:
                out[at] = cond[:3] + (len(out) - at - 1, cond[4])
        elif kind == "loop":
            _, count, body = it
            out.append(insn(ALU64 | MOV | K, 6, 0, 0, count))
            start = len(out)
            _lower_at(body, out, calls)
            out.append(insn(ALU64 | SUB | K, 6, 0, 0, 1))
            out.append(insn(JMP | JNE | K, 6, 0, start - (len(out) + 1), 0))
        elif kind == "call":
            calls.append((len(out), it[1]))
            out.append(insn(JMP | CALL, 0, 1, 0, -1))
            for reg in range(1, 6):
                out.append(insn(LDX | MEM | DW, reg, 10, -8 * reg))
        elif kind == "helper":
            out.extend(helper_code(it))
        elif kind == "map":
            out.extend(map_code(it))
        elif kind == "ldabs":   # r6 must be the ctx; r1..r5 are unreadable after
            _, mode, size, off, reg = it
            out += [insn(LDX | MEM | DW, 6, 10, CTX_SLOT), insn(LD | mode | size, 0, reg if mode == 0x40 else 0, 0, off)]
            out += [insn(LDX | MEM | DW, r, 10, -8 * r) for r in range(1, 6)]


HELPER_IDS = {"skb_store_bytes": 9, "skb_load_bytes": 26, "change_tail": 38, "pull_data": 39, "adjust_head": 44, "adjust_tail": 65, "adjust_meta": 54, "load_bytes": 189,
              "store_bytes": 190, "csum_diff": 28, "buff_len": 188, "cpu": 8}
CTX_SLOT = -8 * (STACK_SLOTS + 1)   # the prologue keeps ctx here for helper calls
EXIT_MARK = ("exit",)               # "packet now too short": a jump to the epilogue, patched later


def helper_code(it):
    name, args = it[1], it[2:]
    ctx = insn(LDX | MEM | DW, 1, 10, CTX_SLOT)
    mov = lambda reg, v: insn(ALU64 | MOV | K, reg, 0, 0, v)
    if name in ("adjust_head", "adjust_tail", "adjust_meta"):
        code = [ctx, mov(2, args[0])]
    elif name in ("load_bytes", "store_bytes", "skb_load_bytes", "skb_store_bytes"):
        code = [ctx, mov(2, args[0]), insn(ALU64 | MOV | X, 3, 10), insn(ALU64 | ADD | K, 3, 0, 0, -64),
                mov(4, args[1])]
        if name == "skb_store_bytes":   # flags: BPF_F_RECOMPUTE_CSUM, BPF_F_INVALIDATE_HASH, both
            code.append(mov(5, args[2]))
    elif name == "change_tail":
        code = [ctx, mov(2, args[0]), mov(3, args[1])]
    elif name == "pull_data":
        code = [ctx, mov(2, args[0])]
    elif name == "csum_diff":   # from fp-16 (its size), to fp-64 (its size), seed: a register
        code = [insn(ALU64 | MOV | X, 5, args[2]), insn(ALU64 | MOV | X, 1, 10), insn(ALU64 | ADD | K, 1, 0, 0, -16),
                mov(2, args[0]), insn(ALU64 | MOV | X, 3, 10), insn(ALU64 | ADD | K, 3, 0, 0, -64), mov(4, args[1])]
        if args[0] > 16:
            code[3] = mov(2, 16)
    elif name == "buff_len":
        code = [ctx]
    else:
        code = []
    code.append(insn(JMP | CALL, 0, 0, 0, HELPER_IDS[name]))
    if name not in ("csum_diff", "cpu", "skb_load_bytes"):
        # The helper may have moved the packet: the verifier forgets r7/r8; derive and check again.
        data, end = (76, 80) if name in ("skb_store_bytes", "change_tail", "pull_data") else (0, 4)  # __sk_buff / xdp_md
        code += [ctx, insn(LDX | MEM | W, 7, 1, data), insn(LDX | MEM | W, 8, 1, end), insn(ALU64 | MOV | X, 1, 7),
                 insn(ALU64 | ADD | K, 1, 0, 0, PACKET_CHECKED), EXIT_MARK]
    return code + [insn(LDX | MEM | DW, reg, 10, -8 * reg) for reg in range(1, 6)]


HASH = dict(type=1, key_size=8, value_size=8, max_entries=4)   # small: updates meet -E2BIG


def map_code(it):
    """A hash map helper call on "h" (key fp-8*k, value fp-8*v, update flags as generated:
    BPF_ANY, NOEXIST, EXIST, and the invalid 3 and F_LOCK). A lookup that finds the key adds a
    register to the value atomically and reads it back into r0."""
    _, op, k, v, flags, a, b = it
    fp = lambda reg, slot: [insn(ALU64 | MOV | X, reg, 10), insn(ALU64 | ADD | K, reg, 0, 0, -8 * slot)]
    code = ld_imm64(1, 0, src=1) + fp(2, k)   # src=1: the map's fd, by a relocation to "h"
    if op == "update":
        code += fp(3, v) + [insn(ALU64 | MOV | K, 4, 0, 0, flags)]
    code.append(insn(JMP | CALL, 0, 0, 0, {"lookup": 1, "update": 2, "delete": 3}[op]))
    code += [insn(LDX | MEM | DW, reg, 10, -8 * reg) for reg in range(1, 6)]
    if op == "lookup":
        code += [insn(JMP | JEQ | K, 0, 0, 3, 0), insn(STX | ATOMIC | DW, 0, b, 0, ADD),
                 insn(LDX | MEM | DW, a, 0, 0), insn(ALU64 | MOV | X, 0, a)]
    return code


def map_sites(code):
    """Indexes of the lddw instructions that load the hash map's fd."""
    return [i for i, ins in enumerate(code) if ins[0] == LD | DW | IMM and ins[2] == 1]


def main_code(prog):
    """The XDP program's instructions, the index of its map-value lddw, its call sites."""
    code = [insn(ALU64 | MOV | X, 6, 1),
            insn(STX | MEM | DW, 10, 1, CTX_SLOT)]
    if prog.get("type", "xdp") in ("xdp", "tc"):
        data, end = (76, 80) if prog["type"] == "tc" else (0, 4)   # __sk_buff / xdp_md
        code += [insn(LDX | MEM | W, 7, 6, data),         # data
                 insn(LDX | MEM | W, 8, 6, end),          # data_end
                 insn(ALU64 | MOV | X, 1, 7),
                 insn(ALU64 | ADD | K, 1, 0, 0, PACKET_CHECKED),
                 insn(JMP | JLE | X, 1, 8, 2),            # enough bytes: skip the early exit
                 insn(ALU64 | MOV | K, 0, 0, 0, 0),
                 insn(JMP | EXIT)]
    value_at = len(code)
    code += ld_imm64(9, 0, src=2)
    for reg, (how, v) in enumerate(prog["inits"]):
        code += [insn(LDX | MEM | DW, reg, 7, v)] if how == "pkt" else ld_imm64(reg, v)
    for slot in range(STACK_SLOTS):   # fp-8 = r1 ... fp-40 = r5 (the reload after calls), then more
        code.append(insn(STX | MEM | DW, 10, (slot + 1) % 6, -8 * (slot + 1)))
    body, calls = lower_calls(prog["body"])
    calls = [(len(code) + at, n) for at, n in calls]
    code += body
    if EXIT_MARK in code:
        # Packet too short after a helper: r1..r5 reloaded, then the usual epilogue.
        code.append(insn(JMP | JA, 0, 0, 5))
        landing = len(code)
        code += [insn(LDX | MEM | DW, reg, 10, -8 * reg) for reg in range(1, 6)]
        for i, ins in enumerate(code):
            if ins == EXIT_MARK:
                code[i] = insn(JMP | JGT | X, 1, 8, landing - i - 1)
    for reg in range(6):
        code.append(insn(STX | MEM | DW, 9, reg, 8 * reg))
    for slot in range(STACK_SLOTS):
        code.append(insn(LDX | MEM | DW, 1, 10, -8 * (slot + 1)))
        code.append(insn(STX | MEM | DW, 9, 1, 64 + 8 * slot))
    code.append(insn(JMP | EXIT))
    return code, value_at, calls


def subprog_code(items):
    """r0 = r1, its own stack's two slots filled, the items, exit: r0 is what it returns."""
    code = [insn(ALU64 | MOV | X, 0, 1),
            insn(STX | MEM | DW, 10, 2, -8), insn(STX | MEM | DW, 10, 3, -16)]
    body, calls = lower_calls(items)
    assert not calls
    return code + body + [insn(JMP | EXIT)]


# ---- the ELF object ----
def elf_object(prog):
    """A relocatable BPF ELF as clang writes one: SEC("xdp") prog, static subprograms in .text
    (called through R_BPF_64_32), a 128-byte .data (global data: an array map that libbpf and
    bpfplay create, reached by an R_BPF_64_64 lddw), license GPL. No BTF: none is needed."""
    code, value_at, calls = main_code(prog)
    text, starts = [], []
    for items in prog["subprogs"]:
        starts.append(len(text))
        text += subprog_code(items)
    sec = prog.get("type", "xdp")   # "xdp" or "socket": the section names the program type
    names = [".strtab", sec, ".text", ".data", "license", ".symtab", ".rel" + sec, "maps", "prog", "h"] + \
        [f"sub{n}" for n in range(len(prog["subprogs"]))]
    strtab = b"\0"
    name_off = {}
    for nm in names:
        name_off[nm] = len(strtab)
        strtab += nm.encode() + b"\0"
    # symbols: null, .data section (local), subprograms (local funcs), prog (global func)
    sym = lambda name, info, shndx, value, size: struct.pack("<IBBHQQ", name, info, 0, shndx, value, size)
    syms = [sym(0, 0, 0, 0, 0), sym(0, 3, 4, 0, 0)]             # STT_SECTION, .data is section 4
    sub_sym = {}
    for n in range(len(prog["subprogs"])):
        sub_sym[n] = len(syms)
        nxt = starts[n + 1] if n + 1 < len(starts) else len(text)
        syms.append(sym(name_off[f"sub{n}"], 0x02, 3, 8 * starts[n], 8 * (nxt - starts[n])))
    first_global = len(syms)
    syms.append(sym(name_off["prog"], 0x12, 2, 0, 8 * len(code)))
    syms.append(sym(name_off["h"], 0x11, 8, 0, 20))                # GLOBAL OBJECT in "maps"
    rel = struct.pack("<QQ", 8 * value_at, (1 << 32) | 1)        # R_BPF_64_64 against .data
    for at in map_sites(code):
        rel += struct.pack("<QQ", 8 * at, ((first_global + 1) << 32) | 1)   # ... against "h"
    for at, n in calls:
        rel += struct.pack("<QQ", 8 * at, (sub_sym[n] << 32) | 10)  # R_BPF_64_32
    sections = [  # name, type, flags, data, link, info, align, entsize
        (".strtab", 3, 0, strtab, 0, 0, 1, 0),
        (sec, 1, 6, b"".join(map(encode, code)), 0, 0, 8, 0),
        (".text", 1, 6, b"".join(map(encode, text)), 0, 0, 8, 0),
        (".data", 1, 3, bytes(VALUE_SIZE), 0, 0, 8, 0),
        ("license", 1, 3, b"GPL\0", 0, 0, 1, 0),
        (".symtab", 2, 0, b"".join(syms), 1, first_global, 8, 24),
        (".rel" + sec, 9, 0x40, rel, 6, 2, 8, 16),
        # A legacy struct bpf_map_def (libbpf 1.x refuses these; bpfplay reads them, and
        # tools/oracle/kernel_bpf.py creates the map itself): no BTF needed.
        ("maps", 1, 3, struct.pack("<5I", HASH["type"], HASH["key_size"], HASH["value_size"], HASH["max_entries"], 0),
         0, 0, 4, 0),
    ]
    body = bytearray()
    offsets = []
    for s in sections:
        while (64 + len(body)) % 8:
            body.append(0)
        offsets.append(64 + len(body))
        body += s[3]
    while (64 + len(body)) % 8:
        body.append(0)
    shoff = 64 + len(body)
    hdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    hdr += struct.pack("<HHIQQQIHHHHHH", 1, 247, 1, 0, 0, shoff, 0, 64, 0, 0, 64, len(sections) + 1, 1)
    shdrs = bytes(64)
    for s, off in zip(sections, offsets):
        name, typ, flags, data, link, info, align, entsize = s
        shdrs += struct.pack("<IIQQQQIIQQ", name_off[name], typ, flags, 0, off, len(data), link, info, align, entsize)
    return hdr + bytes(body) + shdrs


def generate(seed, size=None):
    return Gen(seed, size).program()


def kinds(prog):
    """The instruction kinds a program uses, as "class/op/detail" strings (coverage report)."""
    code, _, _ = main_code(prog)
    for items in prog["subprogs"]:
        code += subprog_code(items)
    out = set()
    for code_, dst, src, off, imm in code:
        cls = code_ & 7
        if cls in (ALU, ALU64):
            op = code_ & 0xf0
            tag = f"{'alu64' if cls == ALU64 else 'alu32'}.{op:#04x}.{'x' if code_ & X else 'k'}"
            if op in (DIV, MOD) and off == 1:
                tag += ".signed"
            if op == MOV and off:
                tag += f".sx{off}"
            if op == END:
                tag += f".{imm}"
            out.add(tag)
        elif cls in (JMP, JMP32):
            out.add(f"{'jmp' if cls == JMP else 'jmp32'}.{code_ & 0xf0:#04x}.{'x' if code_ & X else 'k'}"
                    + (f".helper{imm}" if code_ == JMP | CALL and src == 0 else ""))
        elif cls == STX and code_ & 0xe0 == ATOMIC:
            out.add(f"atomic.{code_ & 0x18:#04x}.{imm:#04x}")
        elif code_ == 0 and dst == 0 and src == 0:
            continue   # lddw's second slot
        else:
            out.add(f"mem.{code_:#04x}")
    return out
