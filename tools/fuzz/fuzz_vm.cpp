// libFuzzer target: arbitrary bytes as a program (and the tail as input memory), decoded and
// run with a small budget. Decode must refuse or accept without UB; an accepted program must
// exit or fault cleanly. Build: cmake -DBPFPLAY_FUZZ=ON with clang (see tools/test.sh).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/decode.hpp"
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
    Vm vm(*prog);
    vm.set_raw_input(mem);
    vm.set_budget(10000);
    RunStatus s = vm.run();
    if (s == RunStatus::Ready) __builtin_trap();  // a full run must end one way or the other
    if (s == RunStatus::Faulted && !vm.fault()) __builtin_trap();
    return 0;
}
