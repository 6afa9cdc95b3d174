// Nanoseconds per executed BPF instruction on four loops (the targets: <= 1.5 ns
// natively). Prints figures; never asserts on time. Run: build/bench/bench_interpreter
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_programs.hpp"

namespace {

using namespace bpfplay;

constexpr uint64_t kIterations = 100'000'000;  // loop passes: ~5-8 * 10^8 instructions a run

void run_loop(benchmark::State& state, const std::string& text, size_t mem_size) {
    Program prog = bench::build(text);
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

void BM_AluLoop(benchmark::State& s) { run_loop(s, bench::alu_loop(kIterations), 0); }
void BM_StackLoop(benchmark::State& s) { run_loop(s, bench::stack_loop(kIterations), 0); }
void BM_CallLoop(benchmark::State& s) { run_loop(s, bench::call_loop(kIterations), 0); }
void BM_PacketLoop(benchmark::State& s) { run_loop(s, bench::packet_loop(kIterations), 1500); }

}  // namespace

BENCHMARK(BM_AluLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_StackLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_CallLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_PacketLoop)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
