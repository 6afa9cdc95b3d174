// Interpreter speed, portable: the loops of bench_interpreter.cpp with a plain std::chrono main
// (no Google Benchmark), so the same source builds natively and for wasm (node).
// Prints nanoseconds per executed BPF instruction, best of a few runs; never asserts on time.
// Run: build/bench/bench_portable [loop-iterations]   (wasm: node build-wasm/bench/bench_portable.js)
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_programs.hpp"

namespace {

using namespace bpfplay;

volatile uint64_t g_sink;

void run_loop(const char* name, const std::string& text, size_t mem_size, int reps, bool quiet = false) {
    const Program prog = bench::build(text);
    std::vector<uint8_t> mem(mem_size, 0x5a);
    double best_ns = 0;
    uint64_t insns = 0;
    for (int i = 0; i < reps; i++) {
        const auto start = std::chrono::steady_clock::now();
        Vm vm(prog);
        vm.set_raw_input(mem);
        vm.set_budget(UINT64_MAX);
        if (vm.run() != RunStatus::Exited) {
            std::fprintf(stderr, "bench: %s: %s\n", name,
                         vm.fault() ? vm.fault()->to_string().c_str() : "did not exit");
            std::exit(1);
        }
        const auto stop = std::chrono::steady_clock::now();
        g_sink = vm.result();
        insns = vm.executed();
        const double ns = std::chrono::duration<double, std::nano>(stop - start).count();
        if (i == 0 || ns < best_ns) best_ns = ns;
    }
    if (quiet) return;
    std::printf("%-12s %12" PRIu64 " insns  %9.1f ms  %6.3f ns/insn\n", name, insns, best_ns / 1e6,
                best_ns / double(insns));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    // Loop iterations per program (bench_interpreter.cpp uses 100000000).
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
    if (n == 0 || reps <= 0) {
        std::fprintf(stderr, "usage: bench_portable [loop-iterations > 0] [repetitions > 0]\n");
        return 2;
    }
    std::printf("bench_portable: %" PRIu64 " loop iterations, best of %d\n", n, reps);
    // Warm-up, not measured. V8 first runs wasm in its baseline compiler (Liftoff) and swaps in
    // optimized code only for later calls (no on-stack replacement); optimizing the interpreter
    // (one ~150 KB function) takes TurboFan 0.5-2 s in the background. Without this the first
    // loop measured was baseline code (the ALU loop read 3-4x slower than the others).
#ifdef __EMSCRIPTEN__
    const auto warm_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(3000);
    while (std::chrono::steady_clock::now() < warm_until) {
#else
    {
#endif
        run_loop("warm-up", bench::alu_loop(200'000), 0, 1, true);
        run_loop("warm-up", bench::packet_loop(200'000), 1500, 1, true);
    }
    run_loop("alu_loop", bench::alu_loop(n), 0, reps);
    run_loop("stack_loop", bench::stack_loop(n), 0, reps);
    run_loop("call_loop", bench::call_loop(n), 0, reps);
    run_loop("packet_loop", bench::packet_loop(n), 1500, reps);
    return 0;
}
