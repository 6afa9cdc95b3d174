// What recording for reverse execution costs: each loop of bench_programs.hpp run as ~1M
// instruction runs, plainly and with the journal on (as the debugger's continue runs), in
// nanoseconds per instruction, their ratio (the target: at most 1.5x) and journal
// bytes per instruction, counting every byte the journal holds (target: at most 16). Also
// the cost of stepping back. Prints figures; never asserts on time.
// Run: build/bench/bench_journal
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "bench/bench_programs.hpp"
#include "core/journal.hpp"

namespace {

using namespace bpfplay;
using Clock = std::chrono::steady_clock;

struct Figures {
    uint64_t insns = 0;
    double ns = 0;
    uint64_t journal_bytes = 0;
};

Figures run_once(const Program& prog, std::vector<uint8_t>& mem, Journal* journal) {
    Vm vm(prog);
    vm.set_raw_input(mem);
    vm.set_budget(UINT64_MAX);
    if (journal) {
        journal->clear();
        vm.set_recording(journal, nullptr);
    }
    const auto start = Clock::now();
    if (vm.run() != RunStatus::Exited) {
        std::fprintf(stderr, "bench: %s\n", vm.fault() ? vm.fault()->to_string().c_str() : "did not exit");
        std::exit(1);
    }
    Figures f;
    f.ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    f.insns = vm.executed();
    if (journal) f.journal_bytes = journal->bytes_used();
    return f;
}

void measure(const char* name, const std::string& text, size_t mem_size) {
    const Program prog = bench::build(text);
    std::vector<uint8_t> mem(mem_size, 0x5a);
    Journal journal;
    Figures plain, rec;
    for (int i = 0; i < 5; ++i) {  // best of 5 each
        const Figures p = run_once(prog, mem, nullptr);
        const Figures r = run_once(prog, mem, &journal);
        if (i == 0 || p.ns < plain.ns) plain = p;
        if (i == 0 || r.ns < rec.ns) rec = r;
    }
    // Stepping back over the whole recorded run.
    Vm vm(prog);
    vm.set_raw_input(mem);
    vm.set_budget(UINT64_MAX);
    journal.clear();
    vm.set_recording(&journal, nullptr);
    vm.run();
    const uint64_t steps = journal.steps();
    const auto start = Clock::now();
    while (vm.undo_step()) {
    }
    const double undo_ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    const double p = plain.ns / double(plain.insns), r = rec.ns / double(rec.insns);
    std::printf("%-8s %8" PRIu64 " insns  plain %6.2f ns/insn (%6.1f M/s)  recording %6.2f ns/insn (%6.1f M/s)  "
                "x%4.2f  journal %5.1f B/insn (%6.1f MiB)  undo %6.2f ns/insn\n",
                name, plain.insns, p, 1e3 / p, r, 1e3 / r, r / p, double(rec.journal_bytes) / double(rec.insns),
                double(rec.journal_bytes) / (1 << 20), undo_ns / double(steps ? steps : 1));
    std::fflush(stdout);
}

}  // namespace

int main() {
    // About 1,000,000 instructions per run: the scale for one recorded run.
    measure("alu", bench::alu_loop(200'000), 0);
    measure("stack", bench::stack_loop(125'000), 0);
    measure("call", bench::call_loop(125'000), 0);
    measure("packet", bench::packet_loop(166'667 * 6 / 6), 1500);
    return 0;
}
