// libFuzzer target: arbitrary bytes as a program (and the tail as input memory), decoded and
// run with a small budget. Decode must refuse or accept without UB; an accepted program must
// exit or fault cleanly. The run records its undo journal: undoing every step must give back
// the initial registers, stacks and input exactly, and running again the same result.
// Build: cmake -DBPFPLAY_FUZZ=ON with clang (see tools/test.sh).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/decode.hpp"
#include "core/journal.hpp"
#include "core/vm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace bpfplay;
    if (size < 1) return 0;
    // First byte: how many 8-byte instructions; the rest after them is input memory.
    const size_t n_insns = std::min<size_t>(data[0], (size - 1) / 8);
    auto insns = insns_from_bytes({data + 1, n_insns * 8});
    if (!insns.ok()) return 0;
    DecodeOptions opt;
    opt.entry_regs = (1u << 1) | (1u << 2);
    auto prog = decode(*insns, opt);
    if (!prog.ok()) return 0;
    std::vector<uint8_t> mem(data + 1 + n_insns * 8, data + size);
    const std::vector<uint8_t> mem_before = mem;
    Vm vm(*prog);
    vm.set_raw_input(mem);
    vm.set_budget(10000);
    const auto regs_before = vm.regs();
    Journal journal(1 << 20);
    vm.set_recording(&journal, nullptr);
    RunStatus s = vm.run();
    if (s == RunStatus::Ready) __builtin_trap();  // a full run must end one way or the other
    if (s == RunStatus::Faulted && !vm.fault()) __builtin_trap();
    const uint64_t r0 = vm.result();
    const uint64_t executed = vm.executed();
    const bool complete = journal.dropped_steps() == 0;
    while (vm.undo_step()) {
    }
    if (!complete) return 0;
    if (vm.executed() != 0 || vm.pc() != 0 || vm.depth() != 0 || vm.regs() != regs_before || mem != mem_before)
        __builtin_trap();
    for (uint32_t k = 0; k < kMaxCallFrames; ++k) {
        const uint8_t* st = vm.memory().helper_ptr(Vm::frame_pointer(k) - kStackSize, kStackSize, false);
        for (uint32_t i = 0; i < kStackSize; ++i)
            if (st[i] != 0) __builtin_trap();
    }
    if (vm.run() != s || vm.executed() != executed || (s == RunStatus::Exited && vm.result() != r0)) __builtin_trap();
    return 0;
}
