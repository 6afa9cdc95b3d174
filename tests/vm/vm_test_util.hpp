#pragma once
// Assemble-decode-run in one call, for tests that state a program as llvm-objdump text.
#include <optional>
#include <string>
#include <vector>

#include "core/decode.hpp"
#include "core/text/asm.hpp"
#include "core/vm.hpp"

namespace bpfplay::test {

constexpr uint16_t kRawEntry = (1u << 1) | (1u << 2) | (1u << 10);

inline Result<Program> decode_text(const std::string& text, const DecodeOptions& opt = {}) {
    auto insns = assemble(text);
    if (!insns.ok()) return insns.error();
    DecodeOptions o = opt;
    if (o.entry_regs == DecodeOptions{}.entry_regs) o.entry_regs = kRawEntry;
    return decode(*insns, o);
}

struct Outcome {
    RunStatus status = RunStatus::Ready;
    uint64_t r0 = 0;
    uint64_t executed = 0;
    std::optional<Error> error;  // decode error or run-time fault
    std::string message() const { return error ? error->what : std::string(); }
};

inline Outcome run_program(const Program& prog, std::vector<uint8_t> mem = {}, uint64_t budget = kDefaultBudget) {
    Vm vm(prog);
    vm.set_raw_input(mem);
    vm.set_budget(budget);
    Outcome out;
    out.status = vm.run();
    out.r0 = vm.result();
    out.executed = vm.executed();
    out.error = vm.fault();
    return out;
}

inline Outcome run_text(const std::string& text, std::vector<uint8_t> mem = {}, uint64_t budget = kDefaultBudget) {
    auto prog = decode_text(text);
    if (!prog.ok()) {
        Outcome out;
        out.status = RunStatus::Faulted;
        out.error = prog.error();
        return out;
    }
    return run_program(*prog, std::move(mem), budget);
}

inline Result<Program> decode_insns(std::vector<Insn> insns, uint16_t entry = kRawEntry) {
    DecodeOptions o;
    o.entry_regs = entry;
    return decode(insns, o);
}

}  // namespace bpfplay::test
