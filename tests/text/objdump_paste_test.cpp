// Pasting real llvm-objdump output: the assembler must give back the object's own bytes.
// Both pastes were captured from clang 14 objects (clang -O2 -g -target bpf -mcpu=v3), and
// each expected byte string is the concatenation of the objects' code sections
// (llvm-objcopy -O binary --only-section=...).
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/text/asm.hpp"
#include "core/text/disasm.hpp"
#include "text/hex.hpp"

namespace {

// q.c: a loop with a backward jump, ld_abs, a map lookup (R_BPF_64_64 relocation), 32-bit
// atomics that objdump 14 misprints or cannot print (their hex bytes have to be used), a local
// call and bswap. Printed with `llvm-objdump -dr`.
const char* const kQDump = R"OBJ(
q.o:	file format elf64-bpf

Disassembly of section .text:

0000000000000000 <sum>:
       0:	b4 00 00 00 00 00 00 00	w0 = 0
       1:	c6 02 0c 00 01 00 00 00	if w2 s< 1 goto +12 <LBB1_3>
       2:	b4 04 00 00 00 00 00 00	w4 = 0
       3:	b7 03 00 00 00 00 00 00	r3 = 0
       4:	bc 22 00 00 00 00 00 00	w2 = w2

0000000000000028 <LBB1_2>:
       5:	bc 45 00 00 00 00 00 00	w5 = w4
       6:	c4 05 00 00 01 00 00 00	w5 s>>= 1
       7:	61 10 00 00 00 00 00 00	r0 = *(u32 *)(r1 + 0)
       8:	ac 50 00 00 00 00 00 00	w0 ^= w5
       9:	0c 40 00 00 00 00 00 00	w0 += w4
      10:	07 01 00 00 04 00 00 00	r1 += 4
      11:	07 03 00 00 01 00 00 00	r3 += 1
      12:	bc 04 00 00 00 00 00 00	w4 = w0
      13:	ad 23 f7 ff 00 00 00 00	if r3 < r2 goto -9 <LBB1_2>

0000000000000070 <LBB1_3>:
      14:	95 00 00 00 00 00 00 00	exit

Disassembly of section socket:

0000000000000000 <prog>:
       0:	bf 18 00 00 00 00 00 00	r8 = r1
       1:	b4 09 00 00 00 00 00 00	w9 = 0
       2:	63 9a fc ff 00 00 00 00	*(u32 *)(r10 - 4) = r9
       3:	bf 86 00 00 00 00 00 00	r6 = r8
       4:	28 00 00 00 0c 00 00 00	r0 = *(u16 *)skb[12]
       5:	bf 07 00 00 00 00 00 00	r7 = r0
       6:	30 00 00 00 17 00 00 00	r0 = *(u8 *)skb[23]
       7:	bf 06 00 00 00 00 00 00	r6 = r0
       8:	bf a2 00 00 00 00 00 00	r2 = r10
       9:	07 02 00 00 fc ff ff ff	r2 += -4
      10:	18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00	r1 = 0 ll
		0000000000000050:  R_BPF_64_64	counters
      12:	85 00 00 00 01 00 00 00	call 1
      13:	bf 01 00 00 00 00 00 00	r1 = r0
      14:	15 01 38 00 00 00 00 00	if r1 == 0 goto +56 <LBB0_2>
      15:	b4 02 00 00 01 00 00 00	w2 = 1
      16:	c3 21 00 00 01 00 00 00	lock *(u32 *)(r1 + 0) += r2
      17:	b4 03 00 00 02 00 00 00	w3 = 2
      18:	c3 31 00 00 40 00 00 00	<unknown>
      19:	c3 21 00 00 a0 00 00 00	<unknown>
      20:	b4 00 00 00 07 00 00 00	w0 = 7
      21:	c3 01 00 00 e1 00 00 00	<unknown>
      22:	b4 02 00 00 09 00 00 00	w2 = 9
      23:	c3 21 00 00 f1 00 00 00	<unknown>
      24:	61 81 00 00 00 00 00 00	r1 = *(u32 *)(r8 + 0)
      25:	bc 62 00 00 00 00 00 00	w2 = w6
      26:	24 02 00 00 07 00 00 00	w2 *= 7
      27:	bc 13 00 00 00 00 00 00	w3 = w1
      28:	0c 23 00 00 00 00 00 00	w3 += w2
      29:	63 3a f8 ff 00 00 00 00	*(u32 *)(r10 - 8) = r3
      30:	bc 62 00 00 00 00 00 00	w2 = w6
      31:	24 02 00 00 06 00 00 00	w2 *= 6
      32:	bc 13 00 00 00 00 00 00	w3 = w1
      33:	0c 23 00 00 00 00 00 00	w3 += w2
      34:	63 3a f4 ff 00 00 00 00	*(u32 *)(r10 - 12) = r3
      35:	bc 62 00 00 00 00 00 00	w2 = w6
      36:	24 02 00 00 05 00 00 00	w2 *= 5
      37:	bc 13 00 00 00 00 00 00	w3 = w1
      38:	0c 23 00 00 00 00 00 00	w3 += w2
      39:	63 3a f0 ff 00 00 00 00	*(u32 *)(r10 - 16) = r3
      40:	bc 62 00 00 00 00 00 00	w2 = w6
      41:	64 02 00 00 02 00 00 00	w2 <<= 2
      42:	bc 13 00 00 00 00 00 00	w3 = w1
      43:	0c 23 00 00 00 00 00 00	w3 += w2
      44:	63 3a ec ff 00 00 00 00	*(u32 *)(r10 - 20) = r3
      45:	bc 62 00 00 00 00 00 00	w2 = w6
      46:	24 02 00 00 03 00 00 00	w2 *= 3
      47:	bc 13 00 00 00 00 00 00	w3 = w1
      48:	0c 23 00 00 00 00 00 00	w3 += w2
      49:	63 3a e8 ff 00 00 00 00	*(u32 *)(r10 - 24) = r3
      50:	bc 62 00 00 00 00 00 00	w2 = w6
      51:	64 02 00 00 01 00 00 00	w2 <<= 1
      52:	bc 13 00 00 00 00 00 00	w3 = w1
      53:	0c 23 00 00 00 00 00 00	w3 += w2
      54:	63 3a e4 ff 00 00 00 00	*(u32 *)(r10 - 28) = r3
      55:	63 1a dc ff 00 00 00 00	*(u32 *)(r10 - 36) = r1
      56:	0c 61 00 00 00 00 00 00	w1 += w6
      57:	63 1a e0 ff 00 00 00 00	*(u32 *)(r10 - 32) = r1
      58:	54 07 00 00 07 00 00 00	w7 &= 7
      59:	bf a1 00 00 00 00 00 00	r1 = r10
      60:	07 01 00 00 dc ff ff ff	r1 += -36
      61:	bc 72 00 00 00 00 00 00	w2 = w7
      62:	85 10 00 00 ff ff ff ff	call -1
		00000000000001f0:  R_BPF_64_32	.text
      63:	bc 01 00 00 00 00 00 00	w1 = w0
      64:	34 01 00 00 0d 00 00 00	w1 /= 13
      65:	24 01 00 00 0d 00 00 00	w1 *= 13
      66:	bc 09 00 00 00 00 00 00	w9 = w0
      67:	1c 19 00 00 00 00 00 00	w9 -= w1
      68:	dc 00 00 00 10 00 00 00	r0 = be16 r0
      69:	0c 09 00 00 00 00 00 00	w9 += w0
      70:	04 09 00 00 77 98 ba dc	w9 += -591751049

0000000000000238 <LBB0_2>:
      71:	bc 90 00 00 00 00 00 00	w0 = w9
      72:	95 00 00 00 00 00 00 00	exit
)OBJ";

// .text + socket sections of q.o
const char* const kQBytes =
    "b400000000000000c6020c0001000000b404000000000000b703000000000000"
    "bc22000000000000bc45000000000000c4050000010000006110000000000000"
    "ac500000000000000c4000000000000007010000040000000703000001000000"
    "bc04000000000000ad23f7ff000000009500000000000000bf18000000000000"
    "b409000000000000639afcff00000000bf86000000000000280000000c000000"
    "bf070000000000003000000017000000bf06000000000000bfa2000000000000"
    "07020000fcffffff180100000000000000000000000000008500000001000000"
    "bf010000000000001501380000000000b402000001000000c321000001000000"
    "b403000002000000c331000040000000c3210000a0000000b400000007000000"
    "c3010000e1000000b402000009000000c3210000f10000006181000000000000"
    "bc620000000000002402000007000000bc130000000000000c23000000000000"
    "633af8ff00000000bc620000000000002402000006000000bc13000000000000"
    "0c23000000000000633af4ff00000000bc620000000000002402000005000000"
    "bc130000000000000c23000000000000633af0ff00000000bc62000000000000"
    "6402000002000000bc130000000000000c23000000000000633aecff00000000"
    "bc620000000000002402000003000000bc130000000000000c23000000000000"
    "633ae8ff00000000bc620000000000006402000001000000bc13000000000000"
    "0c23000000000000633ae4ff00000000631adcff000000000c61000000000000"
    "631ae0ff000000005407000007000000bfa100000000000007010000dcffffff"
    "bc7200000000000085100000ffffffffbc01000000000000340100000d000000"
    "240100000d000000bc090000000000001c19000000000000dc00000010000000"
    "0c09000000000000040900007798badcbc900000000000009500000000000000";

// p.c: 64-bit atomics, a 64-bit lddw, a local call, forward jumps. Printed with
// `llvm-objdump -d -S --no-show-raw-insn`: source lines as ";" comments, no byte column.
const char* const kPDump = R"OBJ(
pg.o:	file format elf64-bpf

Disassembly of section .text:

0000000000000000 <helper_fn>:
; static __attribute__((noinline)) int helper_fn(int x, long *p) {
       0:	w0 = w1
;     if (x > 5) return x * 3;
       1:	if w0 s< 6 goto +2 <LBB1_2>
       2:	w0 *= 3
       3:	goto +5 <LBB1_3>

0000000000000020 <LBB1_2>:
;     __sync_fetch_and_add(p, x);
       4:	w1 = w0
       5:	r1 <<= 32
       6:	r1 s>>= 32
       7:	lock *(u64 *)(r2 + 0) += r1
;     return x - 1;
       8:	w0 += -1

0000000000000048 <LBB1_3>:
; }
       9:	exit

Disassembly of section xdp:

0000000000000000 <xdp_prog>:
;     void *end = (void *)(long)ctx->data_end;
       0:	r2 = *(u32 *)(r1 + 4)
;     void *data = (void *)(long)ctx->data;
       1:	r8 = *(u32 *)(r1 + 0)
       2:	w1 = 0
;     int key = 0;
       3:	*(u32 *)(r10 - 4) = r1
       4:	w1 = 1
;     if (data + 14 > end) return 1;
       5:	r3 = r8
       6:	r3 += 14
       7:	if r3 > r2 goto +47 <LBB0_11>
;     __u16 proto = *(__u16 *)(p + 12);
       8:	r6 = *(u16 *)(r8 + 12)
       9:	r2 = r10
;     __u16 proto = *(__u16 *)(p + 12);
      10:	r2 += -4
;     long *v = (long *)bpf_map_lookup_elem(&my_map, &key);
      11:	r1 = 0 ll
      13:	call 1
      14:	r7 = r0
      15:	w1 = 2
;     if (!v) return 2;
      16:	if r7 == 0 goto +38 <LBB0_11>
      17:	r1 = 1
;     __sync_fetch_and_add(v, 1);
      18:	lock *(u64 *)(r7 + 0) += r1
      19:	r9 = 2
;     cnt = __sync_fetch_and_add(v, 2);
      20:	r9 = atomic_fetch_add((u64 *)(r7 + 0), r9)
      21:	r1 = 4
;     __sync_fetch_and_or(v, 4);
      22:	lock *(u64 *)(r7 + 0) |= r1
      23:	r1 = 6
;     __sync_val_compare_and_swap(v, 5, 6);
      24:	r0 = 5
      25:	r0 = cmpxchg_64(r7 + 0, r0, r1)
      26:	r1 = 7
;     __atomic_exchange_n(v, 7, __ATOMIC_SEQ_CST);
      27:	r1 = xchg_64(r7 + 0, r1)
;     int r = helper_fn(proto, v);
      28:	w1 = w6
      29:	r2 = r7
      30:	call -1
      31:	r1 = 81985529216486895 ll
;     unsigned long long big = 0x123456789abcdefULL + cnt;
      33:	r9 += r1
;     *(volatile __u64 *)v = big;
      34:	*(u64 *)(r7 + 0) = r9
;     if ((__u32)r > 100) return __builtin_bswap32(r);
      35:	if w0 > 100 goto +17 <LBB0_4>
      36:	w1 = 0
;     for (int i = 0; i < 4; i++) { if (p[i] == 0xff) return i; }
      37:	r2 = *(u8 *)(r8 + 0)
      38:	if w2 == 255 goto +16 <LBB0_11>
      39:	r2 = *(u8 *)(r8 + 1)
      40:	w1 = 1
      41:	if w2 == 255 goto +13 <LBB0_11>
      42:	r2 = *(u8 *)(r8 + 2)
      43:	w1 = 2
      44:	if w2 == 255 goto +10 <LBB0_11>
      45:	w1 = 3
;     for (int i = 0; i < 4; i++) { if (p[i] == 0xff) return i; }
      46:	r2 = *(u8 *)(r8 + 3)
      47:	if w2 == 255 goto +7 <LBB0_11>
      48:	w1 = 4
;     return r >> 3 ? (long)r / 7 : 4;
      49:	if w0 < 8 goto +5 <LBB0_11>
      50:	w0 &= 255
      51:	w0 /= 7
      52:	goto +1 <LBB0_10>

00000000000001a8 <LBB0_4>:
;     if ((__u32)r > 100) return __builtin_bswap32(r);
      53:	r0 = be32 r0

00000000000001b0 <LBB0_10>:
      54:	w1 = w0

00000000000001b8 <LBB0_11>:
; }
      55:	w0 = w1
      56:	exit
)OBJ";

// .text + xdp sections of p.o
const char* const kPBytes =
    "bc10000000000000c60002000600000024000000030000000500050000000000"
    "bc010000000000006701000020000000c701000020000000db12000000000000"
    "04000000ffffffff950000000000000061120400000000006118000000000000"
    "b401000000000000631afcff00000000b401000001000000bf83000000000000"
    "070300000e0000002d232f000000000069860c0000000000bfa2000000000000"
    "07020000fcffffff180100000000000000000000000000008500000001000000"
    "bf07000000000000b4010000020000001507260000000000b701000001000000"
    "db17000000000000b709000002000000db97000001000000b701000004000000"
    "db17000040000000b701000006000000b700000005000000db170000f1000000"
    "b701000007000000db170000e1000000bc61000000000000bf72000000000000"
    "85100000ffffffff18010000efcdab8900000000674523010f19000000000000"
    "7b970000000000002600110064000000b4010000000000007182000000000000"
    "16021000ff0000007182010000000000b40100000100000016020d00ff000000"
    "7182020000000000b40100000200000016020a00ff000000b401000003000000"
    "718203000000000016020700ff000000b401000004000000a600050008000000"
    "54000000ff00000034000000070000000500010000000000dc00000020000000"
    "bc01000000000000bc100000000000009500000000000000";

}  // namespace

TEST_CASE("llvm-objdump -dr output assembles to the object's bytes") {
    auto r = bpfplay::assemble(kQDump);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(*r == test_hex::insns(kQBytes));
}

TEST_CASE("llvm-objdump -d -S --no-show-raw-insn output assembles to the object's bytes") {
    auto r = bpfplay::assemble(kPDump);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(*r == test_hex::insns(kPBytes));
}

TEST_CASE("index and byte columns are printed as llvm-objdump prints them") {
    // Every instruction line of the -dr paste that objdump 14 prints correctly, minus the
    // symbolic jump suffix, must come out of disassemble_one unchanged.
    std::vector<bpfplay::Insn> all = test_hex::insns(kQBytes);
    const size_t text_slots = 15;  // .text of q.o; the socket section restarts at index 0
    std::istringstream in(kQDump);
    std::string line;
    size_t base = 0, checked = 0;
    bpfplay::DisasmOptions opt;
    opt.show_index = opt.show_bytes = true;
    while (std::getline(in, line)) {
        if (line.rfind("Disassembly of section socket", 0) == 0) base = text_slots;
        size_t colon = line.find(":\t");
        if (colon == std::string::npos || line[0] != ' ' || line.find("<unknown>") != std::string::npos ||
            line.find("lock *(u32") != std::string::npos)  // the 32-bit fetch-add objdump 14 misprints
            continue;
        if (auto lt = line.rfind(" <"); lt != std::string::npos && line.back() == '>') line.resize(lt);
        size_t index = std::stoul(line.substr(0, colon));
        std::vector<bpfplay::Insn> section(all.begin() + long(base), all.end());
        CAPTURE(line);
        CHECK(bpfplay::disassemble_one(section, index, nullptr, opt) == line);
        ++checked;
    }
    CHECK(checked == 82);
}
