// Writes the benchmark loops of bench_programs.hpp as raw bytecode (8 bytes an instruction), so
// another runtime (uBPF: bench/ubpf/compare.sh) runs exactly the instructions bpfplay's benchmarks
// run. Each DIR/NAME.bin comes with DIR/NAME.txt: "<instructions executed> <r0> <memory bytes>",
// from a run in bpfplay's interpreter, which the other runtime's r0 must equal.
// Run: build/bench/bench_write_loops DIR [loop-iterations]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_programs.hpp"
#include "core/insn.hpp"

namespace {

using namespace bpfplay;

bool write_loop(const std::string& dir, const char* name, const std::string& text, size_t mem_size) {
    auto insns = assemble(text);
    if (!insns.ok()) return false;
    std::vector<uint8_t> bytes(insns->size() * 8);
    for (size_t i = 0; i < insns->size(); ++i) insn_to_bytes((*insns)[i], bytes.data() + 8 * i);
    const std::string bin = dir + "/" + name + ".bin";
    FILE* f = std::fopen(bin.c_str(), "wb");
    if (!f) return false;
    const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !wrote) return false;

    const Program prog = bench::build(text);
    std::vector<uint8_t> mem(mem_size, 0x5a);  // as bench_portable fills it
    Vm vm(prog);
    vm.set_raw_input(mem);
    vm.set_budget(UINT64_MAX);
    if (vm.run() != RunStatus::Exited) return false;
    const std::string txt = dir + "/" + name + ".txt";
    FILE* t = std::fopen(txt.c_str(), "w");
    if (!t) return false;
    std::fprintf(t, "%" PRIu64 " %" PRIu64 " %zu\n", vm.executed(), vm.result(), mem_size);
    return std::fclose(t) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_write_loops DIR [loop-iterations]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20'000'000;
    const struct {
        const char* name;
        std::string text;
        size_t mem;
    } loops[] = {
        {"alu_loop", bench::alu_loop(n), 0},
        {"stack_loop", bench::stack_loop(n), 0},
        {"call_loop", bench::call_loop(n), 0},
        {"packet_loop", bench::packet_loop(n), 1500},
    };
    for (const auto& l : loops) {
        if (!write_loop(dir, l.name, l.text, l.mem)) {
            std::fprintf(stderr, "bench_write_loops: cannot write %s into %s\n", l.name, dir.c_str());
            return 1;
        }
    }
    return 0;
}
