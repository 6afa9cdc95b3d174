// Nanoseconds per executed BPF instruction on four loops (the issue's targets: <= 1.5 ns
// natively). Prints figures; never asserts on time. Run: build/bench/bench_interpreter
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/decode.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

namespace {

using namespace bpfplay;

constexpr int64_t kIterations = 100'000'000;

const char* kAluLoop = R"(
    r0 = 0
    r1 = 100000000 ll
loop:
    r0 ^= r1
    r0 += r1
    r0 <<= 1
    r1 -= 1
    if r1 != 0 goto loop
    exit
)";

const char* kStackLoop = R"(
    r0 = 0
    r1 = 100000000 ll
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

// Local call src=1 has imm = target - (pc + 1): the function starts 2 insns after the exit.
const char* kCallLoop = R"(
    r7 = 0
    r6 = 100000000 ll
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

// Walks a 1500-byte packet in 4-byte words, checking each against the end first, as a
// verifier-approved parser must; 100000000 / 375 words is ~266667 passes.
const char* kPacketLoop = R"(
    r0 = 0
    r7 = r1
    r7 += r2
    r6 = 266667
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

Program build(const char* text) {
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

void run_loop(benchmark::State& state, const char* text, size_t mem_size) {
    Program prog = build(text);
    std::vector<uint8_t> mem(mem_size, 0x5a);
    uint64_t insns = 0;
    for (auto _ : state) {
        Vm vm(prog);
        vm.set_raw_input(mem);
        vm.set_budget(UINT64_MAX);
        if (vm.run() != RunStatus::Exited) state.SkipWithError(vm.fault() ? vm.fault()->to_string().c_str() : "did not exit");
        benchmark::DoNotOptimize(vm.result());
        insns += vm.executed();
    }
    state.counters["insns"] = double(insns) / double(state.iterations());
    // A rate of (insns / 1e9) per second, inverted, is nanoseconds per instruction (CPU time).
    state.counters["ns_per_insn"] =
        benchmark::Counter(double(insns) / 1e9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_AluLoop(benchmark::State& s) { run_loop(s, kAluLoop, 0); }
void BM_StackLoop(benchmark::State& s) { run_loop(s, kStackLoop, 0); }
void BM_CallLoop(benchmark::State& s) { run_loop(s, kCallLoop, 0); }
void BM_PacketLoop(benchmark::State& s) { run_loop(s, kPacketLoop, 1500); }

}  // namespace

static_assert(kIterations == 100'000'000);
BENCHMARK(BM_AluLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_StackLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_CallLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_PacketLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
