#pragma once
// The loop programs every interpreter benchmark runs (bench_interpreter, bench_portable natively
// and in wasm, bench_journal), so their figures compare the same work. Each loop runs about
// 5 * n (ALU), 8 * n (stack), 8 * n (calls) or n (packet words * 6) instructions.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/decode.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

namespace bpfplay::bench {

inline std::string alu_loop(uint64_t n) {
    return R"(
    r0 = 0
    r1 = )" + std::to_string(n) + R"( ll
loop:
    r0 ^= r1
    r0 += r1
    r0 <<= 1
    r1 -= 1
    if r1 != 0 goto loop
    exit
)";
}

inline std::string stack_loop(uint64_t n) {
    return R"(
    r0 = 0
    r1 = )" + std::to_string(n) + R"( ll
loop:
    *(u64 *)(r10 - 8) = r1
    r2 = *(u64 *)(r10 - 8)
    r0 += r2
    *(u32 *)(r10 - 16) = w0
    r3 = *(u32 *)(r10 - 16)
    r0 ^= r3
    r1 -= 1
    if r1 != 0 goto loop
    exit
)";
}

inline std::string call_loop(uint64_t n) {
    return R"(
    r7 = 0
    r6 = )" + std::to_string(n) + R"( ll
loop:
    r1 = r6
    call add_one
    r7 += r0
    r6 -= 1
    if r6 != 0 goto loop
    r0 = r7
    exit
add_one:
    r0 = r1
    r0 += 1
    exit
)";
}

// A 1500-byte packet walked in 4-byte words with a bounds check each; n / 375 passes.
inline std::string packet_loop(uint64_t n) {
    return R"(
    r0 = 0
    r7 = r1
    r7 += r2
    r6 = )" + std::to_string(n / 375 ? n / 375 : 1) + R"(
outer:
    r2 = r1
inner:
    r3 = r2
    r3 += 4
    if r3 > r7 goto next
    r4 = *(u32 *)(r2 + 0)
    r0 += r4
    r2 = r3
    goto inner
next:
    r6 -= 1
    if r6 != 0 goto outer
    exit
)";
}

inline Program build(const std::string& text) {
    auto insns = assemble(text);
    if (!insns.ok()) {
        std::fprintf(stderr, "bench: %s\n", insns.error().to_string().c_str());
        std::exit(1);
    }
    DecodeOptions opt;
    opt.entry_regs = (1u << 1) | (1u << 2);
    auto prog = decode(*insns, opt);
    if (!prog.ok()) {
        std::fprintf(stderr, "bench: %s\n", prog.error().to_string().c_str());
        std::exit(1);
    }
    return std::move(prog).value();
}

}  // namespace bpfplay::bench
