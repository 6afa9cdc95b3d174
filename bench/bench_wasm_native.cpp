// Interpreter speed, portable: the loops of bench_interpreter.cpp with a plain std::chrono main
// (no Google Benchmark), so the same source builds natively and for wasm (node).
// Prints nanoseconds per executed BPF instruction, best of a few runs; never asserts on time.
// In the wasm build also the fast run (core/fastrun: the loop translated to a WebAssembly
// module), its first run (V8's baseline code for a new module) and its best.
// Then the debugger's two ways to the end of a run of about 100 million instructions, as the
// page drives them: Continue (recorded for stepping back, in the page's 20,000-instruction
// slices) and Run to end fast (DebugSession::cont_fast: unrecorded, through the fast run; the
// interpreter natively, where there is no WebAssembly runtime), and between them the fast
// continue with no engine: the interpreter unrecorded, what the page gets for a program the
// translator refuses.
// Run: build/bench/bench_portable [loop-iterations] [repetitions] [debugger-insns]
//      (wasm: node build-wasm/bench/bench_portable.js ...)
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_programs.hpp"
#include "core/debugger/debug_session.hpp"
#include "core/fastrun/fast_run.hpp"
#include "core/run/object_session.hpp"

namespace {

using namespace bpfplay;

volatile uint64_t g_sink;

void run_loop(const char* name, const std::string& text, size_t mem_size, int reps, bool quiet = false,
              bool fast = false) {
    const Program prog = bench::build(text);
    std::vector<uint8_t> mem(mem_size, 0x5a);
    std::optional<FastModule> module;
    std::unique_ptr<FastEngine> engine;
    if (fast) {
        auto m = translate_to_wasm(prog);
        if (!m.ok()) {
            std::fprintf(stderr, "bench: %s: %s\n", name, m.error().to_string().c_str());
            std::exit(1);
        }
        module = std::move(m).value();
        engine = make_wasm_engine(*module);
        if (!engine) {
            std::printf("%-12s no WebAssembly engine in this build\n", name);
            return;
        }
    }
    double best_ns = 0, first_ns = 0;
    uint64_t insns = 0;
    for (int i = 0; i < reps; i++) {
        const auto start = std::chrono::steady_clock::now();
        Vm vm(prog);
        vm.set_raw_input(mem);
        vm.set_budget(UINT64_MAX);
        const RunStatus st = fast ? FastRunner(prog, *module, *engine).run(vm) : vm.run();
        if (st != RunStatus::Exited) {
            std::fprintf(stderr, "bench: %s: %s\n", name,
                         vm.fault() ? vm.fault()->to_string().c_str() : "did not exit");
            std::exit(1);
        }
        const auto stop = std::chrono::steady_clock::now();
        g_sink = vm.result();
        insns = vm.executed();
        const double ns = std::chrono::duration<double, std::nano>(stop - start).count();
        if (i == 0) first_ns = ns;
        if (i == 0 || ns < best_ns) best_ns = ns;
    }
    if (quiet) return;
    std::printf("%-12s %12" PRIu64 " insns  %9.1f ms  %6.3f ns/insn", name, insns, best_ns / 1e6,
                best_ns / double(insns));
    if (fast) std::printf("  (first run %.3f ns/insn)", first_ns / double(insns));
    std::printf("\n");
    std::fflush(stdout);
}

// A loop that calls a helper each time round: the fast run hands every call to the interpreter.
std::string helper_loop(uint64_t n) {
    return R"(
    r7 = 0
    r6 = )" + std::to_string(n) + R"( ll
loop:
    call bpf_get_prandom_u32
    r7 += r0
    r6 -= 1
    if r6 != 0 goto loop
    r0 = r7
    exit
)";
}

// One debugger run of `text` (an XDP program) to its end: Continue as the page sends it, the
// fast continue, or the fast continue with no engine (the interpreter, unrecorded). Prints the
// instructions, the wall time and, for a fast one, how many ran as WebAssembly; r0 so they can
// be seen to agree.
enum class DebugMode { Recorded, Unrecorded, Fast };
void debug_continue(const char* name, const std::string& text, DebugMode mode) {
    const bool fast = mode != DebugMode::Recorded;
    auto object = ObjectSession::open_assembly(text, "xdp");
    if (!object.ok()) {
        std::fprintf(stderr, "bench: %s: %s\n", name, object.error().to_string().c_str());
        std::exit(1);
    }
    ObjectSession& o = *object.value();
    if (mode == DebugMode::Fast) o.set_fast_run(make_wasm_engine);
    RunInput in;
    in.packet.assign(64, 0x5a);
    in.budget = UINT64_MAX;
    auto session = DebugSession::open(o, "asm", in);
    if (!session.ok()) {
        std::fprintf(stderr, "bench: %s: %s\n", name, session.error().to_string().c_str());
        std::exit(1);
    }
    DebugSession& s = *session.value();
    const auto start = std::chrono::steady_clock::now();
    StopInfo stop;
    if (fast) {
        stop = s.cont_fast();
    } else {
        constexpr uint64_t kPageSlice = 20'000;  // web/src/session.ts kContinueChunk
        do stop = s.cont(kPageSlice);
        while (stop.reason == StopReason::Paused);
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (s.status() != RunStatus::Exited) {
        std::fprintf(stderr, "bench: %s: did not exit\n", name);
        std::exit(1);
    }
    std::printf("%-22s %12" PRIu64 " insns  %9.1f ms  %6.3f ns/insn  r0=%" PRIu64, name, s.executed(), ms,
                ms * 1e6 / double(s.executed()), s.vm().result());
    if (fast) std::printf("  (%" PRIu64 " as WebAssembly)", stop.fast_insns);
    else std::printf("  (journal %.1f MiB)", double(s.journal_bytes()) / (1 << 20));
    std::printf("\n");
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    // Loop iterations per program (bench_interpreter.cpp uses 100000000).
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
    const uint64_t debug_insns = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100'000'000;
    if (n == 0 || reps <= 0 || debug_insns < 10) {
        std::fprintf(stderr, "usage: bench_portable [loop-iterations > 0] [repetitions > 0] [debugger-insns >= 10]\n");
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
#ifdef __EMSCRIPTEN__
    run_loop("alu_fast", bench::alu_loop(n), 0, reps, false, true);
    run_loop("stack_fast", bench::stack_loop(n), 0, reps, false, true);
    run_loop("call_fast", bench::call_loop(n), 0, reps, false, true);
    run_loop("packet_fast", bench::packet_loop(n), 1500, reps, false, true);
#endif
    // The debugger: each loop sized to about debug_insns instructions (5, 8, 8 and 4 a turn).
    std::printf("debugger, to the end of a run: Continue (recorded, page slices) vs Run to end (fast)\n");
    const struct {
        const char* name;
        std::string text;
    } debug_loops[] = {
        {"alu_loop", bench::alu_loop(debug_insns / 5)},
        {"stack_loop", bench::stack_loop(debug_insns / 8)},
        {"call_loop", bench::call_loop(debug_insns / 8)},
        {"helper_loop", helper_loop(debug_insns / 4)},
    };
    for (const auto& l : debug_loops) {
        debug_continue((std::string(l.name) + " continue").c_str(), l.text, DebugMode::Recorded);
        debug_continue((std::string(l.name) + " unrecorded").c_str(), l.text, DebugMode::Unrecorded);
        debug_continue((std::string(l.name) + " fast").c_str(), l.text, DebugMode::Fast);
    }
    return 0;
}
